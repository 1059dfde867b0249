"""What a user needs after apply, read from the state: each kind's outputs (`Kind.outputs`: a
cluster's endpoint, CA and get-credentials line, a bucket's URL, an account's email), named
`<address>.<output>`."""

from __future__ import annotations

from typing import Any

from gkeplan.kinds import BY_NAME
from gkeplan.spec.base import Document
from gkeplan.state.model import StateDoc


def outputs(doc: StateDoc) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for address, rec in sorted(doc.resources.items()):
        if rec.status != "ok" or rec.kind not in BY_NAME:
            continue  # a half-made change has no outputs worth pasting anywhere
        for name, value in BY_NAME[rec.kind].outputs(rec.id, rec.attributes).items():
            out[f"{address}.{name}"] = value
    return out


def declared(spec: Document, doc: StateDoc) -> dict[str, tuple[Any, bool]]:
    """The spec's own `outputs:` (name -> (value, sensitive)), from the state as apply left
    it; one whose resource is not made yet is left out, as Terraform shows none before apply."""
    out: dict[str, tuple[Any, bool]] = {}
    for name, decl in spec.outputs.items():
        address, _, attribute = decl.value.rpartition(".")
        rec = doc.resources.get(address)
        if rec is None or rec.status != "ok" or rec.kind not in BY_NAME:
            continue
        shown = BY_NAME[rec.kind].outputs(rec.id, rec.attributes)
        if attribute == "id":
            out[name] = (rec.id, decl.sensitive)
        elif attribute in shown:
            out[name] = (shown[attribute], decl.sensitive)
        elif attribute in rec.attributes:
            out[name] = (rec.attributes[attribute], decl.sensitive)
    return out
