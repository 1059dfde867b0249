"""A small admin API for tests and `gkeplan sandbox serve`: dump, reset, faults.

Not a Google API: it lives under /_emulator/ and needs no token, like moto's /moto-api/.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from gkeplan_emulator.config import FaultRule
from gkeplan_emulator.http import Request, Response, Router

if TYPE_CHECKING:
    from gkeplan_emulator.runtime import Emulator


def register_admin(router: Router, emu: Emulator) -> None:
    def state(req: Request) -> Response:
        return Response(body=emu.backend.dump())

    def reset(req: Request) -> Response:
        emu.reset()
        return Response(body={"reset": True})

    def faults(req: Request) -> Response:
        if req.method == "POST":
            rules = [FaultRule(**r) for r in req.json().get("rules", [])]
            emu.backend.faults.set_rules(rules)
        return Response(body={"rules": [asdict(r) for r in emu.backend.faults.rules]})

    def log(req: Request) -> Response:
        return Response(body={"requests": [asdict(e) for e in emu.backend.log]})

    def info(req: Request) -> Response:
        return Response(
            body={
                "http": emu.endpoints.http,
                "grpc": emu.endpoints.grpc,
                "project": emu.config.project,
                "applier": emu.config.applier,
            }
        )

    def token(req: Request) -> Response:
        # Loopback-only test credentials for `--endpoint`; kept in memory, never written out.
        principal = req.json().get("principal") or emu.config.applier
        return Response(body={"token": emu.issue_token(str(principal)), "principal": principal})

    router.add("GET", "/_emulator/info", info, "admin.info", auth=False)
    router.add("POST", "/_emulator/token", token, "admin.token", auth=False, mutating=False)
    router.add("GET", "/_emulator/state", state, "admin.state", auth=False)
    router.add("POST", "/_emulator/reset", reset, "admin.reset", auth=False, mutating=False)
    router.add("GET", "/_emulator/faults", faults, "admin.faults", auth=False)
    router.add("POST", "/_emulator/faults", faults, "admin.faults", auth=False, mutating=False)
    router.add("GET", "/_emulator/requests", log, "admin.requests", auth=False)
