"""All state of one emulator instance: nothing is module-global, so emulators never share."""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gkeplan_emulator.authz import Authorizer, project_resource
from gkeplan_emulator.clock import Clock, SystemClock
from gkeplan_emulator.config import EmulatorConfig
from gkeplan_emulator.faults import FaultInjector
from gkeplan_emulator.iampolicy import PolicyStore
from gkeplan_emulator.identity import Identity


@dataclass(frozen=True)
class LogEntry:
    method: str  # the route's name, e.g. "container.createCluster"
    status: int
    principal: str | None
    seconds: float
    started: float = 0.0  # wall clock (time.time()) when the call arrived

    @property
    def service(self) -> str:
        return self.method.split(".", 1)[0]


class Backend:
    def __init__(
        self,
        config: EmulatorConfig,
        clock: Clock | None = None,
        state_file: str | os.PathLike[str] | None = None,
        models: Mapping[str, Callable[[Backend], Any]] | None = None,
    ) -> None:
        """`models`: one factory per emulated service, by name (the service registry's)."""
        self.config = config
        self.clock: Clock = clock or SystemClock()
        self.identity = Identity(self.clock, config.applier)
        self.policies = PolicyStore(self.clock, config.propagation_delay_s)
        self.authz = Authorizer(self.policies, self.clock)
        self.faults = FaultInjector(config.faults, config.seed)
        self.lock = threading.RLock()
        # Per request thread: a fault that a long-running operation started now must report.
        self.request_faults = threading.local()
        self.log: list[LogEntry] = []
        self._log_lock = threading.Lock()
        self.state_file = Path(state_file) if state_file else None
        # One model per registered service; `services` is the contract's name for it.
        self.models: dict[str, Any] = {}
        self.services = self.models
        for name, make in (models or {}).items():
            self.models[name] = make(self)
        if self.state_file and self.state_file.exists():
            self.load(json.loads(self.state_file.read_text()))
            if self.config.project not in self.models["projects"].projects:
                # a kept sandbox started for another project: like one account with two
                # projects, it keeps the first and the caller owns the new one too
                self.seed()
        else:
            self.seed()

    def seed(self) -> None:
        project = self.config.project
        self.models["projects"].ensure(project, self.config.project_number)
        self.policies.grant(
            project_resource(project), "roles/owner", self.config.applier, self.clock.now()
        )

    def reset(self) -> None:
        """Back to a fresh emulator: seeded state, the configured faults, an empty log.
        Issued tokens stay valid, so clients built before a reset keep working."""
        with self.lock:
            self.faults.set_rules(self.config.faults)
            self.policies.load({})
            for model in self.models.values():
                model.load({})
            with self._log_lock:
                self.log.clear()
            self.seed()
        self.persist()

    def record(self, method: str, status: int, principal: str | None, seconds: float) -> None:
        with self._log_lock:
            self.log.append(LogEntry(method, status, principal, seconds, time.time() - seconds))

    def dump(self) -> dict[str, Any]:
        with self.lock:
            return {
                "format": 1,
                "policies": self.policies.dump(),
                "tokens": self.identity.dump(),
                "models": {name: m.dump() for name, m in self.models.items()},
            }

    def load(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.policies.load(data.get("policies") or {})
            self.identity.load(data.get("tokens") or {})
            for name, model in self.models.items():
                model.load((data.get("models") or {}).get(name) or {})

    def to_json(self) -> dict[str, Any]:
        return self.dump()

    def from_json(self, data: dict[str, Any]) -> None:
        self.load(data)

    def persist(self) -> None:
        """Write the whole state atomically, when a state file was given."""
        if self.state_file is None:
            return
        with self.lock:
            text = json.dumps(self.dump())
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".emulator.", dir=self.state_file.parent)
            with os.fdopen(fd, "w") as fh:
                fh.write(text)
            os.replace(tmp, self.state_file)
