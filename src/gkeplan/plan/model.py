"""The plan: a closed set of actions per resource, with the reason kept apart from the action.

Actions (as Terraform's plans/action.go): create, update (in place), replace (delete then
create, with the field that forces it), delete, forget (leave the resource in place and stop
managing it: Terraform's `removed { lifecycle { destroy = false } }`), no-op, and adopt (take
over a resource that exists outside gkeplan, asked for explicitly with `adopt: true`).
`moved_from` marks a change whose resource the state holds under another address (a renamed
key): the apply re-keys the state and calls nothing for the move itself. `drift` marks a change
whose cause is the cloud having changed outside gkeplan rather than the spec; `refused` one
that apply will not make (a create that meets a resource gkeplan does not own): a plan holding
one applies nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from gkeplan.lifecycle import Lifecycle

# Version 2 carries each change's `inputs` and `lifecycle` apart (version 1: one `settings`).
# A plan saved by another version is refused, not converted, as Terraform refuses one:
# "unsupported plan file format version %d; only version %d is supported" (readTfplan,
# hashicorp/terraform internal/plans/planfile/tfplan.go).
PLAN_FORMAT_VERSION = 2


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    FORGET = "forget"
    NOOP = "no-op"
    ADOPT = "adopt"

    @property
    def symbol(self) -> str:
        return {
            "create": "+",
            "update": "~",
            "replace": "-/+",
            "delete": "-",
            "forget": ".",
            "no-op": " ",
            "adopt": "<=",
        }[self.value]


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: Any
    after: Any
    forces_replacement: bool = False


@dataclass
class Change:
    address: str
    kind: str
    id: str
    action: Action
    before: dict[str, Any] | None = None  # what exists (None: nothing)
    after: dict[str, Any] | None = None  # what the spec wants (None: delete)
    inputs: dict[str, Any] = field(default_factory=dict)  # the driver's, never diffed
    lifecycle: Lifecycle = field(default_factory=Lifecycle)  # the planner's and executor's
    fields: list[FieldChange] = field(default_factory=list)
    reason: str | None = None  # why replace / delete / adopt, in words
    drift: bool = False
    dependencies: list[str] = field(default_factory=list)
    # fields whose values come from a `sensitive: true` variable: masked wherever shown
    sensitive: list[str] = field(default_factory=list)
    refused: str | None = None  # why apply will not make this change (and what to do)
    moved_from: str | None = None  # the address the state holds this resource under now

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["action"] = self.action.value
        data["lifecycle"] = self.lifecycle.to_json()
        return data


def diff_attributes(
    before: dict[str, Any], after: dict[str, Any], immutable: frozenset[str]
) -> list[FieldChange]:
    """Field-level changes; a field the spec leaves unset (None) follows what exists."""
    out = []
    for name, want in after.items():
        have = before.get(name)
        if want is None or have == want:
            continue
        out.append(FieldChange(name, have, want, name in immutable))
    return out


@dataclass
class Plan:
    changes: list[Change]
    project: str
    state_lineage: str | None = None
    state_serial: int | None = None
    spec_digest: str = ""
    destroy: bool = False
    refresh_calls: int = 0
    # replacements that lose data, allowed by name when the plan was made (plan --allow-replace)
    allow_replace: list[str] = field(default_factory=list)
    # replacements that lose data (a bucket's objects...): apply makes them only by name
    needs_allow_replace: list[str] = field(default_factory=list)
    # `--refresh-only`: the changes are what changed outside gkeplan; applying writes only the
    # state (plan/refresh_only.py)
    refresh_only: bool = False
    # `--replace`: replacements asked for by name, made again when a saved plan is applied
    replace: list[str] = field(default_factory=list)
    # the spec's environment (--env) the plan is for, None for a spec without environments
    environment: str | None = None

    @property
    def consent_missing(self) -> list[str]:
        """What `apply` still needs `--allow-replace` for."""
        return [a for a in self.needs_allow_replace if a not in self.allow_replace]

    @property
    def pending(self) -> list[Change]:
        if self.refresh_only:
            return [c for c in self.changes if c.drift]
        return [c for c in self.changes if c.action is not Action.NOOP or c.moved_from]

    @property
    def refused(self) -> list[Change]:
        return [c for c in self.changes if c.refused is not None]

    @property
    def has_changes(self) -> bool:
        return bool(self.pending)

    def counts(self) -> dict[str, int]:
        add = sum(
            c.action in (Action.CREATE, Action.REPLACE) and c.refused is None for c in self.changes
        )
        change = sum(c.action is Action.UPDATE for c in self.changes)
        destroy = sum(c.action in (Action.DELETE, Action.REPLACE) for c in self.changes)
        adopt = sum(c.action is Action.ADOPT and c.refused is None for c in self.changes)
        refused = sum(c.refused is not None for c in self.changes)
        return {
            "add": add,
            "change": change,
            "destroy": destroy,
            "adopt": adopt,
            "move": sum(c.moved_from is not None for c in self.changes),
            "forget": sum(c.action is Action.FORGET for c in self.changes),
            "refused": refused,
        }

    def summary(self) -> str:
        if self.refresh_only:
            if not self.has_changes:
                return "No changes. The state matches the cloud: nothing changed outside gkeplan."
            return (
                f"Refresh-only plan: {len(self.pending)} resource(s) changed outside gkeplan. "
                "Applying it (apply --refresh-only) records them in the state and changes "
                "nothing in the cloud."
            )
        if not self.has_changes:
            return "No changes. Your infrastructure matches the spec."
        n = self.counts()
        head = f"{n['adopt']} to adopt, " if n["adopt"] else ""
        text = f"Plan: {head}{n['add']} to add, {n['change']} to change, {n['destroy']} to destroy"
        for key in ("move", "forget"):
            if n[key]:
                text += f", {n[key]} to {key}"
        text += "."
        if n["refused"]:
            text += f" {n['refused']} refused: apply changes nothing while any change is refused."
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": PLAN_FORMAT_VERSION,
            "project": self.project,
            "environment": self.environment,
            "state": {"lineage": self.state_lineage, "serial": self.state_serial},
            "spec_digest": self.spec_digest,
            "destroy": self.destroy,
            "allow_replace": list(self.allow_replace),
            "needs_allow_replace": list(self.needs_allow_replace),
            "refresh_only": self.refresh_only,
            "replace": list(self.replace),
            "summary": self.counts(),
            "changes": [c.to_dict() for c in self.changes],
        }


class PlanVersionError(ValueError):
    """A saved plan of another format version."""

    def __init__(self, version: object) -> None:
        super().__init__(
            f"it is a plan of format version {version!r}, and this gkeplan applies only "
            f"version {PLAN_FORMAT_VERSION}"
        )
        self.version = version


def plan_from_dict(data: dict[str, Any]) -> Plan:
    """Read a plan saved with `gkeplan plan --out`."""
    if not isinstance(data, dict) or "format_version" not in data:
        raise ValueError("no format_version")
    if data["format_version"] != PLAN_FORMAT_VERSION:
        raise PlanVersionError(data["format_version"])
    changes = []
    for c in data["changes"]:
        fields = [FieldChange(**f) for f in c.pop("fields", [])]
        action = Action(c.pop("action"))
        lifecycle = Lifecycle.from_json(c.pop("lifecycle", None))
        changes.append(Change(**c, action=action, fields=fields, lifecycle=lifecycle))
    state = data.get("state") or {}
    return Plan(
        changes=changes,
        project=data["project"],
        state_lineage=state.get("lineage"),
        state_serial=state.get("serial"),
        spec_digest=data.get("spec_digest", ""),
        destroy=bool(data.get("destroy")),
        allow_replace=[str(a) for a in data.get("allow_replace") or []],
        needs_allow_replace=[str(a) for a in data.get("needs_allow_replace") or []],
        refresh_only=bool(data.get("refresh_only")),
        replace=[str(a) for a in data.get("replace") or []],
        environment=str(data["environment"]) if data.get("environment") else None,
    )
