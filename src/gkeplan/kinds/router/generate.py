"""router for `import --generate`: the project's Cloud Routers in every region, each with its
Cloud NAT gateway."""

from __future__ import annotations

from gkeplan.kinds import generating as gen
from gkeplan.kinds.network import COMPUTE_API, network_id
from gkeplan.kinds.router import Router

DRIVER = "gkeplan.kinds.router.driver:RouterDriver"


class RouterGenerator(gen.Regional, gen.ListsAll):
    driver = DRIVER
    kind = "router"
    reads: tuple[str, ...] = ("network",)
    holds: tuple[str, ...] = ()
    apis: tuple[str, ...] = (COMPUTE_API,)

    def write(self, found: gen.Found, listing: gen.Listing) -> gen.Written:
        a = found.attributes
        if len(a["nats"]) > 1:
            return gen.LeftOut(
                self.kind,
                found.id,
                f"it has {len(a['nats'])} Cloud NAT gateways; a gkeplan router holds one",
                managed=False,
            )
        nat = dict(a["nats"][0]) if a["nats"] else None
        if nat is not None and nat.get("logConfig") is None:
            nat.pop("logConfig", None)
        value = gen.expressed(
            self.kind,
            found.id,
            Router,
            {
                "network": listing.ref(
                    "network", network_id(listing.project, a["network"]), a["network"]
                ),
                "region": listing.region_of_spec(a["region"]),
                "nat": nat,
                "description": a["description"],
            },
        )
        if isinstance(value, gen.LeftOut):
            return value
        if nat is not None:
            # the gateway's options are written out even where they are gkeplan's defaults:
            # they say what the NAT does
            value["nat"] = {
                k: v for k, v in {**nat, **value.get("nat", {})}.items() if v is not None
            }
        return gen.keyed(
            listing, found, "routers", value, a["name"], f"{a['name']}-{a['region']}", named=True
        )


GENERATOR = RouterGenerator()
