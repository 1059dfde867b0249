"""Show a plan to a person (colour, symbols, field-level before/after) or to a machine (JSON)."""

from __future__ import annotations

import json
from typing import Any

import click

from gkeplan.commandline import CommandLine
from gkeplan.plan.model import Action, Change, FieldChange, Plan
from gkeplan.redact import SENSITIVE, mask, mask_fields, safe

_COLOURS = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.REPLACE: "magenta",
    Action.DELETE: "red",
    Action.FORGET: "cyan",
    Action.NOOP: None,
    Action.ADOPT: "cyan",
}
_VERBS = {
    Action.CREATE: "will be created",
    Action.UPDATE: "will be updated in place",
    Action.REPLACE: "must be replaced",
    Action.DELETE: "will be destroyed",
    Action.FORGET: "will no longer be managed by gkeplan (it stays in GCP)",
    Action.NOOP: "is unchanged",
    Action.ADOPT: "will be adopted (it exists outside gkeplan)",
}


def _value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    return json.dumps(value, sort_keys=True, separators=(", ", ": "))


def masked(change: Change) -> Change:
    """The change as it may be shown or saved: sensitive fields and values replaced."""
    hidden = set(change.sensitive)
    fields = [
        FieldChange(f.name, SENSITIVE, SENSITIVE, f.forces_replacement)
        if f.name in hidden
        else FieldChange(f.name, mask(f.before), mask(f.after), f.forces_replacement)
        for f in change.fields
    ]
    return Change(
        **{
            **change.__dict__,
            "id": mask(change.id),
            "before": None if change.before is None else mask_fields(change.before, hidden),
            "after": None if change.after is None else mask_fields(change.after, hidden),
            "inputs": mask(change.inputs),
            "fields": fields,
            "reason": mask(change.reason),
        }
    )


def _change_lines(change: Change) -> list[str]:
    change = masked(change)
    colour = _COLOURS[change.action]
    sym = change.action.symbol
    head = f"{sym} {change.address} {_VERBS[change.action]}"
    if change.moved_from is not None:
        head = f"{sym} {change.moved_from} has moved to {change.address}"
        if change.action is not Action.NOOP:
            head += f", and {_VERBS[change.action]}"
    if change.drift:
        head += " (drift: changed outside gkeplan)"
    if change.refused is not None:
        head = f"! {change.address} is refused"
        colour = "red"
    lines = [click.style(safe(head), fg=colour, bold=True)]
    if change.reason:
        lines.append(safe(f"    # {change.reason}"))
    if change.refused is not None:
        lines.append(click.style(safe(f"    {change.refused}"), fg="red"))
        return lines
    if change.action is Action.CREATE:
        for name, value in sorted((change.after or {}).items()):
            if value is not None:
                lines.append(click.style(safe(f"    + {name} = {_value(value)}"), fg=colour))
    elif change.action in (Action.DELETE, Action.FORGET):
        mark = "-" if change.action is Action.DELETE else "."
        lines.append(click.style(safe(f"    {mark} id = {_value(change.id)}"), fg=colour))
    else:
        for f in change.fields:
            mark = "  # forces replacement" if f.forces_replacement else ""
            text = f"    ~ {f.name}: {_value(f.before)} -> {_value(f.after)}{mark}"
            lines.append(click.style(safe(text), fg=colour))
    return lines


def render_text(
    plan: Plan,
    commands: CommandLine | None = None,
    saved_as: str | None = None,
    consent: bool = True,
) -> str:
    """`commands`: how the run was invoked, so the commands the plan names can be pasted
    (without it, the flags alone are named); `saved_as`: the file the plan is saved to
    (`plan --out`), for the apply command; `consent`: say what apply will need (an apply says
    it in its own refusal instead)."""
    lines: list[str] = []
    if plan.refresh_only:
        return "\n".join([*_refresh_lines(plan), click.style(plan.summary(), bold=True)])
    for change in plan.changes:
        if change.action is Action.NOOP and change.moved_from is None:
            if change.reason:
                lines.append(safe(f"  {change.address}: {change.reason}"))
            continue
        lines.extend(_change_lines(change))
        lines.append("")
    lines.append(click.style(plan.summary(), bold=True))
    if consent:
        lines.extend(consent_lines(plan, commands, saved_as))
    return "\n".join(lines)


def _refresh_lines(plan: Plan) -> list[str]:
    """Terraform's refresh-only plan: "Objects have changed outside of Terraform"."""
    if not plan.pending:
        return []
    lines = ["Objects have changed outside of gkeplan since the state was written:", ""]
    for change in plan.pending:
        change = masked(change)
        if change.after is None:
            lines.append(click.style(safe(f"- {change.address} has been deleted"), fg="red"))
            lines.append(safe(f"    - id = {_value(change.id)}"))
        else:
            head = f"~ {change.address} has changed"
            lines.append(click.style(safe(head), fg="yellow", bold=True))
            for f in change.fields:
                text = f"    ~ {f.name}: {_value(f.before)} -> {_value(f.after)}"
                lines.append(click.style(safe(text), fg="yellow"))
        lines.append("")
    lines.append(
        "This is a refresh-only plan: gkeplan will not undo these changes. Apply it to record "
        "the values in the state; the next plan then changes the cloud back to the spec."
    )
    lines.append("")
    return lines


def consent_lines(
    plan: Plan, commands: CommandLine | None = None, saved_as: str | None = None
) -> list[str]:
    """What the apply of this plan will need (--allow-replace), or the consent it carries."""
    out = []
    if plan.allow_replace:
        given = " ".join(f"--allow-replace {a}" for a in plan.allow_replace)
        out.append(safe(f"Consent given with this plan: {given}."))
    missing = plan.consent_missing
    if missing and not plan.refused:
        flags = tuple(w for a in missing for w in ("--allow-replace", a))
        saved = ("--plan", saved_as) if saved_as else ()
        text = f"Apply needs {' '.join(flags)}: the replacement deletes everything it holds."
        if commands is not None:
            how = commands.quoted("apply", extra=(*saved, *flags), targeted=not saved_as)
            text += f" To apply: {how}"
        out.append(click.style(safe(text), fg="yellow"))
    return out


def public_dict(plan: Plan) -> dict[str, Any]:
    """The plan as JSON output and saved plans hold it: sensitive values masked."""
    data = plan.to_dict()
    data["changes"] = [masked(c).to_dict() for c in plan.changes]
    return data


def render_json(plan: Plan) -> str:
    return json.dumps(public_dict(plan), indent=2, default=str)
