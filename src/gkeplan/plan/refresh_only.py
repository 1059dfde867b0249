"""`plan --refresh-only`: what changed outside gkeplan since the state was written, as
Terraform's `-refresh-only` plan shows it ("Objects have changed outside of Terraform").

Each change is the state's entry against what the refresh read: changed fields, or the
resource gone. Applying such a plan writes only the state (the values read, or the entry
forgotten) and calls nothing in the cloud; the next ordinary plan then diffs the spec against
the cloud as it now is, and the state no longer calls that drift.
"""

from __future__ import annotations

from gkeplan.plan.diff import Actual
from gkeplan.plan.model import Action, Change, FieldChange
from gkeplan.state.model import StateDoc

SETTLED = ("ok", "kept")  # a pending entry is a change in flight: the next apply finishes it


def drift_changes(state: StateDoc | None, actual: Actual) -> list[Change]:
    out: list[Change] = []
    for address, rec in sorted((state.resources if state else {}).items()):
        if rec.status not in SETTLED:
            continue
        have = actual.get(rec.kind, {}).get(rec.id)
        base = Change(
            address,
            rec.kind,
            rec.id,
            Action.NOOP,
            before=dict(rec.attributes),
            inputs=dict(rec.inputs),
            lifecycle=rec.lifecycle,
            dependencies=list(rec.dependencies),
            drift=True,
            sensitive=list(rec.sensitive),
        )
        if have is None:
            base.reason = "deleted outside gkeplan; applying forgets it in the state"
            out.append(base)
            continue
        names = sorted(n for n in {*rec.attributes, *have} if not n.startswith("_"))
        base.fields = [
            FieldChange(n, rec.attributes.get(n), have.get(n))
            for n in names
            if rec.attributes.get(n) != have.get(n)
        ]
        if base.fields:
            base.after = {k: v for k, v in have.items() if not k.startswith("_")}
            base.reason = "changed outside gkeplan; applying records these values in the state"
            out.append(base)
    return out


def record(doc: StateDoc, changes: list[Change]) -> None:
    """The state as the refresh read the cloud: only the entries the plan names change."""
    import dataclasses

    for change in changes:
        rec = doc.resources.get(change.address)
        if rec is None or rec.id != change.id:
            continue
        if change.after is None:
            del doc.resources[change.address]
        else:
            doc.resources[change.address] = dataclasses.replace(rec, attributes=dict(change.after))
