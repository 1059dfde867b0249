"""`gkeplan validate --format json`: everything the text output says, for machines."""

from __future__ import annotations

from typing import Any


def json_report(spec_file: str, result: Any, strict: bool, cost: bool) -> dict[str, Any]:
    """The spec's diagnostics and findings (each with its checkov id, as the text shows it),
    the verdict (`passed`, under --strict if given), and with --cost the estimate the text
    would print."""
    rules = result.policy.rules if result.policy else {}
    findings = []
    for f in result.policy.findings if result.policy else []:
        data = f.to_dict()
        data["checkov"] = getattr(rules.get(f.rule), "checkov", None)
        findings.append(data)
    report: dict[str, Any] = {
        "file": spec_file,
        # the verdict: true when the text says "valid" and the exit code is 0; false when it
        # says "invalid", "refused" or "refused by --strict"
        "passed": result.passed(strict),
        "strict": strict,
        "diagnostics": [d.to_dict() for d in result.diagnostics],
        "findings": findings,
    }
    if cost:
        report["cost"] = None
        if result.policy is not None:
            from gkeplan.policy.cost import estimate

            report["cost"] = estimate(result.policy.context).to_dict()
    return report
