"""The planner and the executor against an in-memory cloud (fake_cloud.py): what a plan decides
from the spec, the state and what exists, and how an apply calls (order, parallelism, failure,
re-run), with no emulator between. The sandbox tests cover the same stages end to end."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import gkeplan
from gkeplan.apply.executor import ApplyResult, execute
from gkeplan.apply.journal import StateWriter
from gkeplan.errors import CloudError, Protected
from gkeplan.graph.build import build_graph
from gkeplan.plan.model import Action, Change, Plan
from gkeplan.plan.planner import make_plan
from gkeplan.plan.protection import check_consent
from gkeplan.spec.base import Document
from gkeplan.state.local import LocalStateStore
from gkeplan.state.model import StateDoc

from .fake_cloud import FakeCloud, context, fake_drivers

TUTORIAL = (Path(__file__).parents[2] / "examples" / "stable-diffusion.yaml").read_text()
POOL = "nodePool.sd-cluster.sd-node-pool"


def _spec(text: str = TUTORIAL) -> Document:
    return gkeplan.load_spec(text, {"PROJECT_ID": "demo-project"}, environ={})


@dataclass
class World:
    """One project: the fake cloud, a local state file, and the spec as it is now."""

    path: Path
    cloud: FakeCloud = field(default_factory=FakeCloud)
    spec: Document = field(default_factory=_spec)

    @property
    def store(self) -> LocalStateStore:
        return LocalStateStore(self.path)

    def state(self) -> StateDoc | None:
        return self.store.read()

    def plan(self, *, destroy: bool = False, allow_replace: Iterable[str] = ()) -> Plan:
        graph = build_graph(self.spec)
        drivers = fake_drivers(self.cloud)
        return make_plan(
            self.spec,
            context(),
            drivers,
            graph,
            self.state(),
            destroy=destroy,
            allow_replace=allow_replace,
        )

    def apply(self, plan: Plan, parallelism: int = 10) -> ApplyResult:
        doc = self.state() or StateDoc(project=self.spec.project)
        writer = StateWriter(self.store, doc)
        return execute(plan, context(), fake_drivers(self.cloud), writer, parallelism=parallelism)

    def converge(self) -> ApplyResult:
        result = self.apply(self.plan())
        assert result.ok, result.walk.errors
        return result


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path / "state.json")


def _actions(plan: Plan) -> dict[str, Action]:
    return {c.address: c.action for c in plan.changes if c.action is not Action.NOOP}


def _by_address(plan: Plan) -> dict[str, Change]:
    return {c.address: c for c in plan.changes}


def test_a_first_plan_creates_everything_and_after_apply_nothing_is_left_to_do(
    world: World,
) -> None:
    first = world.plan()
    assert set(_actions(first).values()) == {Action.CREATE}
    assert len(first.changes) == 10
    done = world.apply(first)
    assert done.ok and done.counts()["added"] == 10
    assert sorted(world.cloud.called("create")) == sorted(c.address for c in first.changes)
    state = world.state()
    assert state is not None and set(state.resources) == {c.address for c in first.changes}
    assert _actions(world.plan()) == {}


def test_every_create_comes_after_the_creates_it_depends_on(world: World) -> None:
    plan = world.plan()
    world.apply(plan)
    order = world.cloud.called("create")
    for change in plan.changes:
        for dep in change.dependencies:
            assert order.index(dep) < order.index(change.address), (dep, change.address)


def test_independent_creates_run_at_the_same_time(world: World) -> None:
    # the two service accounts depend on nothing: both must be in flight together, which the
    # barrier proves (it breaks after 10 s if one call waits for the other to finish)
    both = threading.Barrier(2, timeout=10)
    accounts = {"serviceAccount.gke-admin", "serviceAccount.gke-node"}

    def meet(verb: str, change: Change) -> None:
        if verb == "create" and change.address in accounts:
            both.wait()

    world.cloud.hooks.append(meet)
    assert world.apply(world.plan()).ok
    assert not both.broken


def test_with_parallelism_one_calls_never_overlap(world: World) -> None:
    in_flight = 0
    most = 0
    lock = threading.Lock()

    def count(verb: str, change: Change) -> None:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        with lock:
            in_flight -= 1

    world.cloud.hooks.append(count)
    assert world.apply(world.plan(), parallelism=1).ok
    assert most == 1


def test_a_failed_create_stops_what_depends_on_it_and_a_rerun_creates_nothing_twice(
    world: World,
) -> None:
    def cluster_fails(verb: str, change: Change) -> None:
        if verb == "create" and change.address == "cluster.sd-cluster":
            raise CloudError("quota exceeded")

    world.cloud.hooks.append(cluster_fails)
    failed = world.apply(world.plan())
    assert not failed.ok
    assert POOL not in world.cloud.called("create")  # never started: its cluster failed
    state = world.state()
    assert state is not None
    # written before the call, so a re-run knows to finish (or adopt) it, with the pool that
    # the cluster's create request makes with it
    assert state.resources["cluster.sd-cluster"].status == "pending-create"
    assert state.resources[POOL].status == "pending-create"
    assert sum(r.status == "ok" for r in state.resources.values()) == 8

    world.cloud.hooks.clear()
    rerun = world.plan()
    assert _actions(rerun) == {"cluster.sd-cluster": Action.CREATE, POOL: Action.CREATE}
    assert world.apply(rerun).ok
    creates = world.cloud.called("create")
    assert creates.count("cluster.sd-cluster") == 2  # the failed call and the re-run's
    assert all(creates.count(a) == 1 for a in creates if a != "cluster.sd-cluster")
    assert _actions(world.plan()) == {}


def test_a_change_made_outside_is_planned_back_as_drift(world: World) -> None:
    world.converge()
    (pool_id,) = world.cloud.of("nodePool")
    world.cloud.of("nodePool")[pool_id]["machineType"] = "e2-standard-4"
    plan = world.plan()
    change = _by_address(plan)[POOL]
    assert change.drift
    assert change.action in (Action.UPDATE, Action.REPLACE)
    (field_change,) = [f for f in change.fields if f.name == "machineType"]
    assert (field_change.before, field_change.after) == ("e2-standard-4", "n2-standard-4")
    assert world.apply(plan).ok
    assert _actions(world.plan()) == {}


def test_a_resource_deleted_outside_is_created_again(world: World) -> None:
    world.converge()
    world.cloud.of("bucket").clear()
    assert _actions(world.plan()) == {"bucket.models": Action.CREATE}


def test_a_resource_that_exists_but_is_not_ours_is_refused_not_taken(world: World) -> None:
    world.cloud.of("bucket")["demo-project-models"] = {"name": "demo-project-models"}
    change = _by_address(world.plan())["bucket.models"]
    assert change.refused is not None and "adopt" in change.refused
    result = world.apply(world.plan())
    assert not result.ok
    assert "bucket.models" not in world.cloud.called("create")
    assert world.cloud.of("bucket")["demo-project-models"] == {"name": "demo-project-models"}


def test_removing_a_key_deletes_it_and_its_grant_after_the_grant(world: World) -> None:
    world.converge()
    world.spec = _spec(
        TUTORIAL.replace("    keepOnDestroy: true\n", "").replace(
            "  - member: serviceAccount:gke-node\n"
            "    roles: [roles/storage.objectViewer]\n"
            "    on: bucket:models\n",
            "",
        )
    )
    world.converge()  # bucket unchanged, its grant gone
    grant = "iamMember.bucket.models/roles/storage.objectViewer/serviceAccount:gke-node"
    assert world.cloud.called("delete") == [grant]


def test_destroy_deletes_dependents_first_and_forgets_what_is_kept(world: World) -> None:
    world.converge()
    plan = world.plan(destroy=True)
    kept = _by_address(plan)["bucket.models"]
    assert kept.action is Action.NOOP and "keepOnDestroy" in (kept.reason or "")
    assert world.apply(plan).ok
    order = world.cloud.called("delete")
    assert "bucket.models" not in order
    assert order.index(POOL) < order.index("cluster.sd-cluster")
    assert order.index("cluster.sd-cluster") < order.index("serviceAccount.gke-admin")
    assert world.cloud.of("bucket"), "a kept bucket stays"
    state = world.state()
    assert state is not None and list(state.resources) == ["bucket.models"]  # still gkeplan's


def test_a_change_that_forces_replacing_a_bucket_needs_consent(world: World) -> None:
    world.converge()
    world.spec = _spec(TUTORIAL.replace("    location: us-central1\n", "    location: EU\n"))
    plan = world.plan()
    change = _by_address(plan)["bucket.models"]
    assert change.action is Action.REPLACE
    assert any(f.forces_replacement and f.name == "location" for f in change.fields)
    assert plan.needs_allow_replace == ["bucket.models"]  # its objects would be lost
    with pytest.raises(Protected, match=r"--allow-replace bucket\.models"):
        check_consent(plan.changes, [])
    check_consent(plan.changes, ["bucket.models"])


def test_a_label_change_is_one_update_in_place(world: World) -> None:
    world.converge()
    world.spec = _spec(TUTORIAL.replace("    forceDestroy: true\n", "    labels: {team: ml}\n"))
    plan = world.plan()
    assert _actions(plan) == {"bucket.models": Action.UPDATE}
    calls_before = len(world.cloud.calls)
    assert world.apply(plan).ok
    assert world.cloud.calls[calls_before:] == [("update", "bucket.models")]
    assert _actions(world.plan()) == {}


def test_a_pool_replacement_creates_the_new_pool_before_deleting_the_old(world: World) -> None:
    world.converge()
    world.spec = _spec(TUTORIAL.replace("preemptible: true", "spot: true"))
    plan = world.plan()
    change = _by_address(plan)[POOL]
    assert change.action is Action.REPLACE
    calls_before = len(world.cloud.calls)
    assert world.apply(plan).ok
    verbs = [v for v, a in world.cloud.calls[calls_before:] if a == POOL]
    assert verbs == ["create", "delete"]  # nodes keep serving while the new pool comes up
    assert _actions(world.plan()) == {}
