"""What every Compute Engine kind's driver does the same way: read one resource (absent on
404), read them all in one or two list calls, create and delete through the operation the write
answers with. A kind's driver says only which calls to make and how to read an item."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from google.api_core import exceptions as gexc

from gkeplan.gcp import compute
from gkeplan.gcp.retry import call
from gkeplan.kinds.driver import Attributes, CallContext, Wanted
from gkeplan.plan.model import Change


class ComputeDriver:
    """A Compute Engine collection's driver. Subclasses name the collection and the list call,
    and give the attributes of an item and the body of a create; `update` is each kind's own
    (Compute Engine's update calls differ per collection)."""

    kind: str
    collection: str  # the URL's collection and its client: networks, routers, addresses
    # the generated client's keyword for one item: get(project, [region,] network=NAME),
    # insert(project, [region,] network_resource=BODY), delete(project, [region,] network=NAME)
    singular: str
    regional = False  # its items live in regions (listed across them by aggregatedList)

    def client(self, ctx: CallContext, region: str | None) -> Any:
        """The client of the collection (a kind with global and regional collections, such
        as addresses and globalAddresses, picks by `region`)."""
        return ctx.conn.compute(self.collection)

    def scope(self, ctx: CallContext, region: str | None) -> dict[str, str]:
        """The calls' project (and region) arguments."""
        return {"project": ctx.project, **({"region": region} if region else {})}

    def fetch(self, ctx: CallContext, region: str | None, name: str) -> Any:
        return self.client(ctx, region).get(**self.scope(ctx, region), **{self.singular: name})

    def insert(self, ctx: CallContext, region: str | None, body: Any) -> Any:
        return self.client(ctx, region).insert(
            **self.scope(ctx, region), **{f"{self.singular}_resource": body}
        )

    def remove(self, ctx: CallContext, region: str | None, name: str) -> Any:
        return self.client(ctx, region).delete(**self.scope(ctx, region), **{self.singular: name})

    # -- what a subclass gives ---------------------------------------------------------------------
    def attributes(self, item: Any) -> Attributes:
        raise NotImplementedError

    def listing(self, ctx: CallContext) -> list[Any]:
        """Every item of the collection in the project (counting each list call made): one
        list call of a global collection, one aggregatedList of a regional one (`regional`)."""
        client = self.client(ctx, None)
        if self.regional:
            return regional_listing(ctx, client, self.collection)
        return global_listing(ctx, client)

    def body(self, ctx: CallContext, after: Attributes) -> Any:
        raise NotImplementedError

    def region_of(self, attributes: Attributes) -> str | None:
        """The region an item lives in (None: global), from its attributes."""
        region = attributes.get("region")
        return str(region) if region else None

    # -- the shared part ---------------------------------------------------------------------------
    def resource_id(self, project: str, attributes: Attributes) -> str:
        region = self.region_of(attributes)
        scope = f"regions/{region}" if region else "global"
        return f"projects/{project}/{scope}/{self.collection}/{attributes['name']}"

    def read_all(self, ctx: CallContext, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
        if not list(wanted):
            return {}
        out = {}
        for item in self.listing(ctx):
            attrs = self.attributes(item)
            out[self.resource_id(ctx.project, attrs)] = attrs
        return out

    def get(self, ctx: CallContext, change: Change) -> Any:
        """The resource of `change` as GCP answers it (NotFound when it is gone)."""
        region, name = compute.where(change.id)
        return call(ctx.conn.timeouts, lambda: self.fetch(ctx, region, name))

    def read(self, ctx: CallContext, change: Change) -> Attributes | None:
        try:
            return self.attributes(self.get(ctx, change))
        except gexc.NotFound:
            return None

    def create(self, ctx: CallContext, change: Change) -> Attributes:
        after = change.after or {}
        region, _ = compute.where(change.id)
        body = self.body(ctx, after)
        compute.mutate(
            ctx.conn,
            ctx.project,
            region,
            f"create {change.address}",
            lambda: self.insert(ctx, region, body),
        )
        return self.read(ctx, change) or after

    def send(self, ctx: CallContext, change: Change, what: str, request: Callable[[], Any]) -> None:
        """One update call of `change` (`what` names it in messages), waited for."""
        region, _ = compute.where(change.id)
        compute.mutate(ctx.conn, ctx.project, region, f"update {change.address}{what}", request)

    def delete(self, ctx: CallContext, change: Change) -> None:
        compute.delete(
            ctx.conn,
            ctx.project,
            change.id,
            f"delete {change.address}",
            lambda region, name: self.remove(ctx, region, name),
        )


def global_listing(ctx: CallContext, client: Any) -> list[Any]:
    """A global collection's items, one list call of its client."""
    ctx.count()
    return compute.listed(ctx.conn, lambda: client.list(project=ctx.project))


def regional_listing(ctx: CallContext, client: Any, field: str) -> list[Any]:
    """A regional collection's items across regions, one aggregatedList call of its client."""
    ctx.count()
    return compute.aggregated(ctx.conn, lambda: client.aggregated_list(project=ctx.project), field)
