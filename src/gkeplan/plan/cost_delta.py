"""The monthly cost a plan leads to, and its difference from what runs now.

After the plan: the estimate of the spec. Now: the same lines priced as the resources are
today: nothing for what the plan creates, and a node pool the plan changes priced with its
current machine type, disk and autoscaling (from the plan's `before`). What the plan
destroys is not in the spec and cannot be priced from it; it is counted, not priced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gkeplan.plan.model import Action, Plan
from gkeplan.policy.cost import CostEstimate, CostLine, estimate, priced
from gkeplan.policy.model import RuleContext


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


def _spec_as_it_is(ctx: RuleContext, plan: Plan) -> Any:
    """The spec with each resource the plan changes in place put back as it is now (each kind
    says how: `Kind.cost`)."""
    before = {
        c.address: c.before
        for c in plan.changes
        if c.action in (Action.UPDATE, Action.REPLACE) and c.before
    }
    spec = ctx.spec
    if before:
        for kind in priced():
            spec = kind.as_it_is(spec, before)
    return spec


def cost_delta(ctx: RuleContext, plan: Plan) -> CostDelta:
    after = estimate(ctx)
    actions = {c.address: c.action for c in plan.changes}
    # Same spec shape, so the same lines in the same order.
    as_is = estimate(RuleContext(_spec_as_it_is(ctx, plan), ctx.graph, ctx.params))
    now = CostEstimate(source=after.source)
    for line, was in zip(after.lines, as_is.lines, strict=True):
        if actions.get(line.address) is Action.CREATE:
            continue  # does not exist yet
        now.lines.append(CostLine(was.item, was.min_usd, was.max_usd, was.note, was.address))
    # what the plan destroys is not in the spec: counted when its kind is one that costs
    costing = {name for kind in priced() for name in kind.kinds}
    deletes = sum(c.action is Action.DELETE and c.kind in costing for c in plan.changes)
    return CostDelta(after, now, deletes)
