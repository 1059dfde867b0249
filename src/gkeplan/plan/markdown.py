"""The pull-request comment: totals, a collapsible diff per resource, the cost and its change,
policy findings by severity, and a diagram of what the change touches (GitHub renders
Mermaid in comments). A refused plan gets a comment too: the findings that refused it."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from functools import partial
from typing import Any

from gkeplan.errors import Diagnostic
from gkeplan.graph.render import mermaid_ids, mermaid_text
from gkeplan.plan.cost_delta import CostDelta
from gkeplan.plan.model import Action, Change, Plan
from gkeplan.plan.render import masked
from gkeplan.redact import safe

# Markdown is HTML here: escape what would open a tag; quotes stay readable in the source.
_escape = partial(html.escape, quote=False)

_VERBS = {
    Action.CREATE: "will be created",
    Action.UPDATE: "will be updated in place",
    Action.REPLACE: "must be replaced",
    Action.DELETE: "will be destroyed",
    Action.FORGET: "will no longer be managed by gkeplan (it stays in GCP)",
    Action.NOOP: "is unchanged",
    Action.ADOPT: "will be adopted (it exists outside gkeplan)",
}
# Mermaid classDef styles per action (the plan's text colours: green, yellow, magenta, red).
_STYLES = {
    Action.CREATE: "fill:#d4f8d4,stroke:#1a7f37",
    Action.UPDATE: "fill:#fff3c4,stroke:#9a6700",
    Action.REPLACE: "fill:#f6d6f6,stroke:#8250df",
    Action.DELETE: "fill:#ffd8d3,stroke:#cf222e",
    Action.FORGET: "fill:#ddf4ff,stroke:#0969da",
    Action.NOOP: "fill:#f0f0f0,stroke:#8c959f",
    Action.ADOPT: "fill:#ddf4ff,stroke:#0969da",
}
_SEVERITIES = (("error", "Errors"), ("warning", "Warnings"), ("info", "Notes"))


def _value(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _fence(body: str, lang: str) -> list[str]:
    """A code fence longer than any run of backticks in the body, so no value can end it."""
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{lang}", body, fence]


def _diff(change: Change) -> str:
    lines: list[str] = []
    if change.action is Action.CREATE:
        for name, value in sorted((change.after or {}).items()):
            if value is not None:
                lines.append(f"+ {name} = {_value(value)}")
    elif change.action is Action.DELETE:
        lines.append(f"- id = {_value(change.id)}")
        for name, value in sorted((change.before or {}).items()):
            if value is not None and not name.startswith("_"):
                lines.append(f"- {name} = {_value(value)}")
    else:
        for f in change.fields:
            mark = "  # forces replacement" if f.forces_replacement else ""
            lines.append(f"- {f.name} = {_value(f.before)}{mark}")
            lines.append(f"+ {f.name} = {_value(f.after)}")
    return "\n".join(lines) or "  (no field-level changes)"


def _resource(change: Change) -> list[str]:
    head = f"<code>{change.action.symbol} {_escape(change.address)}</code> "
    head += _VERBS[change.action] + (" (drift: changed outside gkeplan)" if change.drift else "")
    if change.moved_from is not None:
        head += f", moved from <code>{_escape(change.moved_from)}</code>"
    if change.refused is not None:
        head = f"<code>! {_escape(change.address)}</code> is refused"
    out = ["<details>", f"<summary>{head}</summary>", ""]
    if change.reason:
        out += [f"_{_escape(change.reason)}_", ""]
    if change.refused is not None:
        out += [f"**{_escape(change.refused)}**", ""]
    return [*out, *_fence(_diff(change), "diff"), "", "</details>"]


def _money(x: float) -> str:
    return f"${x:,.2f}"


def _signed(x: float) -> str:
    return ("+" if x >= 0 else "-") + _money(abs(x))


def _cost(cost: CostDelta) -> list[str]:
    out = [
        "#### Monthly cost (USD)",
        "",
        "| | at minimum scale | at maximum scale |",
        "|---|---:|---:|",
        f"| now | {_money(cost.now.min_usd)} | {_money(cost.now.max_usd)} |",
        f"| after this plan | {_money(cost.after.min_usd)} | {_money(cost.after.max_usd)} |",
        f"| **change** | **{_signed(cost.delta_min)}** | **{_signed(cost.delta_max)}** |",
        "",
        f"Prices: {_escape(cost.after.source)}.",
    ]
    if cost.unpriced_deletes:
        out[-1] += (
            f" {cost.unpriced_deletes} resource(s) to destroy are not priced "
            "(they are no longer in the spec)."
        )
    return [*out, ""]


def findings_by_severity(
    findings: Sequence[Any], diagnostics: Sequence[Diagnostic] = ()
) -> list[str]:
    out: list[str] = []
    for severity, title in _SEVERITIES:
        items = [
            f"- `{_escape(d.location.file if d.location else '')}"
            f"{':' + str(d.location.line) if d.location else ''}` {_escape(d.message)}"
            for d in diagnostics
            if d.severity.value == severity
        ]
        for f in findings:
            if f.severity.value != severity:
                continue
            where = f" (line {f.location.line})" if getattr(f, "location", None) else ""
            waived = f" — waived: {_escape(f.waiver or '')}" if f.waived else ""
            items.append(
                f"- **{f.rule}** `{_escape(f.resource)}`{where}: {_escape(f.message)}{waived}"
            )
        if not items:
            continue
        if severity == "info":
            out += [
                f"<details><summary>{title} ({len(items)})</summary>",
                "",
                *items,
                "",
                "</details>",
                "",
            ]
        else:
            out += [f"#### {title} ({len(items)})", "", *items, ""]
    return out


def _diagram(plan: Plan) -> list[str]:
    """The changed resources and what they depend on, coloured by action."""
    pending = plan.pending
    by_address = {c.address: c for c in plan.changes}
    shown = {c.address for c in pending}
    for c in pending:
        shown.update(d for d in c.dependencies)
    ids = mermaid_ids(shown)
    lines = ["flowchart LR"]
    for address in sorted(shown):
        known = by_address.get(address)
        action = known.action if known else Action.NOOP
        lines.append(f"  {ids[address]}[{mermaid_text(address)}]:::{action.name.lower()}")
    for c in sorted(pending, key=lambda c: c.address):
        for dep in sorted(c.dependencies):
            lines.append(f"  {ids[dep]} --> {ids[c.address]}")
    lines += [f"  classDef {a.name.lower()} {style}" for a, style in _STYLES.items()]
    return [
        "<details><summary>What this change touches (diagram)</summary>",
        "",
        *_fence("\n".join(lines), "mermaid"),
        "",
        "</details>",
    ]


def render_markdown(plan: Plan, findings: Sequence[Any] = (), cost: CostDelta | None = None) -> str:
    n = plan.counts()
    if plan.has_changes:
        title = f"{n['add']} to add, {n['change']} to change, {n['destroy']} to destroy"
        title += "".join(f", {n[k]} to {k}" for k in ("move", "forget") if n[k])
        if n["refused"]:
            title += f"; {n['refused']} refused: apply changes nothing"
    else:
        title = "no changes"
    env = f" (environment `{_escape(plan.environment)}`)" if plan.environment else ""
    lines = [f"### gkeplan plan for `{_escape(plan.project)}`{env}: {title}", ""]
    if plan.consent_missing:
        flags = " ".join(f"`--allow-replace {_escape(a)}`" for a in plan.consent_missing)
        lines += [f"**Apply needs {flags}**: the replacement deletes everything it holds.", ""]
    if plan.allow_replace:
        given = " ".join(f"`--allow-replace {_escape(a)}`" for a in plan.allow_replace)
        lines += [f"Consent given with this plan: {given}.", ""]
    if cost is not None:
        lines += [
            f"Monthly cost: {_money(cost.after.min_usd)} .. {_money(cost.after.max_usd)} "
            f"({_signed(cost.delta_min)} .. {_signed(cost.delta_max)} from now)",
            "",
        ]
    for change in plan.pending:
        lines += [*_resource(masked(change)), ""]
    if cost is not None:
        lines += _cost(cost)
    lines += findings_by_severity(findings)
    if plan.has_changes:
        lines += _diagram(plan)
    return safe("\n".join(lines).rstrip() + "\n")


def render_refused(
    spec_file: str, findings: Sequence[Any], diagnostics: Sequence[Diagnostic]
) -> str:
    """What the reviewer needs when nothing could be planned: why."""
    errors = sum(d.severity.value == "error" for d in diagnostics) + sum(
        f.severity.value == "error" and not f.waived for f in findings
    )
    lines = [
        f"### gkeplan plan for `{_escape(spec_file)}`: refused ({errors} error"
        f"{'s' if errors != 1 else ''}); nothing was planned",
        "",
        *findings_by_severity(findings, diagnostics),
    ]
    return safe("\n".join(lines).rstrip() + "\n")
