"""Show a plan to a person (colour, symbols, field-level before/after) or to a machine (JSON)."""

from __future__ import annotations

import json
from typing import Any

import click

from gkeplan.plan.model import Action, Change, Plan

_COLOURS = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.REPLACE: "magenta",
    Action.DELETE: "red",
    Action.NOOP: None,
}
_VERBS = {
    Action.CREATE: "will be created",
    Action.UPDATE: "will be updated in place",
    Action.REPLACE: "must be replaced",
    Action.DELETE: "will be destroyed",
    Action.NOOP: "is unchanged",
}


def _value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    return json.dumps(value, sort_keys=True, separators=(", ", ": "))


def _change_lines(change: Change) -> list[str]:
    colour = _COLOURS[change.action]
    sym = change.action.symbol
    head = f"{sym} {change.address} {_VERBS[change.action]}"
    if change.drift:
        head += " (drift: changed outside gkeplan)"
    lines = [click.style(head, fg=colour, bold=True)]
    if change.reason:
        lines.append(f"    # {change.reason}")
    if change.action is Action.CREATE:
        for name, value in sorted((change.after or {}).items()):
            if value is not None:
                lines.append(click.style(f"    + {name} = {_value(value)}", fg=colour))
    elif change.action is Action.DELETE:
        lines.append(click.style(f"    - id = {_value(change.id)}", fg=colour))
    else:
        for f in change.fields:
            mark = "  # forces replacement" if f.forces_replacement else ""
            lines.append(
                click.style(
                    f"    ~ {f.name}: {_value(f.before)} -> {_value(f.after)}{mark}", fg=colour
                )
            )
    return lines


def render_text(plan: Plan) -> str:
    lines: list[str] = []
    for change in plan.changes:
        if change.action is Action.NOOP:
            if change.reason:
                lines.append(f"  {change.address}: {change.reason}")
            continue
        lines.extend(_change_lines(change))
        lines.append("")
    lines.append(click.style(plan.summary(), bold=True))
    return "\n".join(lines)


def render_json(plan: Plan) -> str:
    return json.dumps(plan.to_dict(), indent=2, default=str)
