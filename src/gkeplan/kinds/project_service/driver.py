"""Project services through Service Usage v1's client (REST): batchGet to read, enable and
disable as long-running operations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from google.api_core import exceptions as gexc

from gkeplan.gcp.retry import call
from gkeplan.kinds.driver import Attributes, CallContext, Wanted
from gkeplan.plan.model import Change

# services.batchGet: "A single request can get a maximum of 30 services at a time." (Service
# Usage API v1 reference, BatchGetServicesRequest.names)
BATCH = 30


def _attributes(service: object) -> Attributes | None:
    """An ENABLED service as the kind's desired state has it; a disabled one is absent."""
    state = getattr(getattr(service, "state", None), "name", "")
    if state != "ENABLED":
        return None
    name = str(getattr(service, "name", "")).rsplit("/", 1)[-1]
    return {"name": name, "state": "ENABLED"}


def _service_name(project: str, change_id: str) -> str:
    return f"projects/{project}/services/{change_id.rsplit('/', 1)[-1]}"


class ProjectServiceDriver:
    kind = "projectService"

    def read_all(self, ctx: CallContext, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
        names = sorted({w.id.rsplit("/", 1)[-1] for w in wanted})
        client = ctx.conn.service_usage()
        parent = f"projects/{ctx.project}"
        out: dict[str, Attributes] = {}
        for i in range(0, len(names), BATCH):
            response = self._batch(ctx, client, parent, names[i : i + BATCH])
            ctx.count()
            for service in response.services:
                attrs = _attributes(service)
                if attrs is not None:
                    out[f"{parent}/services/{attrs['name']}"] = attrs
        return out

    @staticmethod
    def _batch(ctx: CallContext, client: Any, parent: str, names: list[str]) -> Any:
        request = {"parent": parent, "names": [f"{parent}/services/{n}" for n in names]}
        return call(ctx.conn.timeouts, lambda: client.batch_get_services(request=request))

    def read(self, ctx: CallContext, change: Change) -> Attributes | None:
        client = ctx.conn.service_usage()
        name = _service_name(ctx.project, change.id)
        try:
            got = call(ctx.conn.timeouts, lambda: client.get_service(request={"name": name}))
        except gexc.NotFound:
            return None
        return _attributes(got)

    def create(self, ctx: CallContext, change: Change) -> Attributes:
        client = ctx.conn.service_usage()
        name = _service_name(ctx.project, change.id)
        operation = call(ctx.conn.timeouts, lambda: client.enable_service(request={"name": name}))
        operation.result(timeout=ctx.conn.timeouts.operation_deadline_s)
        return dict(change.after or {})

    def update(self, ctx: CallContext, change: Change) -> Attributes:
        return self.create(ctx, change)  # the one field is its state: enable it

    def delete(self, ctx: CallContext, change: Change) -> None:
        client = ctx.conn.service_usage()
        request = {
            "name": _service_name(ctx.project, change.id),
            "disable_dependent_services": bool(change.inputs.get("disableDependentServices")),
        }
        operation = call(ctx.conn.timeouts, lambda: client.disable_service(request=request))
        operation.result(timeout=ctx.conn.timeouts.operation_deadline_s)
