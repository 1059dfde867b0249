"""gkeplan as its own process freezes the garbage collector's objects as it exits (the
interpreter's final collection over a large spec's objects was 0.3 s of a 10,000-resource
validate); a program that calls `main(args)` keeps its collector as it was."""

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


def test_the_entry_point_freezes_the_collector_as_it_exits_and_keeps_its_exit_code() -> None:
    # atexit runs after main has returned or raised SystemExit: what the process left behind
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0, file=sys.stderr))\n"
        "from gkeplan.cli import main\n"
        f"sys.argv = ['gkeplan', *{ARGS!r}]\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stdout
    assert "frozen True" in proc.stderr
    bad = subprocess.run(
        [sys.executable, "-c", probe.replace("PROJECT_ID=demo-project", "PROJECT_ID=Bad_Id")],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "frozen True" in bad.stderr
