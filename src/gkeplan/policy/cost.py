"""Monthly cost estimate at minimum and maximum scale, from gkeplan's price table: each kind
prices its own resources (`Kind.cost`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from gkeplan import catalog
from gkeplan.catalog import PriceTable
from gkeplan.errors import Severity
from gkeplan.kinds import KINDS
from gkeplan.kinds.base import imported
from gkeplan.policy.model import Finding, Rule, RuleContext
from gkeplan.spec.base import Document

HOURS_PER_MONTH = 730.0


@dataclass
class CostLine:
    item: str
    min_usd: float
    max_usd: float
    note: str = ""
    address: str = ""  # the resource the line prices (graph address), for per-change deltas


@dataclass
class CostEstimate:
    lines: list[CostLine] = field(default_factory=list)
    source: str = ""
    unpriced: list[str] = field(default_factory=list)  # items the price table has no price for

    def add(
        self,
        item: str,
        unit: float | None,
        low: float,
        high: float,
        per_month: float,
        address: str = "",
        note: str = "",
    ) -> None:
        """A line priced at `unit` x `per_month` per unit; an unknown price is listed, not $0."""
        if unit is None:
            self.unpriced.append(item)
            note = "not in the price table: not counted"
            self.lines.append(CostLine(item, 0.0, 0.0, note, address))
            return
        self.lines.append(
            CostLine(item, low * unit * per_month, high * unit * per_month, note, address)
        )

    @property
    def min_usd(self) -> float:
        return sum(line.min_usd for line in self.lines)

    @property
    def max_usd(self) -> float:
        return sum(line.max_usd for line in self.lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "currency": "USD",
            "period": "month",
            "min": round(self.min_usd, 2),
            "max": round(self.max_usd, 2),
            "lines": [
                {"item": ln.item, "min": round(ln.min_usd, 2), "max": round(ln.max_usd, 2)}
                | ({"note": ln.note} if ln.note else {})
                for ln in self.lines
            ],
            "prices": self.source,
        }

    def render(self) -> str:
        rows = [
            f"  {ln.item:<58} ${ln.min_usd:>9.2f} .. ${ln.max_usd:>9.2f}  {ln.note}".rstrip()
            for ln in self.lines
        ]
        total = f"  {'total per month':<58} ${self.min_usd:>9.2f} .. ${self.max_usd:>9.2f}"
        if self.unpriced:
            total += f"  + {len(self.unpriced)} unpriced item(s)"
        return "\n".join(
            ["Estimated monthly cost (min .. max scale):", *rows, total, f"  prices: {self.source}"]
        )


class Priced(Protocol):
    """What a kind declares of its cost (`Kind.cost`)."""

    # the kinds whose resources it prices (a cluster's declaration prices its node pools too):
    # what a plan destroys of them is counted in its cost delta
    kinds: tuple[str, ...]

    def price(
        self, spec: Document, prices: PriceTable, params: Mapping[str, Any], est: CostEstimate
    ) -> None:
        """Add a line per priced item of the kind's resources (an unknown price is listed)."""

    def as_it_is(self, spec: Document, before: Mapping[str, Mapping[str, Any]]) -> Document:
        """The spec with the kind's resources that `before` (address: attributes now) holds
        put back as they are: the "now" side of a plan's cost delta."""


@cache
def priced() -> tuple[Priced, ...]:
    """Each kind's cost declaration, in registry order."""
    return tuple(imported(k.cost) for k in KINDS if k.cost)


def estimate(ctx: RuleContext) -> CostEstimate:
    prices = catalog.prices()
    est = CostEstimate(source=f"{prices.source}, {prices.date}")
    for kind in priced():
        kind.price(ctx.spec, prices, ctx.params, est)
    return est


class BudgetRule(Rule):
    id = "FT002"
    title = "The estimated monthly cost at maximum scale stays within maxMonthlyUsd"
    rationale = "A budget set in the spec is checked before anything is created."
    severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        budget = ctx.params.get("maxMonthlyUsd")
        if budget is None:
            return
        est = estimate(ctx)
        if est.unpriced and est.max_usd <= float(budget):
            yield self.finding(
                ctx,
                "project",
                ("policy",),
                f"maxMonthlyUsd ${float(budget):.2f} is checked without "
                f"{', '.join(est.unpriced)}: gkeplan's price table ({est.source}) has no "
                "price for them",
                "check their price on cloud.google.com/compute/all-pricing",
                Severity.WARNING,
            )
        if est.max_usd > float(budget):
            worst = max(est.lines, key=lambda ln: ln.max_usd)
            yield self.finding(
                ctx,
                "project",
                ("policy",),
                f"at maximum scale this spec costs ${est.max_usd:.2f} a month, "
                f"over maxMonthlyUsd ${float(budget):.2f}; the largest item is "
                f"{worst.item} (${worst.max_usd:.2f})",
                "fewer or smaller nodes, spot: true, or raise maxMonthlyUsd",
            )
