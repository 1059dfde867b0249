"""Whatever the input, validate answers with diagnostics, never with a traceback."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkeplan import check_spec, validate
from gkeplan.errors import Diagnostic

EXAMPLE = (Path(__file__).resolve().parents[2] / "examples" / "stable-diffusion.yaml").read_text()
LINES = EXAMPLE.splitlines()
JUNK = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "{",
            "[",
            ": :",
            "&a",
            "*a",
            "!!python/object:os.system",
            "- - -",
            "\t",
            "<<: *x",
            "%YAML 1.1",
            "---",
            "~",
            "1e999",
            "0x1F",
            "'",
            '"',
            "${",
            "$${X}",
        ]
    ),
)


def _check(text: str) -> None:
    """Never a traceback; every problem points into the text, and a spec declared valid loads."""
    text = text if "\n" in text else text + "\n"
    result = validate(text, {"PROJECT_ID": "demo-project"}, environ={})
    lines = text.count("\n") + 1
    for d in result.diagnostics:
        assert isinstance(d, Diagnostic) and d.message
        assert d.location is not None, d.render()
        assert 1 <= d.location.line <= lines and d.location.col >= 1, d.render()
    if result.valid:
        assert result.spec is not None and result.graph is not None
        check_spec(result.spec)  # what validate accepted, the library accepts too


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_example_never_raises(data: st.DataObject) -> None:
    lines = list(LINES)
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["delete", "replace", "insert", "duplicate", "truncate"]))
        i = data.draw(st.integers(0, len(lines) - 1))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "replace":
            key, sep, _ = lines[i].partition(":")
            lines[i] = key + sep + " " + data.draw(JUNK) if sep else data.draw(JUNK)
        elif op == "insert":
            lines.insert(i, data.draw(JUNK))
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "truncate":
            lines = lines[: i + 1]
    _check("\n".join(lines))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    _check(text)
