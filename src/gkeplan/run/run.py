"""One plan/apply/destroy run: lock the state, connect, refresh, diff, execute, unlock.

The library's `gkeplan.run.plan()` / `gkeplan.run.apply()` and the CLI commands all use `Run`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from gkeplan.apply.executor import ApplyResult, StateWriter, execute, record_refresh
from gkeplan.commandline import CommandLine
from gkeplan.errors import StalePlan
from gkeplan.gcp.connection import Connection, Timeouts
from gkeplan.graph.build import Graph, build_graph
from gkeplan.kinds import KINDS
from gkeplan.kinds.driver import CallContext, Driver, load_driver
from gkeplan.plan.model import Change, Plan
from gkeplan.plan.planner import make_plan, spec_digest
from gkeplan.run.resume import resume_operations
from gkeplan.run.target import Target, check_target, connect, state_store
from gkeplan.spec.base import Document
from gkeplan.state.model import StateDoc
from gkeplan.state.store import LockInfo, StateStore
from gkeplan.state.wait import lock_waiting

log = logging.getLogger("gkeplan.run")


def drivers() -> dict[str, Driver]:
    """A fresh driver per kind for one run (the IAM driver holds per-run write queues)."""
    return {k.name: load_driver(k.driver) for k in KINDS}


@dataclass
class Run:
    spec: Document
    store: StateStore
    conn: Connection
    graph: Graph
    variables: Mapping[str, str] = field(default_factory=dict)
    operation: str = "plan"
    live_quotas: bool = False  # check the plan's creates against the project's own quotas
    target: Target = field(default_factory=Target)
    commands: CommandLine = field(default_factory=CommandLine)  # for the hints it prints
    apis_off: frozenset[str] = frozenset()  # off now, turned on by the spec's services
    # The state as read once under the run's lock (no one else can write it meanwhile), then
    # as this run's own writes leave it.
    _state: StateDoc | None = field(default=None, init=False, repr=False)
    _read: bool = field(default=False, init=False, repr=False)

    def state(self) -> StateDoc | None:
        if not self._read:
            self._state = self.store.read()
            check_target(self._state, self.spec, self.target, self.store.location)
            self._read = True
        return self._state

    def plan(
        self,
        *,
        destroy: bool = False,
        targets: Iterable[str] = (),
        allow_replace: Iterable[str] = (),
        refresh_only: bool = False,
        replace: Iterable[str] = (),
    ) -> Plan:
        if self.operation in ("apply", "destroy"):  # a plan only looks; it waits for nothing
            resume_operations(self.state(), self.store, self.conn, self.spec.project)
        ctx = CallContext(self.spec.project, self.conn, apis_off=self.apis_off)
        made = make_plan(
            self.spec,
            ctx,
            drivers(),
            self.graph,
            self.state(),
            destroy=destroy,
            targets=targets,
            variables=self.variables,
            allow_replace=allow_replace,
            commands=self.commands,
            refresh_only=refresh_only,
            replace=replace,
        )
        if self.live_quotas and not destroy and not refresh_only:
            from gkeplan.run.preflight import check_live_quotas

            check_live_quotas(self.conn, self.spec, made)
        return made

    def check_fresh(self, plan: Plan) -> None:
        state = self.state()
        lineage = state.lineage if state else None
        serial = state.serial if state else None
        if (lineage, serial) != (plan.state_lineage, plan.state_serial):
            raise StalePlan(
                f"the saved plan was made from state {plan.state_lineage or '(none)'} serial "
                f"{plan.state_serial}, but the state is now {lineage or '(none)'} serial {serial}; "
                "run gkeplan plan again"
            )
        if spec_digest(self.spec) != plan.spec_digest:
            raise StalePlan("the spec or its variables changed since the plan was made; plan again")

    def apply(
        self,
        plan: Plan,
        *,
        parallelism: int = 10,
        stop: threading.Event | None = None,
        on_event: Callable[[str, Change, str], None] | None = None,
    ) -> ApplyResult:
        self.check_fresh(plan)
        doc = self.state() or StateDoc(project=self.spec.project)
        doc.project = doc.project or self.spec.project
        doc.target = self.target.identity()
        doc.environment = self.spec.environment
        writer = StateWriter(self.store, doc)
        ctx = CallContext(self.spec.project, self.conn)
        self._state = writer.doc  # what this run writes is what it reads from now on
        if plan.refresh_only:
            return record_refresh(plan, writer)
        result = execute(
            plan,
            ctx,
            drivers(),
            writer,
            parallelism=parallelism,
            stop=stop,
            on_event=on_event,
            commands=self.commands,
        )
        self._record_outputs(writer)
        return result

    def _record_outputs(self, writer: StateWriter) -> None:
        """The spec's outputs as this apply leaves the resources, written when they change."""
        from gkeplan.state.outputs import declared

        now = {
            name: {"value": value, "sensitive": sensitive}
            for name, (value, sensitive) in declared(self.spec, writer.doc).items()
        }
        if now != writer.doc.outputs:

            def fn(doc: StateDoc) -> None:
                doc.outputs = now

            writer.update(fn)


@contextlib.contextmanager
def open_run(
    spec: Document,
    *,
    target: Target | None = None,
    state_path: str | None = None,
    operation: str = "plan",
    variables: Mapping[str, str] | None = None,
    timeouts: Timeouts | None = None,
    lock_timeout_s: float = 0.0,
    retry_timeout_s: float | None = None,
    live_quotas: bool | None = None,
    on_lock_wait: Callable[[str], None] = log.warning,
    commands: CommandLine | None = None,
) -> Iterator[Run]:
    """Lock the state for the whole run; a second run fails at once, naming the holder
    (or waits up to `lock_timeout_s`, telling `on_lock_wait` who holds it every 10 s).

    The APIs the run calls must be enabled (checked first); against Google plans are also
    checked against the project's own quotas, and `live_quotas` turns that on or off.
    """
    target = target or Target()
    graph = build_graph(spec)
    info = LockInfo(operation=operation)
    live = target.is_google if live_quotas is None else live_quotas
    with connect(spec, target, timeouts, retry_timeout_s) as conn:
        from gkeplan.run.preflight import apis_for, enabled_by_spec, require_services

        nodes = [graph.nodes[a]["node"] for a in graph]
        # only the APIs this spec's kinds call; the sandbox serves Service Usage too
        apis_off = require_services(
            conn,
            live_quotas=live,
            apis=apis_for(spec, nodes),
            enabling=enabled_by_spec(spec, nodes),
        )
        store = state_store(spec, target, state_path, conn)
        lock_waiting(store, info, lock_timeout_s, on_lock_wait)
        try:
            yield Run(
                spec,
                store,
                conn,
                graph,
                dict(variables or {}),
                operation=operation,
                live_quotas=live,
                target=target,
                commands=commands or CommandLine(),
                apis_off=apis_off,
            )
        finally:
            store.unlock(info)


def check_policies(spec: Document) -> None:
    """Run the spec's checks and policy packs, as the CLI does; raise `PolicyRefused` on an
    error (waived findings do not count)."""
    from gkeplan.errors import PolicyRefused, Severity
    from gkeplan.policy.engine import run_policies
    from gkeplan.validation.load import spec_problems

    problems = [d for d in spec_problems(spec) if d.severity is Severity.ERROR]
    if problems:
        raise PolicyRefused(
            f"the spec has {len(problems)} error(s): {problems[0].render()}", problems
        )
    report = run_policies(spec, build_graph(spec))
    errors = report.unwaived(Severity.ERROR)
    if errors:
        first = errors[0]
        raise PolicyRefused(
            f"{len(errors)} policy error(s); first: [{first.rule}] {first.resource}: "
            f"{first.message}",
            findings=errors,
        )


def plan(
    spec: Document,
    *,
    target: Target | None = None,
    destroy: bool = False,
    targets: Iterable[str] = (),
    state_path: str | None = None,
    variables: Mapping[str, str] | None = None,
    timeouts: Timeouts | None = None,
    policies: bool = True,
) -> Plan:
    """Validate and run the spec's policy packs (unless `policies=False`), then refresh and
    diff; changes nothing. Raises `PolicyRefused` where the CLI would refuse."""
    if policies:
        check_policies(spec)
    with open_run(
        spec, target=target, state_path=state_path, variables=variables, timeouts=timeouts
    ) as run:
        return run.plan(destroy=destroy, targets=targets)


def apply(
    plan_: Plan,
    spec: Document,
    *,
    target: Target | None = None,
    parallelism: int = 10,
    state_path: str | None = None,
    variables: Mapping[str, str] | None = None,
    timeouts: Timeouts | None = None,
) -> ApplyResult:
    """Apply a plan made by `plan()`; refused when the state or spec changed since."""
    with open_run(
        spec,
        target=target,
        state_path=state_path,
        operation="apply",
        variables=variables,
        timeouts=timeouts,
    ) as run:
        return run.apply(plan_, parallelism=parallelism)
