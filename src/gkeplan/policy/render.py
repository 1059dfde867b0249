"""Findings for people (grouped by resource, like a compiler), JSON, and SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from gkeplan import __version__
from gkeplan.errors import Diagnostic
from gkeplan.policy.model import Finding, Rule

_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render_text(findings: Sequence[Finding], rules: dict[str, Rule]) -> str:
    lines: list[str] = []
    current = None
    for f in findings:
        if f.resource != current:
            current = f.resource
            lines.append(click.style(f"{f.resource}:", bold=True))
        sev = f.severity.value
        where = f"{f.location}: " if f.location else ""
        checkov = getattr(rules.get(f.rule), "checkov", None)
        tag = f"{f.rule}" + (f"/{checkov}" if checkov else "")
        head = click.style(f"{sev}", fg=_COLOURS[sev], bold=True)
        waived = click.style(f" [waived: {f.waiver}]", fg="green") if f.waived else ""
        lines.append(f"  {where}{head} [{tag}]: {f.message}{waived}")
        if f.fix and not f.waived:
            fix = f.fix.replace("\n", "\n          ")
            lines.append(f"    fix: {fix}")
    return "\n".join(lines)


def render_json(findings: Sequence[Finding], diagnostics: Sequence[Diagnostic], valid: bool) -> str:
    return json.dumps(
        {
            "valid": valid,
            "diagnostics": [d.to_dict() for d in diagnostics],
            "findings": [f.to_dict() for f in findings],
        },
        indent=2,
    )


def render_sarif(
    findings: Sequence[Finding],
    diagnostics: Sequence[Diagnostic],
    rules: dict[str, Rule],
    base: str = "",
) -> str:
    """SARIF 2.1.0, so GitHub code scanning shows findings on the spec's YAML lines."""

    def location(loc: Any) -> list[dict[str, Any]]:
        if loc is None:
            return []
        uri = loc.file[len(base) :].lstrip("/") if base and loc.file.startswith(base) else loc.file
        return [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": loc.line, "startColumn": loc.col},
                }
            }
        ]

    sarif_rules = [
        {
            "id": r.id,
            "name": type(r).__name__,
            "shortDescription": {"text": r.title},
            "fullDescription": {"text": r.rationale},
            "defaultConfiguration": {"level": _SARIF_LEVEL[r.effective_severity.value]},
            "properties": {"checkov": r.checkov} if r.checkov else {},
        }
        for r in sorted(rules.values(), key=lambda r: r.id)
    ]
    sarif_rules.append({"id": "spec", "shortDescription": {"text": "The spec is valid"}})
    results = [
        {
            "ruleId": f.rule,
            "level": _SARIF_LEVEL[f.severity.value],
            "message": {"text": f.message + (f"\nFix:\n{f.fix}" if f.fix else "")},
            "locations": location(f.location),
            **(
                {"suppressions": [{"kind": "inSource", "justification": f.waiver}]}
                if f.waived
                else {}
            ),
        }
        for f in findings
    ] + [
        {
            "ruleId": "spec",
            "level": _SARIF_LEVEL[d.severity.value],
            "message": {"text": d.message + (f" ({d.hint})" if d.hint else "")},
            "locations": location(d.location),
        }
        for d in diagnostics
    ]
    return json.dumps(
        {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "gkeplan",
                            "version": __version__,
                            "informationUri": "https://github.com/gkeplan/gkeplan",
                            "rules": sarif_rules,
                        }
                    },
                    "results": results,
                }
            ],
        },
        indent=2,
    )
