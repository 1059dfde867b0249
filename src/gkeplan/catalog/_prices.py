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
