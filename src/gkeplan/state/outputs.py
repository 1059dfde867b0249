"""What a user needs after apply, read from the state: each kind's outputs (`Kind.outputs`: a
cluster's endpoint, CA and get-credentials line, a bucket's URL, an account's email), named
`<address>.<output>`."""

from __future__ import annotations

from typing import Any

from gkeplan.kinds import BY_NAME
from gkeplan.state.model import StateDoc


def outputs(doc: StateDoc) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for address, rec in sorted(doc.resources.items()):
        if rec.status != "ok" or rec.kind not in BY_NAME:
            continue  # a half-made change has no outputs worth pasting anywhere
        for name, value in BY_NAME[rec.kind].outputs(rec.id, rec.attributes).items():
            out[f"{address}.{name}"] = value
    return out
