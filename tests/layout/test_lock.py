"""The venv `make test` builds holds exactly the versions in requirements.lock: no more, no
fewer, none other (pip freeze against the lock's pins that apply to this machine)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"


def _locked() -> dict[str, str]:
    """The lock's pins whose markers hold here (a universal lock also pins, say, colorama
    for Windows), by canonical name."""
    pins: dict[str, str] = {}
    for line in LOCK.read_text().splitlines():
        if not line or line[0].isspace() or line.startswith("#"):
            continue  # hashes and `# via` lines are indented
        req = Requirement(line.rstrip(" \\"))
        if req.marker is not None and not req.marker.evaluate():
            continue
        (spec,) = req.specifier
        assert spec.operator == "==", line
        pins[canonicalize_name(req.name)] = spec.version
    return pins


def _installed() -> dict[str, str]:
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installed: dict[str, str] = {}
    for line in frozen.splitlines():
        name, sep, version = line.partition("==")
        assert sep, f"not installed from the index: {line}"
        installed[canonicalize_name(name)] = version
    return installed


def test_the_lock_parses_and_pins_gkeplans_dependencies() -> None:
    pins = _locked()
    for name in ("pydantic", "google-cloud-container", "grpcio", "pytest", "uv"):
        assert name in pins, name


def test_the_venv_holds_exactly_the_locked_versions() -> None:
    locked, installed = _locked(), _installed()
    missing = sorted(set(locked) - set(installed))
    extra = sorted(set(installed) - set(locked))
    other = sorted(
        f"{n} {installed[n]} (locked {locked[n]})"
        for n in set(locked) & set(installed)
        if installed[n] != locked[n]
    )
    assert (missing, extra, other) == ([], [], []), "make test installs from the lock"
