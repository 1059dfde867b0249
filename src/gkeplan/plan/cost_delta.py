"""The monthly cost a plan leads to, and its difference from what runs now.

After the plan: the estimate of the spec. Now: the same lines priced as the resources are
today: nothing for what the plan creates, and a node pool the plan changes priced with its
current machine type, disk and autoscaling (from the plan's `before`). What the plan
destroys is not in the spec and cannot be priced from it; it is counted, not priced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gkeplan.kinds.gke.models import Autoscaling, clusters
from gkeplan.plan.model import Action, Plan
from gkeplan.policy.cost import CostEstimate, CostLine, estimate
from gkeplan.policy.model import Context


@dataclass
class CostDelta:
    after: CostEstimate
    now: CostEstimate
    unpriced_deletes: int

    @property
    def delta_min(self) -> float:
        return self.after.min_usd - self.now.min_usd

    @property
    def delta_max(self) -> float:
        return self.after.max_usd - self.now.max_usd


def _pool_as_it_is(pool: Any, before: dict[str, Any]) -> Any:
    auto = before.get("autoscaling") or {}
    return pool.model_copy(
        update={
            "machine_type": before.get("machineType", pool.machine_type),
            "disk_size_gb": before.get("diskSizeGb", pool.disk_size_gb),
            "disk_type": before.get("diskType", pool.disk_type),
            "spot": before.get("spot", pool.spot),
            "preemptible": before.get("preemptible", pool.preemptible),
            "autoscaling": Autoscaling(
                min_node_count=auto["minNodeCount"], max_node_count=auto["maxNodeCount"]
            )
            if auto.get("enabled")
            else None,
        }
    )


def _spec_as_it_is(ctx: Context, plan: Plan) -> Any:
    """The spec with each changed node pool put back as it is now."""
    changed = {
        c.address: c.before
        for c in plan.changes
        if c.kind == "nodePool" and c.action in (Action.UPDATE, Action.REPLACE) and c.before
    }
    if not changed:
        return ctx.spec
    new_clusters = {}
    for cname, cluster in clusters(ctx.spec).items():
        pools = {
            pname: _pool_as_it_is(pool, changed[f"nodePool.{cname}.{pname}"])
            if f"nodePool.{cname}.{pname}" in changed
            else pool
            for pname, pool in cluster.node_pools.items()
        }
        new_clusters[cname] = cluster.model_copy(update={"node_pools": pools})
    return ctx.spec.model_copy(update={"clusters": new_clusters})


def cost_delta(ctx: Context, plan: Plan) -> CostDelta:
    after = estimate(ctx)
    actions = {c.address: c.action for c in plan.changes}
    # Same spec shape, so the same lines in the same order.
    as_is = estimate(Context(_spec_as_it_is(ctx, plan), ctx.graph, ctx.params))
    now = CostEstimate(source=after.source)
    for line, was in zip(after.lines, as_is.lines, strict=True):
        if actions.get(line.address) is Action.CREATE:
            continue  # does not exist yet
        now.lines.append(CostLine(was.item, was.min_usd, was.max_usd, was.note, was.address))
    deletes = sum(
        c.action is Action.DELETE and c.kind in ("cluster", "nodePool", "bucket")
        for c in plan.changes
    )
    return CostDelta(after, now, deletes)
