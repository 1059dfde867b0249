"""Baseline rules: one setting of one kind's resources, checked on every resource of that kind.

A kind's package declares its own rules (`Kind.rules`) with `baseline`; this module knows no
kind: it reads the nodes of the kind it is given from the graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from gkeplan.errors import Path, Severity
from gkeplan.policy.model import Finding, Rule, RuleContext

Check = Callable[[Any], bool]  # True: the resource is insecure


def nodes_of(ctx: RuleContext, kind: str) -> Iterable[tuple[str, Path, Any]]:
    """The spec's resources of `kind`, with the spec model each node carries."""

    def by_kind() -> dict[str, list[tuple[str, Path, Any]]]:
        out: dict[str, list[tuple[str, Path, Any]]] = {}
        for address in sorted(ctx.graph):
            node = ctx.graph.nodes[address]["node"]
            out.setdefault(node.kind, []).append((address, node.path, node.model))
        return out

    return ctx.spec.memo("policy.resources_by_kind", by_kind).get(kind, [])


def baseline(
    rule_id: str,
    kind: str,
    key: str,
    check: Check,
    message: str,
    fix: str,
    severity: Severity,
    checkov: str | None,
    title: str,
    rationale: str,
) -> type[Rule]:
    def run(self: Rule, ctx: RuleContext) -> Iterable[Finding]:
        for address, path, obj in nodes_of(ctx, kind):
            if check(obj):
                at = (*path, key) if key else path
                where = at if ctx.source and ctx.source.values.get(at) else path
                yield self.finding(ctx, address, where, message, fix)

    attrs = {
        "id": rule_id,
        "title": title,
        "rationale": rationale,
        "severity": severity,
        "checkov": checkov,
        "check": run,
    }
    return type(f"Baseline{rule_id}", (Rule,), attrs)


W, E, N = Severity.WARNING, Severity.ERROR, Severity.INFO
