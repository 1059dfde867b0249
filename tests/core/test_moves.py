"""Move detection over plain state documents: which entry a renamed address takes, swaps,
create-before-destroy names, conflicts, and targets that would split a chain of moves."""

from __future__ import annotations

import pytest

from gkeplan.errors import UsageError
from gkeplan.lifecycle import Lifecycle
from gkeplan.plan import moves
from gkeplan.state.model import ResourceState, StateDoc


def _state(**entries: tuple[str, str]) -> StateDoc:
    return StateDoc(
        resources={
            a.replace("__", "."): ResourceState(kind, rid) for a, (kind, rid) in entries.items()
        }
    )


def _wanted(**entries: tuple[str, str]) -> dict[str, moves.Wanted]:
    return {a.replace("__", "."): moves.Wanted(k, i) for a, (k, i) in entries.items()}


def test_an_address_asking_for_an_id_held_elsewhere_has_moved_there() -> None:
    state = _state(bucket__models=("bucket", "b1"))
    found = moves.find(state, _wanted(bucket__weights=("bucket", "b1")))
    assert found.by_target == {"bucket.weights": "bucket.models"}
    rekeyed = moves.rekeyed(state, found)
    assert rekeyed is not None and list(rekeyed.resources) == ["bucket.weights"]


def test_an_entry_still_wanted_at_its_own_address_stays() -> None:
    state = _state(bucket__a=("bucket", "b1"))
    wanted = _wanted(bucket__a=("bucket", "b1"), bucket__b=("bucket", "b1"))
    assert moves.find(state, wanted).by_target == {}


def test_the_same_id_of_another_kind_is_not_a_move() -> None:
    state = _state(network__x=("network", "projects/p/global/networks/x"))
    wanted = _wanted(firewall__x=("firewall", "projects/p/global/networks/x"))
    assert moves.find(state, wanted).by_target == {}


def test_two_keys_swapped_move_at_once_and_keep_both_entries() -> None:
    state = _state(bucket__a=("bucket", "b1"), bucket__b=("bucket", "b2"))
    found = moves.find(state, _wanted(bucket__a=("bucket", "b2"), bucket__b=("bucket", "b1")))
    assert found.by_target == {"bucket.a": "bucket.b", "bucket.b": "bucket.a"}
    rekeyed = moves.rekeyed(state, found)
    assert rekeyed is not None
    assert {a: r.id for a, r in rekeyed.resources.items()} == {"bucket.a": "b2", "bucket.b": "b1"}


def test_dependencies_on_a_moved_address_follow_it() -> None:
    state = _state(bucket__models=("bucket", "b1"), iamMember__m=("iamMember", "m1"))
    state.resources["iamMember.m"].dependencies = ["bucket.models"]
    found = moves.find(state, _wanted(bucket__weights=("bucket", "b1")))
    rekeyed = moves.rekeyed(state, found)
    assert rekeyed is not None
    assert rekeyed.resources["iamMember.m"].dependencies == ["bucket.weights"]


def test_a_pool_living_under_its_create_before_destroy_name_moves_by_the_specs_id() -> None:
    state = StateDoc(
        resources={
            "nodePool.c.p": ResourceState(
                "nodePool",
                "clusters/c/nodePools/p-1a2b",
                lifecycle=Lifecycle(spec_id="clusters/c/nodePools/p"),
            )
        }
    )
    found = moves.find(state, _wanted(nodePool__c__q=("nodePool", "clusters/c/nodePools/p")))
    assert found.by_target == {"nodePool.c.q": "nodePool.c.p"}


def test_a_destination_holding_an_entry_of_its_own_is_a_conflict_not_a_guess() -> None:
    state = _state(bucket__a=("bucket", "b1"), bucket__b=("bucket", "b2"))
    found = moves.find(state, _wanted(bucket__a=("bucket", "b2")))
    assert found.by_target == {}
    assert "gkeplan will not guess which to keep" in found.conflicts["bucket.a"]


def test_a_declared_move_wins_over_the_ids() -> None:
    state = _state(bucket__old=("bucket", "b1"))
    found = moves.find(state, _wanted(bucket__new=("bucket", "b9")), [("bucket.old", "bucket.new")])
    assert found.by_target == {"bucket.new": "bucket.old"}


def test_targets_must_carry_a_chain_of_moves_whole() -> None:
    chain = {"bucket.a": "bucket.b", "bucket.b": "bucket.a"}
    moves.check_targets(chain, {"bucket.a", "bucket.b"}, "--target")
    moves.check_targets(chain, {"cluster.c"}, "--target")  # untouched: the moves wait
    with pytest.raises(UsageError, match=r"add --target bucket\.b"):
        moves.check_targets(chain, {"bucket.a"}, "--target")
