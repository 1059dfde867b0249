"""The README's sample outputs are what the commands print.

Every ```console block of the README is run, in README order, in one scratch directory (with
a copy of examples/ and no gcloud configuration; a git repository, as a project is, so that
`gkeplan init` finds its root): each `$ gkeplan ...` line is a command, the
lines up to the next `$` are its stdout; a line `...` stands for any number of lines."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from gkeplan.cli import cli

from .helpers import EXAMPLES, ROOT

README = ROOT / "README.md"


def _samples() -> list[tuple[str, list[str]]]:
    blocks = re.findall(r"```console\n(.*?)```", README.read_text(), re.S)
    samples: list[tuple[str, list[str]]] = []
    for block in blocks:
        for line in block.splitlines():
            if line.startswith("$ "):
                samples.append((line[2:], []))
            else:
                samples[-1][1].append(line)
    return samples


def _matches(expected: list[str], actual: str) -> bool:
    parts = ["(?:.*\\n)*?" if ln == "..." else re.escape(ln) + "\\n" for ln in expected]
    return re.fullmatch("".join(parts), actual) is not None


def test_there_are_samples_to_check() -> None:
    commands = [c for c, _ in _samples()]
    for needed in ("gkeplan --version", "gkeplan init", "gkeplan output", "--format markdown"):
        assert any(needed in c for c in commands), needed


def test_readme_samples_are_real_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path)
    env = {"CLOUDSDK_CONFIG": str(tmp_path / "no-gcloud"), "NO_COLOR": "1"}
    for command, expected in _samples():
        argv = shlex.split(command)
        assert argv[0] == "gkeplan", command
        result = CliRunner().invoke(cli, argv[1:], env=env, prog_name="gkeplan")
        assert _matches(expected, result.stdout), (
            f"$ {command}\n--- README\n" + "\n".join(expected) + "\n--- real\n" + result.stdout
        )
