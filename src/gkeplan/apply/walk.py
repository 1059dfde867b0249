"""Walk a dependency graph: start each vertex as soon as its dependencies are done.

Like Terraform's dag walker, not like networkx's topological generations (which wait for a whole
layer): a bounded pool runs ready vertices, a failure skips its descendants and lets independent
branches finish, and a stop request lets in-flight work finish without starting more.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from enum import StrEnum

MERGED_WORKERS = 32
SIGNAL_POLL_S = 0.2


class Outcome(StrEnum):
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"  # an upstream dependency failed
    NOT_STARTED = "not-started"  # the walk was stopped first


@dataclass
class WalkResult:
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    errors: dict[str, BaseException] = field(default_factory=dict)
    skipped_because: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(o is Outcome.DONE for o in self.outcomes.values())


def walk(
    vertices: Iterable[str],
    deps: Mapping[str, Iterable[str]],
    work: Callable[[str], None],
    *,
    parallelism: int = 10,
    stop: threading.Event | None = None,
    priority: Mapping[str, float] | None = None,
    merged: Callable[[str], bool] | None = None,
) -> WalkResult:
    """Run `work(v)` for every vertex after all of `deps[v]` succeeded.

    Among ready vertices, higher `priority` starts first (the executor passes the length of
    the longest chain a vertex heads, so the slow chain starts before the quick leaves).
    Vertices for which `merged(v)` is true join a shared write (IAM members of one policy are
    written together); they mostly wait for it, so they do not take one of the `parallelism`
    slots, which would otherwise sit idle behind that write.
    """
    prio = priority or {}

    def order(v: str) -> tuple[float, str]:
        return (-prio.get(v, 0.0), v)

    pending = {v: set(deps.get(v, ())) for v in vertices}
    for ds in pending.values():
        ds &= pending.keys()  # dependencies outside this walk are already satisfied
    dependents: dict[str, list[str]] = {v: [] for v in pending}
    for v, ds in pending.items():
        for d in ds:
            dependents[d].append(v)
    result = WalkResult()
    stop = stop or threading.Event()
    ready = sorted((v for v, ds in pending.items() if not ds), key=order)
    running: dict[Future[None], str] = {}
    is_merged = merged or (lambda v: False)
    slots = 0  # running vertices that hold a parallelism slot

    def skip(vertex: str, because: str) -> None:
        stack = [vertex]
        while stack:
            v = stack.pop()
            for child in dependents[v]:
                if child not in result.outcomes:
                    result.outcomes[child] = Outcome.SKIPPED
                    result.skipped_because[child] = because
                    stack.append(child)

    with (
        ThreadPoolExecutor(max_workers=max(1, parallelism), thread_name_prefix="gkeplan") as pool,
        ThreadPoolExecutor(max_workers=MERGED_WORKERS, thread_name_prefix="gkeplan-merged") as side,
    ):
        while ready or running:
            held = [v for v in ready if is_merged(v) or slots < parallelism]
            while held and not stop.is_set():
                v = held.pop(0)
                ready.remove(v)
                if v in result.outcomes:  # skipped while waiting
                    continue
                if is_merged(v):
                    running[side.submit(work, v)] = v
                elif slots < parallelism:
                    slots += 1
                    running[pool.submit(work, v)] = v
                else:
                    ready.insert(0, v)
                    break
            if not running:
                break
            # Wake up now and then even when nothing finished: Python runs a signal handler (Ctrl-C)
            # only in the main thread, and a signal delivered to a worker thread does not
            # interrupt the main thread's wait; without a timeout, Ctrl-C waited for the next
            # change to finish (a cluster create: minutes).
            done, _ = wait(running, timeout=SIGNAL_POLL_S, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: running[f]):
                v = running.pop(fut)
                if not is_merged(v):
                    slots -= 1
                exc = fut.exception()
                if exc is not None:
                    result.outcomes[v] = Outcome.FAILED
                    result.errors[v] = exc
                    skip(v, v)
                    continue
                result.outcomes[v] = Outcome.DONE
                for child in dependents[v]:
                    pending[child].discard(v)
                    if not pending[child] and child not in result.outcomes:
                        ready.append(child)
                ready.sort(key=order)
    for v in pending:
        result.outcomes.setdefault(v, Outcome.NOT_STARTED)
    return result
