"""The one place that decides what output may show: masking and escaping."""

from __future__ import annotations

from gkeplan import redact


def test_values_containing_a_registered_secret_are_masked_recursively() -> None:
    redact.register(["pw-7f3a9-redact-test", ""])  # the empty string never masks everything
    data = {"labels": {"team": "t-pw-7f3a9-redact-test"}, "name": "plain", "n": 3}
    assert redact.mask(data) == {"labels": {"team": "(sensitive)"}, "name": "plain", "n": 3}
    assert redact.sensitive_fields(data) == ["labels"]
    assert redact.mask_fields({"labels": {"x": "y"}, "a": None}, ["labels", "a"]) == {
        "labels": "(sensitive)",
        "a": None,
    }
    assert redact.mask_text("bad value 'pw-7f3a9-redact-test!'") == "bad value '(sensitive)!'"


def test_control_and_bidi_characters_are_escaped_and_text_is_kept() -> None:
    assert redact.escape("a\x1b[31mb\u202ec\u2066d\x07\x9b") == (
        "a\\x1b[31mb\\u202ec\\u2066d\\x07\\x9b"
    )
    assert redact.escape("tab\tand\nnewline, émoji ✓") == "tab\tand\nnewline, émoji ✓"
