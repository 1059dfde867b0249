"""The monthly cost of Cloud NAT (`Kind.cost`): each router's NAT gateway, priced per hour by
the VM instances using it (policy parameter `natVms`, 1 unless set; Google caps the rate at
32), and its data processing at an assumed volume (`natGib`, 10 GiB a month unless set)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gkeplan.catalog import PriceTable
from gkeplan.kinds.router import routers
from gkeplan.policy.cost import HOURS_PER_MONTH, CostEstimate, CostLine
from gkeplan.spec.base import Document


class NatCost:
    kinds = ("router",)

    def price(
        self, spec: Document, prices: PriceTable, params: Mapping[str, Any], est: CostEstimate
    ) -> None:
        vms = int(params.get("natVms", 1))
        gib = float(params.get("natGib", 10))
        for name, router in routers(spec).items():
            if router.nat is None:
                continue  # a router alone is free: only its NAT gateway is billed
            hour = prices.nat_gateway_hour(vms)
            gateway = hour * HOURS_PER_MONTH
            est.lines.append(
                CostLine(
                    f"NAT {router.nat.name}: gateway, {vms} VM(s) assumed",
                    gateway,
                    gateway,
                    f"${hour:g}/hour",
                    f"router.{name}",
                )
            )
            per_gib = prices.nat_data_gib()
            est.lines.append(
                CostLine(
                    f"NAT {router.nat.name}: data processed, {gib:g} GiB assumed",
                    per_gib * gib,
                    per_gib * gib,
                    f"${per_gib}/GiB",
                    f"router.{name}",
                )
            )

    def as_it_is(self, spec: Document, before: Mapping[str, Mapping[str, Any]]) -> Document:
        return spec  # the gateway's price does not depend on what can change in place


PRICED = NatCost()
