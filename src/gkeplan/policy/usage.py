"""Quota usage: what each resource takes of the project's quotas, at three moments.

- create: what GCP checks when the resource is made (GKE: a pool's initial nodes x zones).
- scale: at its autoscaling maximum; over quota, the autoscaler stalls later and reports it in
  its visibility events (GKE cluster-autoscaler-visibility doc); the apply works.
- surge: plus an upgrade's surge nodes. "All nodes that GKE creates, including nodes used for
  upgrades, are subject to the resource quota" (GKE "Ensure resources for node upgrades").

Each kind that uses quota declares it (`Kind.usage`, "module:NAME" of a function from the spec
to its `Load`s and `Note`s); FT001 and the live-quota preflight read them all from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal, Protocol

from gkeplan.errors import Path
from gkeplan.kinds import KINDS
from gkeplan.kinds.base import imported
from gkeplan.spec.base import Document

Moment = Literal["create", "scale", "surge"]
MOMENTS: tuple[Moment, ...] = ("create", "scale", "surge")
Scope = Literal["regional", "global"]

# "Each local SSD is 375 GB in size" (container v1 EphemeralStorageLocalSsdConfig.localSsdCount,
# Google's client reference); they count in LOCAL_SSD_TOTAL_GB.
LOCAL_SSD_GB = 375
LOCAL_SSD_METRIC = "LOCAL_SSD_TOTAL_GB"

_UNITS = {
    "SSD_TOTAL_GB": "GB of SSD-backed disk",
    "DISKS_TOTAL_GB": "GB of standard disk",
    "HYPERDISK_BALANCED_TOTAL_GB": "GB of Hyperdisk Balanced",
    "IN_USE_ADDRESSES": "external IPs (public nodes)",
    LOCAL_SSD_METRIC: "GB of local SSD",
}


def unit(metric: str) -> str:
    """What one unit of a Compute Engine quota metric is, in words."""
    if metric in _UNITS:
        return _UNITS[metric]
    if metric.endswith("_GPUS") or metric == "GPUS_ALL_REGIONS":
        return "GPUs"
    if metric in ("CPUS", "CPUS_ALL_REGIONS"):
        return "vCPUs"
    return f"{metric.removesuffix('_CPUS')} vCPUs"


class Load(Protocol):
    """One resource's use of quota: per metric, per region (`regional_use`) and across regions
    (`global_use`), with the arithmetic in words and the changes that would make it fit."""

    @property
    def address(self) -> str: ...  # the graph address findings name

    @property
    def created_by(self) -> tuple[str, ...]: ...  # the addresses whose create makes it

    @property
    def path(self) -> Path: ...  # where the spec writes it

    @property
    def region(self) -> str: ...

    @property
    def regional_use(self) -> dict[str, float]: ...  # per metric in its region

    @property
    def global_use(self) -> dict[str, float]: ...  # per metric across regions

    def total(self, metric: str, scope: Scope, moment: Moment) -> float: ...

    def explain(self, metric: str, scope: Scope, moment: Moment) -> str: ...

    def fixes(self, metric: str, scope: Scope, moment: Moment, over: float) -> list[str]: ...


@dataclass(frozen=True)
class Note:
    """A resource FT001 does not count, and why (an Autopilot cluster has no pools)."""

    address: str
    path: Path
    message: str


@cache
def _usages() -> tuple[str, ...]:
    return tuple(k.usage for k in KINDS if k.usage)


def usage(spec: Document) -> list[Load | Note]:
    """Every kind's loads and notes, computed once per spec."""

    def compute() -> list[Load | Note]:
        return [item for path in _usages() for item in imported(path)(spec)]

    return spec.memo("policy.usage", compute)


def loads(spec: Document) -> list[Load]:
    return [item for item in usage(spec) if not isinstance(item, Note)]


def notes(spec: Document) -> Iterable[Note]:
    return (item for item in usage(spec) if isinstance(item, Note))
