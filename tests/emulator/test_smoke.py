"""The core wiring: a real Resource Manager client reaches the emulator and is authenticated."""

from __future__ import annotations

from gkeplan_emulator import Emulator
from gkeplan_emulator.clientfactory import ClientFactory


def test_get_project_through_the_real_rest_client(
    emulator: Emulator, clients: ClientFactory
) -> None:
    project = clients.projects().get_project(name=f"projects/{emulator.config.project}")
    assert project.project_id == emulator.config.project
    assert project.name == f"projects/{emulator.config.project_number}"
    assert [e.method for e in emulator.requests] == ["resourcemanager.projects.get"]
    assert emulator.requests[0].principal == emulator.config.applier
