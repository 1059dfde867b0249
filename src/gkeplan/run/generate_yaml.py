"""The YAML of a generated spec: one entry per resource under its kind's section, a comment
naming what each entry is in GCP, and what was left out (and why) at the end."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from typing import Any

import yaml
from pydantic.alias_generators import to_camel

from gkeplan.kinds import KINDS
from gkeplan.kinds.generating import Entry, LeftOut

WIDTH = 100
# the spec's sections in the registry's order (kinds before what refers to them)
SECTIONS = tuple(to_camel(k.section.name) for k in KINDS if k.section is not None)
# PyYAML quotes the key `on` (a YAML 1.1 boolean); gkeplan's loader reads it as a string,
# as the examples write it
_QUOTED_ON = re.compile(r"^(\s*(?:- )?)'on':", re.MULTILINE)


def _dump(value: Any) -> str:
    text = yaml.safe_dump(
        value, sort_keys=False, default_flow_style=False, allow_unicode=True, width=WIDTH
    )
    return _QUOTED_ON.sub(r"\1on:", text)


def _indent(text: str, by: str = "  ") -> str:
    return "".join(by + line if line.strip() else line for line in text.splitlines(True))


def _waivers(waivers: Sequence[tuple[str, str, str]]) -> list[str]:
    lines = [
        "  # What exists breaks these rules as it is; each is waived here so that the spec",
        "  # plans as it is. Fix the resource, then remove its waiver.",
        "  exceptions:",
    ]
    for rule, resource, message in waivers:
        lines.append(textwrap.shorten(f"    # {message}", WIDTH, placeholder=" ..."))
        item = {"rule": rule, "resource": resource, "reason": REASON}
        lines.append(_indent(_dump([item]), "    ").rstrip("\n"))
    return lines


REASON = "exists so (gkeplan import --generate); remove once fixed"


def render(
    project: str,
    region: str,
    entries: Sequence[Entry],
    left_out: Sequence[LeftOut],
    waivers: Sequence[tuple[str, str, str]],
    resources: int,
) -> str:
    managed = sum(1 for left in left_out if left.managed)
    summary = (
        f"{len(left_out)} left out ({managed} of them GCP's own; listed at the end)"
        if left_out
        else "none left out"
    )
    lines = [
        f"# The infrastructure of project {project}, written by `gkeplan import --generate`:",
        f"# {resources} resource{'' if resources == 1 else 's'} generated, {summary}.",
        "version: 1",
        f"project: {project}",
        f"region: {region}",
    ]
    if waivers:
        lines += ["", "policy:", *_waivers(waivers)]
    sections: dict[str, list[str]] = {s: [] for s in SECTIONS}
    for entry in entries:
        body = _dump([entry.value] if entry.key is None else {entry.key: entry.value})
        # a mapping entry's key is its name; what it is in GCP is its full name
        note = "" if entry.key is None else f"# {entry.found.id}"
        if entry.comment:
            note += f": {entry.comment}" if note else f"# {entry.comment}"
        sections.setdefault(entry.section, []).append(_indent(f"{note}\n{body}" if note else body))
    for section, items in sections.items():
        if not items:
            continue
        lines.append("")
        lines.append(f"{section}:")
        lines.extend(item.rstrip("\n") for item in items)
    if left_out:
        lines.append("")
        lines.append("# Left out:")
        for out in left_out:
            source = f" ({out.source})" if out.source else ""
            lines.append(f"#   {out.kind} {out.id}: {out.why}{source}")
    return "\n".join(lines) + "\n"
