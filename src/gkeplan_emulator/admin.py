"""A small admin API for tests and `gkeplan sandbox serve`: dump, reset, faults.

Not a Google API: it lives under /_emulator/ and needs no token, like moto's /moto-api/. It
validates its input like any API: a bad request answers 400 naming what is wrong.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, Protocol

from gkeplan_emulator.backend import Backend
from gkeplan_emulator.calls import Request, Response, Route, route
from gkeplan_emulator.config import EmulatorConfig, FaultRule
from gkeplan_emulator.errors import invalid_argument

FAULT_KINDS = ("status", "lost_response", "latency", "operation_error")
_FIELDS = {f.name: f for f in dataclasses.fields(FaultRule)}
_TYPES: dict[str, tuple[type, ...]] = {
    "method": (str,),
    "kind": (str,),
    "status": (int,),
    "probability": (int, float),
    "count": (int, type(None)),
    "skip": (int,),
    "latency_s": (int, float),
}


class Admin(Protocol):
    """What the admin API needs of a running emulator."""

    backend: Backend
    config: EmulatorConfig

    def reset(self) -> None: ...

    def issue_token(self, principal: str) -> str: ...

    def endpoint_urls(self) -> tuple[str, str]: ...

    def method_names(self) -> frozenset[str]: ...


def parse_rule(raw: Any, known: frozenset[str]) -> FaultRule:
    """A FaultRule from JSON, or INVALID_ARGUMENT naming the unknown key, value or method."""
    if not isinstance(raw, dict):
        raise invalid_argument("Each fault rule must be a JSON object.")
    for key, value in raw.items():
        if key not in _FIELDS:
            raise invalid_argument(f'Unknown fault rule field "{key}".')
        if isinstance(value, bool) or not isinstance(value, _TYPES[key]):
            raise invalid_argument(f'Invalid value for fault rule field "{key}": {value!r}.')
    if "method" not in raw:
        raise invalid_argument('A fault rule needs "method".')
    if raw.get("kind", "status") not in FAULT_KINDS:
        raise invalid_argument(
            f'Unknown fault kind "{raw["kind"]}"; known: {", ".join(FAULT_KINDS)}.'
        )
    if not any(fnmatch.fnmatchcase(name, raw["method"]) for name in known):
        raise invalid_argument(
            f'Unknown method "{raw["method"]}": no method of this emulator matches.'
        )
    return FaultRule(**raw)


def admin_routes(emu: Admin) -> list[Route]:
    """The admin API's route table."""
    handlers = _Handlers(emu)
    table: list[tuple[str, str, Callable[[Request], Response], str]] = [
        ("GET", "/_emulator/info", handlers.info, "admin.info"),
        ("POST", "/_emulator/token", handlers.token, "admin.token"),
        ("GET", "/_emulator/state", handlers.state, "admin.state"),
        ("POST", "/_emulator/reset", handlers.reset, "admin.reset"),
        ("GET", "/_emulator/faults", handlers.faults, "admin.faults"),
        ("POST", "/_emulator/faults", handlers.faults, "admin.faults"),
        ("GET", "/_emulator/requests", handlers.log, "admin.requests"),
    ]
    # The admin API persists nothing by itself (reset persists on its own).
    return [route(m, rule, h, name, auth=False, mutating=False) for m, rule, h, name in table]


class _Handlers:
    def __init__(self, emu: Admin) -> None:
        self.emu = emu

    def state(self, req: Request) -> Response:
        return Response(body=self.emu.backend.dump())

    def reset(self, req: Request) -> Response:
        self.emu.reset()
        return Response(body={"reset": True})

    def faults(self, req: Request) -> Response:
        faults = self.emu.backend.faults
        if req.method == "POST":
            rules = req.json().get("rules", [])
            if not isinstance(rules, list):
                raise invalid_argument('"rules" must be a list of fault rules.')
            seed = req.json().get("seed")
            if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
                raise invalid_argument('"seed" must be an integer.')
            known = self.emu.method_names()
            faults.set_rules([parse_rule(r, known) for r in rules], seed=seed)
        return Response(body={"rules": [asdict(r) for r in faults.rules]})

    def log(self, req: Request) -> Response:
        return Response(body={"requests": [asdict(e) for e in self.emu.backend.log]})

    def info(self, req: Request) -> Response:
        http, grpc = self.emu.endpoint_urls()
        config = self.emu.config
        return Response(
            body={"http": http, "grpc": grpc, "project": config.project, "applier": config.applier}
        )

    def token(self, req: Request) -> Response:
        # Loopback-only test credentials for `--endpoint`; kept in memory, never written out.
        principal = str(req.json().get("principal") or self.emu.config.applier)
        return Response(body={"token": self.emu.issue_token(principal), "principal": principal})
