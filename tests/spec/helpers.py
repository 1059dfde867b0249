"""Helpers to write a spec to disk and collect the diagnostics gkeplan reports for it."""

from __future__ import annotations

import textwrap
from pathlib import Path

from gkeplan import validate
from gkeplan.errors import Diagnostic

BASE = """\
version: 1
project: demo-project
region: us-central1
serviceAccounts:
  gke-node:
    displayName: nodes
iam:
  - member: serviceAccount:gke-node
    roles: [roles/container.defaultNodeServiceAccount]
clusters:
  sd-cluster:
    location: us-central1-c
    nodePools:
      pool:
        machineType: n2-standard-4
        serviceAccount: gke-node
buckets:
  models:
    name: demo-project-models
"""


def diagnostics(tmp_path: Path, text: str, **variables: str) -> list[Diagnostic]:
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(text))
    return validate(path, variables, environ={}).diagnostics


def rendered(tmp_path: Path, text: str, **variables: str) -> list[str]:
    """Each diagnostic as `line:col: path: message` (file name dropped for stable asserts)."""
    out = []
    for d in diagnostics(tmp_path, text, **variables):
        where = f"{d.location.line}:{d.location.col}: " if d.location else ""
        from gkeplan.errors import format_path

        out.append(f"{where}{format_path(d.path)}: {d.message}")
    return out
