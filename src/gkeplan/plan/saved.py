"""Saved plans (`plan --out`, `apply --plan`): bound to their content, written privately.

The file holds the plan as `--json` shows it (sensitive values masked) and a digest over all of
it: the changes, the state's lineage and serial, and the spec digest. At apply the digest is
checked first (an edited or truncated file is refused), then the state and spec (`check_fresh`),
then the plan is made again and every saved change must be what gkeplan would do now: a
recomputed digest cannot smuggle in a change the planner would never make (a delete of something
gkeplan does not manage), and the values masked in the file come from the spec, not the file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from gkeplan.errors import StalePlan, UsageError
from gkeplan.files import atomic_write
from gkeplan.plan.model import Change, Plan, PlanVersionError, plan_from_dict
from gkeplan.plan.render import masked, public_dict

DIGEST_KEY = "digest"


def digest(data: dict[str, Any]) -> str:
    body = {k: v for k, v in data.items() if k != DIGEST_KEY}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def dumps(plan: Plan) -> str:
    data = public_dict(plan)
    data[DIGEST_KEY] = digest(data)
    return json.dumps(data, indent=2, default=str) + "\n"


def save(plan: Plan, path: str | Path) -> None:
    atomic_write(Path(path), dumps(plan))


def load(path: str | Path) -> Plan:
    """Read a saved plan, refusing one whose content does not match its digest."""
    where = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(
            f"{where} is not a plan saved with `gkeplan plan --out`: {exc}", "--plan"
        ) from None
    if not isinstance(data, dict) or DIGEST_KEY not in data:
        raise UsageError(f"{where} is not a plan saved with `gkeplan plan --out`", "--plan")
    if data[DIGEST_KEY] != digest(data):
        raise StalePlan(
            f"{where} was changed after gkeplan saved it (its digest does not match its "
            "content); refused: run gkeplan plan --out again"
        )
    try:
        return plan_from_dict(data)
    except PlanVersionError as exc:
        raise UsageError(
            f"{where} was saved by another version of gkeplan ({exc}); refused: make the plan "
            "again with this gkeplan (gkeplan plan --out FILE)",
            "--plan",
        ) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"{where} is not a plan gkeplan can read: {exc}", "--plan") from None


def _intent(change: Change) -> dict[str, Any]:
    """What applying a change does, without what the refresh read (`before`)."""
    data = masked(change).to_dict()
    data.pop("before", None)
    data["fields"] = [
        {k: v for k, v in f.items() if k != "before"} for f in data.get("fields") or []
    ]
    return json.loads(json.dumps(data, sort_keys=True, default=str))  # type: ignore[no-any-return]


def bind(saved: Plan, fresh: Plan) -> Plan:
    """The fresh plan's changes for exactly the saved plan's addresses, refused unless each does
    what the saved one says (the fresh ones carry the real values of masked fields)."""
    now = {c.address: c for c in fresh.changes}
    kept = {c.address for c in saved.changes}
    for change in saved.changes:
        current = now.get(change.address)
        if current is None or _intent(current) != _intent(change):
            raise StalePlan(
                f"the saved plan's change to {change.address} is not what gkeplan would do now "
                "(the cloud changed since, or the plan was edited); refused: plan again"
            )
    return Plan(
        changes=[now[c.address] for c in saved.changes],
        project=saved.project,
        state_lineage=saved.state_lineage,
        state_serial=saved.state_serial,
        spec_digest=saved.spec_digest,
        destroy=saved.destroy,
        allow_replace=saved.allow_replace,  # the consent reviewed with the plan
        needs_allow_replace=[a for a in fresh.needs_allow_replace if a in now and a in kept],
        refresh_only=saved.refresh_only,
        replace=saved.replace,
        environment=saved.environment,
    )
