"""One name per concept: the Free Trial's quota profile and pack are `free-trial` everywhere
(spec, pack, `sandbox serve`); `free-tier`, the old name, works with a warning naming the new."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from gkeplan.cli import cli
from gkeplan_emulator.cli import sandbox

from .helpers import EXAMPLE


def _validate(
    tmp_path: Path, old: str, new: str, code: int = 0, edit: tuple[str, str] = ("", "")
) -> list[str]:
    """validate's output for the example with `old` in its packs line, then with `new`."""
    out = []
    for text in (old, new):
        spec = tmp_path / "spec.yaml"
        example = EXAMPLE.replace("packs: [free-trial,", text, 1)
        spec.write_text(example.replace(*edit) if edit[0] else example)
        result = CliRunner().invoke(
            cli, ["validate", str(spec), "--var", "PROJECT_ID=demo-project"]
        )
        assert result.exit_code == code, result.output
        out.append(result.output)
    return out


def test_the_old_pack_name_runs_the_same_pack_with_a_warning_at_its_line(tmp_path: Path) -> None:
    old, new = _validate(tmp_path, "packs: [free-tier,", "packs: [free-trial,")
    assert "spec.yaml:16:11: warning: policy.packs[0]: policy pack free-tier is now called " in old
    assert "hint: packs: [free-trial, ...]" in old
    assert "free-tier" not in new
    assert old.endswith("valid (10 resources; 0 errors, 1 warnings, 9 notes)\n")
    assert new.endswith("valid (10 resources; 0 errors, 0 warnings, 9 notes)\n")
    # the pack runs under its old name: 3 nodes of 4 N2 vCPUs are over the Free Trial's 8
    over = ("initialNodeCount: 1", "initialNodeCount: 3")
    refused = _validate(tmp_path, "packs: [free-tier,", "packs: [free-trial,", 1, over)
    assert all("error [FT001]" in out for out in refused)


def test_the_old_quota_profile_name_warns_in_the_spec(tmp_path: Path) -> None:
    old, new = _validate(
        tmp_path,
        "quotaProfile: free-tier\n  packs: [free-trial,",
        "quotaProfile: free-trial\n  packs: [free-trial,",
    )
    assert "warning: policy.quotaProfile: quota profile free-tier is now called free-trial" in old
    assert "quota profile" not in new


def test_sandbox_serve_names_the_old_profile_name_in_a_warning() -> None:
    # (tests/emulator/test_cli.py serves with it: the same limits as free-trial)
    result = CliRunner().invoke(
        sandbox, ["serve", "--quota-profile", "free-tier", "--quota", "not-a-limit"]
    )
    assert result.exit_code == 2  # the bad --quota, after the name was understood
    assert "Warning: --quota-profile free-tier is now free-trial" in result.stderr
    shown = " ".join(CliRunner().invoke(sandbox, ["serve", "--help"]).output.split())
    assert "free-trial (GCP's Free Trial)" in shown
