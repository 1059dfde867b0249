from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gkeplan import catalog

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"
DATA = Path(catalog.__file__).parent / "data"


def test_machine_types_and_locations() -> None:
    mt = catalog.machine_type("n2-standard-4")
    assert mt is not None and (mt.vcpus, mt.family, mt.gpus) == (4, "n2", 0)
    assert catalog.machine_available("n2-standard-4", "us-central1-c")
    assert {"us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"} <= set(
        catalog.regions()["us-central1"]
    )
    assert catalog.region_of("us-central1-c") == "us-central1"
    assert catalog.cpu_quota_metric("n2") == "N2_CPUS"
    assert catalog.cpu_quota_metric("e2") == "CPUS"
    g2 = catalog.machine_type("g2-standard-4")
    assert g2 is not None and (g2.gpus, g2.gpu_type) == (1, "nvidia-l4")


def test_roles() -> None:
    assert "roles/container.clusterAdmin" in catalog.role_names()
    assert catalog.removed_role("roles/container.nodeServiceAccount") == (
        "roles/container.defaultNodeServiceAccount"
    )
    assert catalog.removed_role("roles/container.admin") is None
    assert "iam.serviceAccounts.actAs" not in catalog.role_permissions("roles/container.admin")
    granting = catalog.roles_granting({"iam.serviceAccounts.actAs"})
    basic = [r for r in granting if catalog.is_basic_role(r)]
    assert basic and granting[-len(basic) :] == tuple(basic)  # basic roles come last
    assert "roles/iam.serviceAccountUser" in granting[:10]


def test_prices() -> None:
    prices = catalog.prices()
    assert prices.machine_hourly("us-central1", "n2-standard-4", spot=True) == 0.09212
    assert prices.disk_gb_month("us-central1", "pd-balanced") == 0.1
    assert prices.storage_gb_month("us-central1", "STANDARD") == 0.02


@pytest.mark.skipif(not REFERENCE.exists(), reason="the reference snapshot lives beside the repo")
def test_generator_reproduces_the_committed_data(tmp_path: Path) -> None:
    build = Path(catalog.__file__).parent / "build.py"
    out = tmp_path / "data"
    code = (
        f"import runpy, sys; sys.argv=['build', '--reference', {str(REFERENCE)!r}]; "
        f"import gkeplan.catalog.build as b; b.DATA = __import__('pathlib').Path({str(out)!r});"
        " b.main()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    for name in ("roles.json", "role-permissions.json", "machines.json", "prices.json"):
        assert json.loads((out / name).read_text()) == json.loads((DATA / name).read_text()), name
    _ = build
