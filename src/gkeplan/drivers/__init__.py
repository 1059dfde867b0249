"""Drivers by resource kind. Import this package only on paths that call GCP."""

from __future__ import annotations

from gkeplan.drivers.base import Context, Driver, Wanted
from gkeplan.drivers.bucket import BucketDriver
from gkeplan.drivers.cluster import ClusterDriver
from gkeplan.drivers.iam_policy import IamMemberDriver
from gkeplan.drivers.node_pool import NodePoolDriver
from gkeplan.drivers.service_account import ServiceAccountDriver


def drivers() -> dict[str, Driver]:
    """A fresh driver per kind for one run (the IAM driver holds per-run write queues)."""
    return {
        d.kind: d
        for d in (
            ServiceAccountDriver(),
            IamMemberDriver(),
            BucketDriver(),
            ClusterDriver(),
            NodePoolDriver(),
        )
    }


__all__ = ["Context", "Driver", "Wanted", "drivers"]
