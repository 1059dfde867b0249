"""The conversion's report: what was left out and why (file:line, what to do), notes on how
something was converted, and the summary line in Terraform's words."""

from __future__ import annotations

import json
from typing import Any

from gkeplan.convert.api import Item
from gkeplan.convert.translate import Conversion
from gkeplan.redact import safe


def summary(conv: Conversion) -> str:
    resources = len(conv.left_out)
    parts = [f"{len(conv.converted)} resources converted, {resources} left out"]
    arguments = sum(1 for i in conv.items if i.left_out and i.what != "resource")
    if arguments:
        parts.append(f"{arguments} argument{'s' if arguments != 1 else ''} left out")
    tail = " (see above)" if not conv.complete else ""
    return ", ".join(parts) + tail


def _where(item: Item) -> str:
    return f"{item.file}:{item.line}" if item.line else item.file


def _indent(text: str) -> str:
    return text.replace("\n", "\n          ")


def text(conv: Conversion) -> str:
    lines: list[str] = []
    left = [i for i in conv.items if i.left_out]
    notes = [i for i in conv.items if not i.left_out]
    if left:
        lines.append("Left out:")
        for i in left:
            what = "" if i.what == "resource" else f" {i.what}"
            lines.append(f"  {_where(i)}: {i.address}{what}: {i.why}")
            lines.append(f"    fix: {_indent(i.fix)}")
    if notes:
        lines.append("Notes:")
        for i in notes:
            what = "" if i.what == "resource" else f" {i.what}"
            lines.append(f"  {_where(i)}: {i.address}{what}: {i.why}")
            if i.fix:
                lines.append(f"    to do: {_indent(i.fix)}")
    return safe("\n".join(lines))


def as_json(conv: Conversion, spec_text: str | None, out: str | None) -> str:
    body: dict[str, Any] = {
        "complete": conv.complete,
        "providerVersion": conv.provider_version,
        "converted": [{"address": a, "kind": k} for a, k in conv.converted.items()],
        "leftOut": [i.to_json() for i in conv.items if i.left_out],
        "notes": [i.to_json() for i in conv.items if not i.left_out],
        "summary": summary(conv),
        "out": out,
    }
    if spec_text is not None:
        body["spec"] = spec_text
    return json.dumps(body, indent=2)
