from __future__ import annotations

from gkeplan import catalog


def test_machine_types_and_locations() -> None:
    mt = catalog.machine_type("n2-standard-4")
    assert mt is not None and (mt.vcpus, mt.family, mt.gpus) == (4, "n2", 0)
    assert catalog.machine_available("n2-standard-4", "us-central1-c")
    assert catalog.is_zone("europe-west10-a")  # a zone is valid when its region is
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
    successor, source = catalog.deprecated_role("roles/container.nodeServiceAccount") or ("", "")
    assert successor == "roles/container.defaultNodeServiceAccount" and source
    assert catalog.deprecated_role("roles/container.admin") is None
    assert "iam.serviceAccounts.actAs" not in catalog.role_permissions("roles/container.admin")
    granting = catalog.roles_granting({"iam.serviceAccounts.actAs"})
    basic = [r for r in granting if catalog.is_basic_role(r)]
    assert basic and granting[-len(basic) :] == tuple(basic)  # basic roles come last
    assert "roles/iam.serviceAccountUser" in granting[:10]


def test_prices_match_the_figures_the_reference_snapshot_quotes() -> None:
    """The expected figures come from ../shared/reference/gcp-pricing/README.md (Cyclenerd
    pricing.yml fd66b26 from Google's Cloud Billing Catalog, 2026-07-30), not from the data
    file under test: a build that misread the snapshot fails here."""
    prices = catalog.prices()
    assert prices.machine_hourly("us-central1", "n2-standard-4", spot=True) == 0.09212
    assert prices.disk_gb_month("us-central1", "pd-balanced") == 0.1
    assert prices.storage_gb_month("us-central1", "STANDARD") == 0.02
