"""Issue 15: every hostile input is refused through the real CLI with a location or the flag.

Each generated case (see cases.py) runs `gkeplan validate` in-process and must exit 1 with
file:line:col on an error line, or 2 naming the option, with no traceback and no internal error.
How long each case takes is measured by benchmarks/bench_hostile.py, not asserted here.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest

from gkeplan.cli import main

from .cases import BASE, Case, all_cases, materialise

CASES = all_cases()


def run(case: Case, where: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str, str]:
    spec = materialise(case, where)
    args = ["validate", spec, *(a.replace("{dir}", str(where)) for a in case.args)]
    with pytest.raises(SystemExit) as info:
        main(args)
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 1), out, err, spec


def test_the_suite_covers_every_row_of_the_issue() -> None:
    rows = Counter(case.row for case in CASES)
    assert len(CASES) >= 250
    assert len({case.id for case in CASES}) == len(CASES)
    assert all(n >= 5 for n in rows.values()), rows


def test_the_base_spec_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err, _ = run(Case("control", "base", BASE), tmp_path, capsys)
    assert (code, err) == (0, ""), out


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_input_is_refused_with_a_location(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GKEPLAN_DEBUG", raising=False)
    for key in [k for k in os.environ if k.startswith("GKEPLAN_VAR_")]:
        monkeypatch.delenv(key)
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    code, out, err, spec = run(case, tmp_path, capsys)
    text = out + err
    assert "Traceback" not in text
    assert "internal error" not in text
    if case.flag is not None:
        assert code == 2, text
        assert re.search(rf"Invalid value for '?{re.escape(case.flag)}\b", err), text
    else:
        assert code == 1, text
        assert re.search(rf"^{re.escape(spec)}:\d+:\d+: error: ", out, re.M), text


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--var", "USER_EMAIL=ada"], {}, "(from ${USER_EMAIL})"),
        (["--var", "USER_EMAIL=ada@localhost"], {}, "(from ${USER_EMAIL})"),
        ([], {"GKEPLAN_VAR_USER_EMAIL": "ada\u202e@example.com"}, "GKEPLAN_VAR_USER_EMAIL"),
        (["--var", "USER_EMAIL=ada\udcff@example.com"], {}, "USER_EMAIL: 'ada\\udcff@"),
    ],
    ids=["member-grammar", "member-domain", "env-bidi", "argv-not-utf8"],
)
def test_a_refused_value_names_its_variable(
    args: list[str],
    env: dict[str, str],
    expected: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    case = Case("variable-name", "x", args=tuple(args))
    code, out, err, _ = run(case, tmp_path, capsys)
    assert code in (1, 2)
    assert expected in out + err
