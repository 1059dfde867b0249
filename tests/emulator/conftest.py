from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from gkeplan.emulator import Emulator, EmulatorConfig
from gkeplan.gcp.connection import Connection

os.environ.setdefault("DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA", "true")


@pytest.fixture(scope="module")
def _emulator() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig()) as emu:
        yield emu


@pytest.fixture
def emulator(_emulator: Emulator) -> Iterator[Emulator]:
    _emulator.reset()
    _emulator.backend.faults.set_rules([])
    yield _emulator


@pytest.fixture
def conn(emulator: Emulator) -> Connection:
    return emulator.clients()
