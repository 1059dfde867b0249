from __future__ import annotations

from pathlib import Path

from gkeplan.validation.pipeline import validate

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "examples" / "stable-diffusion.yaml").read_text()


def findings(
    tmp_path: Path, text: str, *, rules: tuple[str, ...] = (), severity: str | None = None
) -> list[tuple[str, str, str, str]]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    result = validate(spec, {"PROJECT_ID": "demo-project"}, environ={})
    assert result.policy is not None, [d.render() for d in result.diagnostics]
    return [
        (f.rule, f.severity.value, f.resource, f.message)
        for f in result.policy.findings
        if (not rules or f.rule in rules) and (severity is None or f.severity.value == severity)
    ]


def edit(old: str, new: str, text: str = EXAMPLE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)
