"""List prices for the cost estimate."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from gkeplan.catalog._data import load


@dataclass(frozen=True)
class PriceTable:
    source: str
    date: str
    currency: str
    gke_cluster_hour: float
    gke_free_tier_monthly_credit: float
    _data: dict[str, Any]

    def machine_hourly(self, region: str, machine: str, *, spot: bool) -> float | None:
        prices = self._data["machineHourly"].get(machine, {}).get(region)
        if not prices:
            return None
        value = prices[1] if spot else prices[0]
        return float(value) if value is not None else None

    def disk_gb_month(self, region: str, disk_type: str) -> float | None:
        value = self._data["diskGbMonth"].get(disk_type, {}).get(region)
        return float(value) if value is not None else None

    def gpu_hourly(self, region: str, gpu_type: str, *, spot: bool) -> float | None:
        """Attached GPUs (N1 + T4 ...); the snapshot prices GPUs only inside machine types."""
        prices = self._data.get("gpuHourly", {}).get(gpu_type, {}).get(region)
        if not prices:
            return None
        value = prices[1] if spot else prices[0]
        return float(value) if value is not None else None

    def storage_gb_month(self, region: str, storage_class: str) -> float | None:
        value = self._data["storageGbMonth"].get(storage_class, {}).get(region.lower())
        return float(value) if value is not None else None

    def nat_gateway_hour(self, vms: int) -> float:
        """A Cloud NAT gateway's hourly price for `vms` instances using it."""
        nat = self._data["natGateway"]
        return float(nat["maxHour"] if vms > nat["cappedVms"] else nat["vmHour"] * vms)

    def nat_data_gib(self) -> float:
        return float(self._data["natGateway"]["dataGib"])

    def artifact_storage_gb_month(self) -> tuple[float, float]:
        """Artifact Registry storage: the price per GB-month and the free GB per account."""
        ar = self._data["artifactRegistryStorage"]
        return float(ar["gbMonth"]), float(ar["freeGb"])


@cache
def prices() -> PriceTable:
    data = load("prices.json")
    return PriceTable(
        source=data["_source"],
        date=data["_date"],
        currency=data["currency"],
        gke_cluster_hour=data["gkeClusterHour"],
        gke_free_tier_monthly_credit=data["gkeFreeTierMonthlyCredit"],
        _data=data,
    )
