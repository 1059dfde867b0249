"""One suite every state store passes: read/write round trip, exclusive locks, no secrets."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gkeplan.errors import StateError
from gkeplan.state.gcs import GcsStateStore
from gkeplan.state.local import LocalStateStore
from gkeplan.state.model import ResourceState, StateDoc
from gkeplan.state.store import LockInfo, StateConflict, StateLocked, StateStore
from gkeplan_emulator import Emulator

os.environ.setdefault("DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA", "true")


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        storage = emulator.clients().storage()
        bucket = storage.bucket("demo-project-tfstate")
        bucket.versioning_enabled = True
        storage.create_bucket(bucket, location="us-central1")
        yield emulator


@pytest.fixture(params=["local", "gcs"])
def stores(
    request: pytest.FixtureRequest, tmp_path: Path, emu: Emulator
) -> tuple[StateStore, StateStore]:
    if request.param == "local":
        return LocalStateStore(tmp_path / "s.json"), LocalStateStore(tmp_path / "s.json")
    prefix = f"t/{tmp_path.name}"

    def make() -> GcsStateStore:
        return GcsStateStore(emu.clients().storage(), "demo-project-tfstate", prefix)

    return make(), make()


def _doc() -> StateDoc:
    doc = StateDoc(project="demo-project")
    doc.resources["bucket.models"] = ResourceState("bucket", "demo-project-models", {"name": "x"})
    return doc


def test_round_trip(stores: tuple[StateStore, StateStore]) -> None:
    a, b = stores
    assert a.read() is None
    doc = _doc()
    a.write(doc)
    got = b.read()
    assert got is not None
    assert (got.lineage, got.serial, got.resources["bucket.models"].id) == (
        doc.lineage,
        doc.serial,
        "demo-project-models",
    )


def test_lock_is_exclusive_and_names_the_holder(stores: tuple[StateStore, StateStore]) -> None:
    a, b = stores
    first = LockInfo(operation="apply")
    a.lock(first)
    with pytest.raises(StateLocked) as info:
        b.lock(LockInfo(operation="plan"))
    assert info.value.holder is not None and info.value.holder.id == first.id
    assert f"lock id {first.id}" in str(info.value)
    a.unlock(first)
    second = LockInfo()
    b.lock(second)
    b.unlock(second)


def test_gcs_write_with_a_stale_generation_never_overwrites(emu: Emulator, tmp_path: Path) -> None:
    def make() -> GcsStateStore:
        return GcsStateStore(emu.clients().storage(), "demo-project-tfstate", f"c/{tmp_path.name}")

    a, b = make(), make()
    a.write(_doc())
    base_a, base_b = a.read(), b.read()
    assert base_a is not None and base_b is not None
    base_a.serial += 1
    a.write(base_a)  # the other writer got there first
    base_b.resources.clear()
    with pytest.raises(StateConflict, match="was written by someone else"):
        b.write(base_b)
    kept = make().read()
    assert kept is not None and kept.serial == base_a.serial and "bucket.models" in kept.resources


def test_gcs_force_unlock_removes_exactly_that_lock(emu: Emulator, tmp_path: Path) -> None:
    def make() -> GcsStateStore:
        return GcsStateStore(emu.clients().storage(), "demo-project-tfstate", f"f/{tmp_path.name}")

    dead = LockInfo(operation="apply")
    make().lock(dead)  # its holder "dies" without unlocking
    with pytest.raises(StateError, match="the current lock has id"):
        make().force_unlock("not-the-id")
    assert make().force_unlock(dead.id).id == dead.id
    fresh = make()
    fresh.lock(LockInfo())
    with pytest.raises(StateError):
        make().force_unlock(dead.id)  # a newer lock is never removed by an old id
