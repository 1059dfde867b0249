"""Run python-docs-samples' IAM snippets tests, unmodified, against an emulator: a pytest
subprocess whose Google clients are pointed at the emulator by _emulator_redirect.py, and the
outcome of each test read from its JUnit XML report."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from gkeplan_emulator import Emulator
from gkeplan_emulator.authz import project_resource

HERE = Path(__file__).parent
ENV_VAR = "GKEPLAN_EXTERNAL_DOCS_SAMPLES"
SNIPPETS = Path("iam/cloud-client/snippets")
# The identity the suite runs as: what its tests assume of Google's CI account, which can
# administer roles, accounts, keys and project IAM but not delete the project
# (test_query_testable_permissions asserts resourcemanager.projects.delete is not held).
RUNNER = "user:snippets-runner@example.com"
RUNNER_ROLES = (
    "roles/iam.roleAdmin",
    "roles/iam.serviceAccountAdmin",
    "roles/iam.serviceAccountKeyAdmin",
    "roles/resourcemanager.projectIamAdmin",
)


@dataclass
class Outcome:
    passed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # test id -> first line of the failure
    skipped: list[str] = field(default_factory=list)
    output: str = ""

    @property
    def total(self) -> int:
        return len(self.passed) + len(self.failed) + len(self.skipped)


def checkout() -> Path | None:
    root = os.environ.get(ENV_VAR)
    if not root or not (Path(root) / SNIPPETS).is_dir():
        return None
    return Path(root)


def run_snippets(emulator: Emulator, root: Path, transport: str, tmp: Path) -> Outcome:
    report = tmp / f"iam-{transport}.xml"
    for role in RUNNER_ROLES:
        emulator.backend.policies.grant(project_resource(emulator.config.project), role, RUNNER)
    env = {
        **os.environ,
        "GKEPLAN_EMULATOR_HTTP": emulator.endpoints.http,
        "GKEPLAN_EMULATOR_GRPC": emulator.endpoints.grpc,
        "GKEPLAN_EMULATOR_TOKEN": emulator.issue_token(RUNNER),
        "GKEPLAN_EMULATOR_TRANSPORT": transport,
        "GOOGLE_CLOUD_PROJECT": emulator.config.project,
        "PYTHONPATH": str(HERE),
        "PYTHONDONTWRITEBYTECODE": "1",  # leave their checkout as it was
    }
    env.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
    cmd = [
        sys.executable, "-m", "pytest", "-p", "_emulator_redirect", "-p", "no:cacheprovider",
        "-p", "no:randomly", "-q", "-rfE", f"--junitxml={report}", SNIPPETS.name,
    ]  # fmt: skip
    proc = subprocess.run(
        cmd, cwd=root / SNIPPETS.parent, env=env, capture_output=True, text=True, timeout=900
    )
    outcome = Outcome(output=proc.stdout[-20000:] + proc.stderr[-5000:])
    for case in ET.parse(report).getroot().iter("testcase"):
        name = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}"
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            outcome.failed[name] = (problem.get("message") or "").splitlines()[0][:300]
        elif case.find("skipped") is not None:
            outcome.skipped.append(name)
        else:
            outcome.passed.append(name)
    return outcome
