"""`gkeplan convert` of google_secret_manager_secret and google_secret_manager_regional_secret
(and their IAM members): converted, the spec validates, and each is the secret gkeplan will
look for in GCP (a regional one by its regional name)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from gkeplan.cli import cli
from gkeplan.kinds import BY_NAME, expand
from gkeplan.validation.pipeline import validate

P = "demo-project"
KEY = f"projects/{P}/locations/us-central1/keyRings/r/cryptoKeys/k"
MAIN_TF = f"""
variable "project_id" {{}}
provider "google" {{
  project = var.project_id
  region  = "us-central1"
}}
resource "google_secret_manager_secret" "wandb" {{
  secret_id = "wandb-key"
  labels    = {{ app = "training" }}
  replication {{
    user_managed {{
      replicas {{
        location = "us-central1"
      }}
      replicas {{
        location = "us-east1"
      }}
    }}
  }}
}}
resource "google_secret_manager_regional_secret" "hf" {{
  secret_id   = "hf-token"
  location    = "us-central1"
  annotations = {{ owner = "ml" }}
  customer_managed_encryption {{
    kms_key_name = "{KEY}"
  }}
  version_aliases = {{ current = "1" }}
}}
resource "google_secret_manager_regional_secret_iam_member" "reader" {{
  secret_id = google_secret_manager_regional_secret.hf.secret_id
  location  = "us-central1"
  role      = "roles/secretmanager.secretAccessor"
  member    = "user:ana@example.com"
}}
resource "google_secret_manager_secret_iam_member" "wandb_reader" {{
  secret_id = google_secret_manager_secret.wandb.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "user:ana@example.com"
}}
"""


def test_global_and_regional_secrets_and_their_grants_convert(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN_TF)
    out = tmp_path / "spec.yaml"
    result = CliRunner().invoke(
        cli,
        [
            *("convert", str(tmp_path), "--var", f"project_id={P}"),
            *("--out", str(out), "--format", "json"),
        ],
    )
    report = json.loads(result.stdout)
    kinds = {c["address"]: c["kind"] for c in report["converted"]}
    assert kinds == {
        "google_secret_manager_secret.wandb": "secret",
        "google_secret_manager_regional_secret.hf": "secret",
        "google_secret_manager_regional_secret_iam_member.reader": "iamMember",
        "google_secret_manager_secret_iam_member.wandb_reader": "iamMember",
    }
    # version aliases point at versions, i.e. at values: not gkeplan's
    assert [i["what"] for i in report["leftOut"]] == ["version_aliases"]
    checked = validate(out.read_text(), {}, policies=False)
    assert checked.spec is not None, [d.render() for d in checked.errors]
    nodes, _ = expand(checked.spec)
    ids = {BY_NAME[n.kind].desired(checked.spec, n).id for n in nodes.values()}
    regional = f"projects/{P}/locations/us-central1/secrets/hf-token"
    assert ids == {
        f"projects/{P}/secrets/wandb-key",
        regional,
        f"{regional}|roles/secretmanager.secretAccessor|user:ana@example.com|",
        f"projects/{P}/secrets/wandb-key|roles/secretmanager.secretAccessor|user:ana@example.com|",
    }
    hf = BY_NAME["secret"].desired(checked.spec, nodes["secret.hf-token"]).attributes
    assert hf["replication"] == "regional" and hf["kmsKeyNames"] == {"regional": KEY}
