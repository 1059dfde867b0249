"""Findings for people (grouped by resource, like a compiler), JSON, and SARIF 2.1.0."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import click

from gkeplan import __version__
from gkeplan.errors import Diagnostic
from gkeplan.policy.model import Finding, Rule
from gkeplan.redact import mask_text, safe

_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
INFORMATION_URI = "https://github.com/gkeplan/gkeplan"
HELP_URI = INFORMATION_URI + "#policies-refusing-what-would-fail-or-be-unsafe-before-apply"
# GitHub shows `security-severity` (0.1-3.9 low, 4.0-6.9 medium, 7.0-8.9 high, 9.0+ critical)
# for rules tagged "security" ("SARIF support for code scanning", docs.github.com). The
# numbers are gkeplan's judgement of its own severities, not a GCP fact.
_SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "info": "2.0"}
# Quota and budget rules stop an apply that would fail; they are not security findings.
_NOT_SECURITY = ("FT",)


def render_text(findings: Sequence[Finding], rules: dict[str, Rule]) -> str:
    lines: list[str] = []
    current = None
    # three severities, styled once rather than once a finding (10,000 resources: 5,000 each)
    heads = {sev: click.style(sev, fg=colour, bold=True) for sev, colour in _COLOURS.items()}
    for f in findings:
        if f.resource != current:
            current = f.resource
            lines.append(click.style(f"{f.resource}:", bold=True))
        sev = f.severity.value
        where = f"{f.location}: " if f.location else ""
        checkov = getattr(rules.get(f.rule), "checkov", None)
        tag = f"{f.rule}" + (f"/{checkov}" if checkov else "")
        head = heads[sev]
        waived = click.style(safe(f" [waived: {f.waiver}]"), fg="green") if f.waived else ""
        lines.append(f"  {where}{head} [{tag}]: {safe(f.message)}{waived}")
        if f.fix and not f.waived:
            fix = safe(f.fix).replace("\n", "\n          ")
            lines.append(f"    fix: {fix}")
    return "\n".join(lines)


def render_json(findings: Sequence[Finding], diagnostics: Sequence[Diagnostic], valid: bool) -> str:
    return mask_text(
        json.dumps(
            {
                "valid": valid,
                "diagnostics": [d.to_dict() for d in diagnostics],
                "findings": [f.to_dict() for f in findings],
            },
            indent=2,
        )
    )


def _sarif_rule(r: Rule) -> dict[str, Any]:
    security = not r.id.startswith(_NOT_SECURITY)
    checkov = f" Same check as checkov's {r.checkov}." if r.checkov else ""
    waive = (
        "To accept the risk, waive it with a reason in the spec: "
        f"`policy.exceptions: [{{rule: {r.id}, resource: ADDRESS, reason: ...}}]`."
    )
    properties: dict[str, Any] = {"tags": ["security"] if security else ["reliability", "cost"]}
    if security:
        properties["security-severity"] = _SECURITY_SEVERITY[r.effective_severity.value]
    if r.checkov:
        properties["checkov"] = r.checkov
    return {
        "id": r.id,
        "name": type(r).__name__,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": r.rationale},
        "help": {
            "text": f"{r.title}. {r.rationale}{checkov} {waive}",
            "markdown": f"**{r.title}**\n\n{r.rationale}{checkov}\n\n{waive}",
        },
        "helpUri": HELP_URI,
        "defaultConfiguration": {"level": _SARIF_LEVEL[r.effective_severity.value]},
        "properties": properties,
    }


def _fingerprint(rule: str, subject: str, loc: Any, base: str) -> dict[str, str]:
    """What makes a finding the same one across commits: its rule, what it is about and its
    file, never its line (an edit above it must not turn it into a new alert). A key of our
    own: GitHub computes `primaryLocationLineHash` itself and warns when given another."""
    file = loc.file if loc is not None else ""
    if base and file.startswith(base):
        file = file[len(base) :].lstrip("/")
    digest = hashlib.sha256(f"{rule}\0{subject}\0{file}".encode()).hexdigest()[:32]
    return {"gkeplanFinding/v1": digest}


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

    sarif_rules = [_sarif_rule(r) for r in sorted(rules.values(), key=lambda r: r.id)]
    sarif_rules.append(
        {
            "id": "spec",
            "name": "SpecIsValid",
            "shortDescription": {"text": "The spec is valid"},
            "help": {
                "text": "The spec must parse, match the schema and refer only to what exists.",
                "markdown": "The spec must parse, match the schema and refer only to what "
                "exists. `gkeplan validate SPEC` prints each problem at file:line:col.",
            },
            "helpUri": HELP_URI,
            "properties": {"tags": ["correctness"]},
        }
    )
    results = [
        {
            "ruleId": f.rule,
            "level": _SARIF_LEVEL[f.severity.value],
            "message": {"text": f.message + (f"\nFix:\n{f.fix}" if f.fix else "")},
            "locations": location(f.location),
            "partialFingerprints": _fingerprint(f.rule, f.resource, f.location, base),
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
            "partialFingerprints": _fingerprint("spec", d.message, d.location, base),
        }
        for d in diagnostics
    ]
    return mask_text(
        json.dumps(
            {
                "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                "version": "2.1.0",
                "runs": [
                    {
                        "tool": {
                            "driver": {
                                "name": "gkeplan",
                                "version": __version__,
                                "informationUri": INFORMATION_URI,
                                "rules": sarif_rules,
                            }
                        },
                        "results": results,
                    }
                ],
            },
            indent=2,
        )
    )
