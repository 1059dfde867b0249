"""The inputs that could hang or exhaust a process, run as a real `gkeplan` process.

A FIFO with no writer, a symlink to /dev/zero or /dev/urandom, and bytes that are not UTF-8 on
the command line. `timeout` only keeps a regression from hanging the suite; the time each case
takes is measured by benchmarks/bench_hostile.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .cases import BASE

GUARD_S = 60


def gkeplan(*args: str | bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GKEPLAN_VAR_", "GKEPLAN_D"))}
    return subprocess.run(
        [sys.executable, "-m", "gkeplan", "validate", *args],
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=GUARD_S,
        check=False,
    )


def assert_refused(proc: subprocess.CompletedProcess[bytes], where: str) -> None:
    out = proc.stdout.decode() + proc.stderr.decode()
    assert "Traceback" not in out and "internal error" not in out, out
    if where.startswith("--"):
        assert proc.returncode == 2, out
        assert f"Invalid value for {where}" in out, out
    else:
        assert proc.returncode == 1, out
        assert re.search(rf"^{re.escape(where)}:\d+:\d+: error: ", out, re.M), out


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(BASE)
    return path


def test_a_fifo_spec_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    assert_refused(gkeplan(str(fifo), cwd=tmp_path), str(fifo))


def test_a_fifo_var_file_is_refused(tmp_path: Path, spec: Path) -> None:
    fifo = tmp_path / "vars.yaml"
    os.mkfifo(fifo)
    assert_refused(gkeplan(str(spec), "--var-file", str(fifo), cwd=tmp_path), "--var-file")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_spec_linked_to_a_device_is_not_read(tmp_path: Path, device: str) -> None:
    link = tmp_path / "spec.yaml"
    link.symlink_to(device)
    assert_refused(gkeplan(str(link), cwd=tmp_path), str(link))


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_var_file_linked_to_a_device_is_not_read(tmp_path: Path, spec: Path, device: str) -> None:
    link = tmp_path / "vars.yaml"
    link.symlink_to(device)
    assert_refused(gkeplan(str(spec), "--var-file", str(link), cwd=tmp_path), "--var-file")


@pytest.mark.parametrize(
    "value",
    [b"ada\xff@example.com", b"ada\xc3@example.com", "ada\u202e@example.com".encode()],
    ids=["invalid-ff", "truncated-utf8", "bidi-override"],
)
def test_a_var_from_the_command_line_is_checked_byte_for_byte(
    tmp_path: Path, spec: Path, value: bytes
) -> None:
    proc = gkeplan(str(spec).encode(), b"--var", b"USER_EMAIL=" + value, cwd=tmp_path)
    assert_refused(proc, "--var")
    assert b"USER_EMAIL" in proc.stderr
