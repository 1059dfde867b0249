"""Fixtures for contract tests: an in-process emulator (one per module, reset per test) and
Google's real clients bound to it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from gkeplan.gcp.connection import Connection
from gkeplan.gcp.sandbox import connection_for
from gkeplan_emulator import Emulator, EmulatorConfig
from gkeplan_emulator.clientfactory import ClientFactory

# The storage client's background bucket-metadata thread would add requests tests do not make.
os.environ.setdefault("DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA", "true")


@pytest.fixture(scope="module")
def _emulator() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig()) as emu:
        yield emu


@pytest.fixture
def emulator(_emulator: Emulator) -> Iterator[Emulator]:
    """A running emulator with zero delays, fresh state and no faults."""
    _emulator.reset()
    _emulator.backend.faults.set_rules([])
    yield _emulator


@pytest.fixture
def clients(emulator: Emulator) -> ClientFactory:
    """Real Google clients acting as the applier (a project owner)."""
    return emulator.clients()


@pytest.fixture
def conn(emulator: Emulator) -> Connection:
    """gkeplan's own Connection to the emulator."""
    conn: Connection = connection_for(emulator)
    return conn
