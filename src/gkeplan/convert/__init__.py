"""`gkeplan convert`: a Terraform configuration becomes one gkeplan spec.

hcl (files to bodies, python-hcl2) -> config (modules, variables, count/for_each instances,
providers) -> translate (each resource through its kind's mapping, `kinds/*/terraform.py`) ->
the spec checked by gkeplan's own validation -> emit (YAML, a comment per resource naming its
Terraform address). What cannot be expressed is reported (`report`), never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gkeplan.convert.api import Item
from gkeplan.convert.emit import dump
from gkeplan.convert.hcl import ConfigError
from gkeplan.convert.translate import Conversion, convert
from gkeplan.convert.values import MISSING

# what validation is given for a variable that has no value yet (it only has to be well formed)
_PLACEHOLDER = "convert-check"


@dataclass
class Converted:
    conversion: Conversion
    text: str  # the spec, as written


def convert_paths(
    paths: list[Path],
    variables: dict[str, Any],
    var_files: list[Path],
    spec_name: str = "spec.yaml",
) -> Converted:
    """Convert, then check the spec as gkeplan would load it: a problem in it is a report item
    at its line; a policy error is waived in the spec (named in the report), since the spec
    says what Terraform deployed, and adopting it must plan no change; warnings stay."""
    conv = convert(paths, variables, var_files)
    _drop_placeholders(conv)
    _check(conv, _render(conv), spec_name)
    return Converted(conv, _render(conv))


_FROM_VARIABLE = re.compile(r"\(from \$\{([A-Za-z_][A-Za-z0-9_]*)\}\)")


def _drop_placeholders(conv: Conversion) -> None:
    """A variable default the spec cannot use (`<your-gcp-project>`, REPLACE_ME) is a
    placeholder the configuration asks people to replace: the spec leaves it without a default
    (plan then asks for it) and the report says so."""
    from gkeplan.validation.pipeline import validate

    declared = conv.spec.get("variables") or {}
    for _ in range(len(declared)):
        values = {n: _PLACEHOLDER for n, e in declared.items() if "default" not in e}
        result = validate(_render(conv), values, policies=False)
        names = {
            n
            for d in result.errors
            for n in _FROM_VARIABLE.findall(d.message)
            if "default" in declared.get(n, {}) and f"'{declared[n]['default']}" in d.message
        }
        if not names:
            return
        for name in sorted(names):
            old = declared[name].pop("default")
            conv.items.append(
                Item(
                    f"variable {name}",
                    "the spec",
                    0,
                    "default",
                    f"its default {old!r} is not a value gkeplan can use (a placeholder?), so "
                    "the spec gives none",
                    f"give it: --var {name}=VALUE",
                    left_out=False,
                )
            )


def _header(conv: Conversion) -> list[str]:
    version = conv.provider_version or "not pinned (taken as the newest)"
    lines = [
        f"Converted by `gkeplan convert` from {', '.join(conv.paths)} (Google provider {version}).",
        "Faithful to what that Terraform deploys: where gkeplan's secure defaults differ, the",
        "provider's are written out. `gkeplan validate` says what to harden.",
    ]
    left = [i for i in conv.items if i.left_out]
    if left:
        lines.append("Left out (see the report of gkeplan convert):")
        for i in left:
            what = "" if i.what == "resource" else f" {i.what}"
            lines.append(f"  {i.file}:{i.line} {i.address}{what}: {i.why}")
    return lines


def _render(conv: Conversion) -> str:
    return dump(conv.spec, conv.comments, _header(conv))


def _check(conv: Conversion, text: str, spec_name: str) -> None:
    from gkeplan.errors import Severity
    from gkeplan.validation.pipeline import validate

    values = {}
    for name, entry in (conv.spec.get("variables") or {}).items():
        if "default" not in entry:
            values[name] = _PLACEHOLDER
    result = validate(text, values)
    for d in result.errors:
        if any(n in values for n in _FROM_VARIABLE.findall(d.message)):
            continue  # about the stand-in for a value nobody gave yet, not about the spec
        loc = d.location
        conv.items.append(
            Item(
                "spec",
                spec_name,
                loc.line if loc else 0,
                ".".join(map(str, d.path)) if d.path else "spec",
                f"the converted spec does not validate: {d.message}",
                d.hint or "fix it in the spec",
            )
        )
    if result.policy is None:
        return
    exceptions: list[dict[str, str]] = []
    for f in result.policy.findings:
        if f.severity is not Severity.ERROR or f.waived:
            continue
        if any(e["rule"] == f.rule and e["resource"] == f.resource for e in exceptions):
            continue  # one exception waives every finding of the rule on the resource
        exceptions.append(
            {
                "rule": f.rule,
                "resource": f.resource,
                "reason": "as the Terraform deployed it (gkeplan convert); fix it, then remove "
                "this exception",
            }
        )
        conv.items.append(
            Item(
                f.resource,
                f"{spec_name} policy.exceptions",
                0,
                f"policy {f.rule}",
                f"waived in policy.exceptions so that adopting plans no change: {f.message}",
                f.fix or "fix it, then remove the exception",
                left_out=False,
            )
        )
    if exceptions:
        conv.spec.setdefault("policy", {})["exceptions"] = exceptions
        _move_policy_up(conv)


def _move_policy_up(conv: Conversion) -> None:
    spec = conv.spec
    order = ["version", "project", "region", "variables", "policy"]
    head = {k: spec[k] for k in order if k in spec}
    rest = {k: v for k, v in spec.items() if k not in head}
    spec.clear()
    spec.update(head)
    spec.update(rest)
    conv.comments[("policy",)] = [
        "Errors gkeplan's policies find in what Terraform deployed, waived so that adopting",
        "it plans no change. Fix each, then remove its exception.",
    ]


__all__ = ["MISSING", "ConfigError", "Converted", "convert_paths"]
