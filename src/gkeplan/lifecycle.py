"""A resource's lifecycle and ownership: what the planner and the executor read about it, kept
apart from the inputs its driver reads.

A kind's `desired` gives the part the spec decides (keep or guard it on destroy, replace it
create-before-destroy, what its create makes with it); the planner adds `adopt` and
`lifecycle.preventDestroy` from the spec and what a past run left (a rename, a take-over, an
unfinished create-before-destroy); the executor writes it into the state with the resource.
On disk it is an object of the non-default fields in camelCase (`to_json`); `from_settings`
reads the keys that format version 1 of the state and saved plan kept in `settings`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Journaled:
    """A resource made by another's create request (a cluster's inline node pools)."""

    address: str
    kind: str
    id: str


@dataclass(frozen=True)
class Lifecycle:
    # asked for in the spec: `adopt: true` takes over what exists outside gkeplan
    adopt: bool = False
    # `lifecycle.preventDestroy`: no delete or destroying replacement, and leaving the spec
    # forgets it
    prevent_destroy: bool = False
    # a kind's own guard against delete (a cluster's deletionProtection)
    deletion_protection: bool = False
    # left in place by a destroy and forgotten when it leaves the spec
    keep_on_destroy: bool = False
    # a replacement creates the new resource first and deletes the old one after
    create_before_destroy: bool = False
    # what this resource's create request makes too: journaled before the call
    also_creates: tuple[Journaled, ...] = ()
    # the address whose create journaled this entry (it has no create of its own)
    journaled_by: str | None = None
    # the id the spec names, for a resource living under a suffixed name after a
    # create-before-destroy replacement
    spec_id: str | None = None
    # left in place by the last destroy, still gkeplan's: the next apply takes it back
    kept_by_destroy: bool = False
    # found and taken over as it was (Kind.takes_over_existing), never adopted: never deleted
    taken_over: bool = False
    # the old resource's id that an unfinished create-before-destroy still has to delete
    replaces_id: str | None = None

    @property
    def keeps(self) -> str | None:
        """What keeps the resource when it leaves the spec, in the spec's words (None: nothing)."""
        for name, on in (
            ("keepOnDestroy", self.keep_on_destroy),
            ("preventDestroy", self.prevent_destroy),
            ("takenOver", self.taken_over),
        ):
            if on:
                return name
        return None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value != getattr(_DEFAULT, f.name):
                out[_camel(f.name)] = (
                    [asdict(j) for j in value] if f.name == "also_creates" else value
                )
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Lifecycle:
        data = data or {}
        known = {_camel(f.name): f.name for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"unknown lifecycle field(s) {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for key, value in data.items():
            name = known[key]
            if name == "also_creates":
                values[name] = tuple(
                    Journaled(str(e["address"]), str(e["kind"]), str(e["id"])) for e in value or ()
                )
            elif isinstance(getattr(_DEFAULT, name), bool):
                if not isinstance(value, bool):
                    raise ValueError(f"lifecycle {key} is {value!r}, not true or false")
                values[name] = value
            else:  # an id or an address, or none
                if value is not None and not isinstance(value, str):
                    raise ValueError(f"lifecycle {key} is {value!r}, not a string")
                values[name] = value
        return cls(**values)

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> tuple[dict[str, Any], Lifecycle]:
        """Format version 1 kept these keys in `settings`: the driver's inputs, and the
        lifecycle they held."""
        inputs = {k: v for k, v in settings.items() if k not in V1_KEYS}
        renamed = {V1_KEYS[k]: v for k, v in settings.items() if k in V1_KEYS}
        return inputs, cls.from_json({_camel(k): v for k, v in renamed.items()})


_DEFAULT = Lifecycle()

# format version 1's `settings` key of each field
V1_KEYS = {
    "adopt": "adopt",
    "preventDestroy": "prevent_destroy",
    "deletionProtection": "deletion_protection",
    "keepOnDestroy": "keep_on_destroy",
    "createBeforeDestroy": "create_before_destroy",
    "alsoCreates": "also_creates",
    "journaledBy": "journaled_by",
    "renamedFrom": "spec_id",
    "kept": "kept_by_destroy",
    "takenOver": "taken_over",
    "replaces": "replaces_id",
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)
