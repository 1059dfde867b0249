"""The project's own Compute Engine quotas: limit and current usage, per region and global.

Read with google-cloud-compute: `regions.get` carries each region's quotas and `projects.get`
the global ones (CPUS_ALL_REGIONS, GPUS_ALL_REGIONS), each with `limit` and `usage`
(Compute Engine API v1, Region.quotas / Project.quotas).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gkeplan.gcp import retry
from gkeplan.gcp.connection import Connection

GLOBAL = ""  # the region key of project-wide quotas


@dataclass(frozen=True)
class Quota:
    limit: float
    usage: float

    @property
    def headroom(self) -> float:
        return max(self.limit - self.usage, 0.0)


LiveQuotas = dict[tuple[str, str], Quota]  # (region or GLOBAL, metric) -> quota


def _quotas(items: Iterable[object]) -> dict[str, Quota]:
    out: dict[str, Quota] = {}
    for q in items:
        metric = str(getattr(q, "metric", ""))
        if metric:
            out[metric] = Quota(float(getattr(q, "limit", 0.0)), float(getattr(q, "usage", 0.0)))
    return out


def read(conn: Connection, regions: Iterable[str]) -> LiveQuotas:
    """Every quota of `regions` and of the project, as GCP reports them now."""
    live: LiveQuotas = {}
    project = retry.call(conn.timeouts, lambda: conn.compute_projects().get(project=conn.project))
    for metric, quota in _quotas(project.quotas).items():
        live[(GLOBAL, metric)] = quota
    for region in sorted(set(regions)):
        got = retry.call(
            conn.timeouts,
            lambda region=region: conn.regions().get(project=conn.project, region=region),  # type: ignore[misc]
        )
        for metric, quota in _quotas(got.quotas).items():
            live[(region, metric)] = quota
    return live
