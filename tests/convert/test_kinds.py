"""`gkeplan convert` of one resource of each mapped type the public configurations do not use
(tests/data/terraform/all-kinds): all converted, the spec validates, and each resource is what
gkeplan will look for in GCP."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from gkeplan.cli import cli
from gkeplan.kinds import BY_NAME, expand
from gkeplan.validation.pipeline import validate

CONFIG = Path(__file__).resolve().parents[1] / "data" / "terraform" / "all-kinds"
P = "demo-project"


def test_every_mapped_type_converts_into_a_spec_that_validates(tmp_path: Path) -> None:
    out = tmp_path / "spec.yaml"
    result = CliRunner().invoke(
        cli,
        ["convert", str(CONFIG), "--var", f"project_id={P}", "--out", str(out), "--format", "json"],
    )
    report = json.loads(result.stdout)
    assert result.exit_code == 0, report["leftOut"]
    kinds = {c["address"]: c["kind"] for c in report["converted"]}
    assert kinds["google_compute_router_nat.nat"] == "router"
    assert len(kinds) == 11
    (policy,) = [
        n for n in report["notes"] if n["address"] == "google_storage_bucket_iam_policy.data"
    ]
    assert "authoritative for the whole policy" in policy["why"]
    checked = validate(out.read_text(), {}, policies=False)
    assert checked.spec is not None, [d.render() for d in checked.errors]
    nodes, _ = expand(checked.spec)
    ids = {BY_NAME[n.kind].desired(checked.spec, n).id: n for n in nodes.values()}
    sa = f"serviceAccount:image-puller@{P}.iam.gserviceaccount.com"
    repo = f"projects/{P}/locations/europe-west4/repositories/images"
    assert set(ids) == {
        f"image-puller@{P}.iam.gserviceaccount.com",
        f"{repo}|roles/artifactregistry.reader|{sa}|",
        f"buckets/{P}-data|roles/storage.objectViewer|{sa}|",
        f"buckets/{P}-data|roles/storage.objectViewer|group:ml@example.com|",
        f"projects/{P}|roles/storage.admin|group:ml@example.com|until-2027",
        f"{P}-data",
        repo,
        f"projects/{P}/global/networks/ml-vpc",
        f"projects/{P}/regions/europe-west4/subnetworks/ml-nodes",
        f"projects/{P}/regions/europe-west4/routers/ml-router",
        f"projects/{P}/global/firewalls/allow-iap-ssh",
    }
    router = BY_NAME["router"].desired(
        checked.spec, ids[f"projects/{P}/regions/europe-west4/routers/ml-router"]
    )
    assert "ml-nat" in json.dumps(router.attributes)
    # the provider's default network mode (auto_create_subnetworks Default: true) is kept
    network = ids[f"projects/{P}/global/networks/ml-vpc"].model
    assert network.auto_create_subnetworks is True
    bucket = ids[f"{P}-data"]
    assert bucket.model.lifecycle.prevent_destroy is True
