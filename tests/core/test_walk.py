"""The walker starts each vertex once its own dependencies finish, not a whole layer later."""

from __future__ import annotations

import threading

from gkeplan.apply.walk import Outcome, walk


def test_vertex_starts_when_its_own_deps_finish() -> None:
    # a -> c, b (slow, independent). c must start while b is still running.
    b_may_finish = threading.Event()
    c_started = threading.Event()
    order: list[str] = []

    def work(v: str) -> None:
        order.append(v)
        if v == "b":
            assert b_may_finish.wait(5), "c never started while b was running"
        if v == "c":
            c_started.set()
            b_may_finish.set()

    result = walk(["a", "b", "c"], {"c": ["a"]}, work, parallelism=2)
    assert result.ok
    assert c_started.is_set()
    assert order.index("a") < order.index("c")


def test_failure_skips_descendants_and_lets_other_branches_finish() -> None:
    def work(v: str) -> None:
        if v == "a":
            raise RuntimeError("boom")

    deps = {"b": ["a"], "c": ["b"], "d": []}
    result = walk(["a", "b", "c", "d"], deps, work, parallelism=4)
    assert result.outcomes == {
        "a": Outcome.FAILED,
        "b": Outcome.SKIPPED,
        "c": Outcome.SKIPPED,
        "d": Outcome.DONE,
    }
    assert result.skipped_because == {"b": "a", "c": "a"}
    assert str(result.errors["a"]) == "boom"


def test_parallelism_bound_is_respected() -> None:
    lock = threading.Lock()
    active = 0
    peak = 0
    release = threading.Barrier(3, timeout=5)

    def work(v: str) -> None:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        if v in ("v0", "v1", "v2"):
            release.wait()  # the first three run together: proves 3 can be in flight
        with lock:
            active -= 1

    result = walk([f"v{i}" for i in range(9)], {}, work, parallelism=3)
    assert result.ok
    assert peak == 3


def test_stop_lets_in_flight_work_finish_and_starts_nothing_new() -> None:
    stop = threading.Event()

    def work(v: str) -> None:
        if v == "a":
            stop.set()

    result = walk(["a", "b"], {"b": ["a"]}, work, parallelism=1, stop=stop)
    assert result.outcomes == {"a": Outcome.DONE, "b": Outcome.NOT_STARTED}


def test_merged_vertices_do_not_take_a_parallelism_slot() -> None:
    # With one slot, "grant" (merged) waits for "bucket" (a normal vertex) to be running:
    # both can only be in flight together if the merged one does not hold the slot.
    bucket_running = threading.Event()

    def work(v: str) -> None:
        if v == "bucket":
            bucket_running.set()
        if v == "grant":
            assert bucket_running.wait(5), "the merged vertex held the only slot"

    result = walk(
        ["grant", "bucket"],
        {},
        work,
        parallelism=1,
        merged=lambda v: v == "grant",
        priority={"grant": 10},
    )
    assert result.ok
