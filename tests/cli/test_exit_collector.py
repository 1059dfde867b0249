"""gkeplan as its own process freezes the garbage collector's objects as it exits (the
interpreter's final collection over a large spec's objects was 0.3 s of a 10,000-resource
validate) and runs its read-only commands (validate, graph) without the collector; a program
that calls `main(args)` keeps its collector as it was."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from gkeplan.cli import main

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = str(ROOT / "examples" / "stable-diffusion.yaml")
ARGS = ["validate", TUTORIAL, "--var", "PROJECT_ID=demo-project"]


def test_main_called_with_arguments_leaves_the_callers_collector_alone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = gc.get_freeze_count()
    with pytest.raises(SystemExit) as info:
        main(ARGS)
    assert info.value.code == 0, capsys.readouterr()
    assert gc.get_freeze_count() == before
    assert gc.isenabled()


def _entry_point(args: list[str]) -> subprocess.CompletedProcess[str]:
    """gkeplan as the process, reporting its collector once main has exited (atexit runs
    after main has returned or raised SystemExit)."""
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('collector', gc.isenabled(), gc.get_freeze_count() > 0,"
        " file=sys.stderr))\n"
        "from gkeplan.cli import main\n"
        f"sys.argv = ['gkeplan', *{args!r}]\n"
        "main()\n"
    )
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)


def test_the_entry_point_validates_without_the_collector_and_freezes_it_as_it_exits() -> None:
    proc = _entry_point(["--no-color", *ARGS])
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stdout
    assert "collector False True" in proc.stderr
    bad = _entry_point([a.replace("demo-project", "Bad_Id") for a in ARGS])
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "collector False True" in bad.stderr


def test_the_entry_point_keeps_the_collector_for_other_commands() -> None:
    proc = _entry_point(["state", "--help"])
    assert proc.returncode == 0, proc.stderr
    assert "collector True True" in proc.stderr
