"""`gkeplan convert` of remote and virtual google_artifact_registry_repository resources: every
argument read (none left out), upstream policies naming converted repositories by key, and a
spec that validates and plans what Terraform made."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from gkeplan.cli import cli
from gkeplan.graph.build import build_graph
from gkeplan.kinds import BY_NAME, expand
from gkeplan.validation.pipeline import validate

SECRET = "projects/demo-project/secrets/hub-token/versions/1"
MAIN_TF = f"""
variable "project_id" {{}}
provider "google" {{
  project = var.project_id
  region  = "us-central1"
}}
resource "google_artifact_registry_repository" "hub" {{
  repository_id = "hub"
  location      = "us-central1"
  format        = "DOCKER"
  mode          = "REMOTE_REPOSITORY"
  remote_repository_config {{
    description = "docker hub"
    docker_repository {{
      public_repository = "DOCKER_HUB"
    }}
    upstream_credentials {{
      username_password_credentials {{
        username                = "bot"
        password_secret_version = "{SECRET}"
      }}
    }}
  }}
}}
resource "google_artifact_registry_repository" "debian" {{
  repository_id = "debian"
  location      = "us-central1"
  format        = "APT"
  mode          = "REMOTE_REPOSITORY"
  remote_repository_config {{
    apt_repository {{
      public_repository {{
        repository_base = "DEBIAN"
        repository_path = "debian/dists/bookworm"
      }}
    }}
  }}
}}
resource "google_artifact_registry_repository" "own" {{
  repository_id = "own"
  location      = "us-central1"
  format        = "DOCKER"
}}
resource "google_artifact_registry_repository" "all" {{
  repository_id = "all"
  location      = "us-central1"
  format        = "DOCKER"
  mode          = "VIRTUAL_REPOSITORY"
  virtual_repository_config {{
    upstream_policies {{
      id         = "own"
      repository = google_artifact_registry_repository.own.id
      priority   = 100
    }}
    upstream_policies {{
      id         = "elsewhere"
      repository = "projects/other/locations/us-central1/repositories/base"
      priority   = 10
    }}
  }}
}}
"""


def test_remote_and_virtual_repositories_convert_whole(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN_TF)
    out = tmp_path / "spec.yaml"
    result = CliRunner().invoke(
        cli,
        [
            *("convert", str(tmp_path), "--var", "project_id=demo-project"),
            *("--out", str(out), "--format", "json"),
        ],
    )
    report = json.loads(result.stdout)
    assert result.exit_code == 0, report
    assert report["leftOut"] == [] and len(report["converted"]) == 4
    checked = validate(out.read_text(), {}, policies=False)
    assert checked.spec is not None, [d.render() for d in checked.errors]
    nodes, _ = expand(checked.spec)
    kind = BY_NAME["artifactRepository"]
    desired = {a: kind.desired(checked.spec, n).attributes for a, n in nodes.items()}
    hub = desired["artifactRepository.hub"]
    assert hub["mode"] == "REMOTE_REPOSITORY"
    assert hub["remoteRepositoryConfig"] == {
        "description": "docker hub",
        "dockerRepository": {"publicRepository": "DOCKER_HUB"},
    }
    assert hub["upstreamCredentials"] == {
        "usernamePasswordCredentials": {"username": "bot", "passwordSecretVersion": SECRET}
    }
    assert desired["artifactRepository.debian"]["remoteRepositoryConfig"] == {
        "aptRepository": {
            "publicRepository": {
                "repositoryBase": "DEBIAN",
                "repositoryPath": "debian/dists/bookworm",
            }
        }
    }
    assert desired["artifactRepository.all"]["virtualRepositoryConfig"] == {
        "upstreamPolicies": [
            {
                "id": "elsewhere",
                "repository": "projects/other/locations/us-central1/repositories/base",
                "priority": 10,
            },
            {
                "id": "own",
                "repository": "projects/demo-project/locations/us-central1/repositories/own",
                "priority": 100,
            },
        ]
    }
    graph = build_graph(checked.spec)
    assert sorted(graph.predecessors("artifactRepository.all")) == ["artifactRepository.own"]
