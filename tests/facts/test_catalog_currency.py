"""K1, K2, P6, P7: the catalog is current, and what it does not know can be waived."""

from __future__ import annotations

from pathlib import Path

from .helpers import SPEC, cli_validate, edit, findings


def test_current_generation_machines_and_new_regions_validate(tmp_path: Path) -> None:
    for machine, region in [
        ("n4-standard-4", "europe-west10"),
        ("c4-standard-4", "us-central1"),
        ("c3d-standard-4", "us-central1"),
        ("c3-standard-4", "us-central1"),
        ("c4a-standard-4", "europe-north2"),
    ]:
        text = SPEC.replace("us-central1", region).replace("e2-standard-2", machine)
        assert findings(tmp_path, text, "CT001") == [], (machine, region)


def test_a3_is_known_with_its_built_in_gpus(tmp_path: Path) -> None:
    text = edit("e2-standard-2", "a3-highgpu-8g")
    assert findings(tmp_path, text, "CT001") == []


def test_unknown_machine_type_is_a_waivable_error_naming_the_catalog_date(tmp_path: Path) -> None:
    text = edit("e2-standard-2", "n9-standard-4")
    ((rule, sev, res, msg, fix),) = findings(tmp_path, text, "CT001")
    assert (rule, sev, res) == ("CT001", "error", "nodePool.c.p")
    assert (
        msg == "machine type n9-standard-4 is not in gkeplan's machine type catalog of 2026-08-17"
    )
    assert "waive: policy.exceptions: [{rule: CT001, resource: nodePool.c.p" in fix
    waived = text + (
        "policy:\n  exceptions:\n"
        "    - {rule: CT001, resource: nodePool.c.p, reason: released after the catalog}\n"
    )
    assert findings(tmp_path, waived, "CT001") == []
    result = cli_validate(tmp_path, waived)
    assert "unknown machine type" not in result.output
    assert "CT001" in result.output  # reported as waived, not hidden


def test_unknown_region_and_zone_are_waivable(tmp_path: Path) -> None:
    text = SPEC.replace("us-central1", "mars-north1")
    got = findings(tmp_path, text, "CT001")
    assert {(r[2], r[3]) for r in got} == {
        ("project", "region mars-north1 is not in gkeplan's location catalog of 2026-08-17"),
        ("cluster.c", "region mars-north1 is not in gkeplan's location catalog of 2026-08-17"),
    }
    waived = text + (
        "policy:\n  exceptions:\n    - {rule: CT001, resource: '*', reason: new region}\n"
    )
    assert cli_validate(tmp_path, waived).exit_code == 0


def test_a_zone_of_a_known_region_is_valid_even_if_the_zone_list_predates_it(
    tmp_path: Path,
) -> None:
    text = SPEC.replace("us-central1-c", "europe-west10-b").replace("us-central1", "europe-west10")
    assert findings(tmp_path, text, "CT001") == []


def test_deprecated_role_warns_with_its_successor(tmp_path: Path) -> None:
    text = edit("roles/container.defaultNodeServiceAccount", "roles/container.nodeServiceAccount")
    got = findings(tmp_path, text, "CT001")
    assert [(r[1], r[4]) for r in got] == [
        ("warning", "use roles/container.defaultNodeServiceAccount")
    ]
    assert "is deprecated" in got[0][3] and "removed by Google" not in got[0][3]
    # the deprecated role still grants what nodes need: no LP006 finding
    assert findings(tmp_path, text, "LP006") == []
    assert cli_validate(tmp_path, text).exit_code == 0


def test_a_role_missing_from_the_dataset_is_unknown_not_removed(tmp_path: Path) -> None:
    text = edit(
        "roles: [roles/container.defaultNodeServiceAccount]",
        "roles: [roles/container.defaultNodeServiceAccount, roles/workstations.workstationUser]",
    )
    ((rule, sev, _, msg, fix),) = findings(tmp_path, text, "CT001")
    assert (rule, sev) == ("CT001", "error")
    assert msg == (
        "role roles/workstations.workstationUser is not in gkeplan's role catalog of 2026-08-22"
    )
    assert "waive" in fix


def test_misspelt_names_keep_their_did_you_mean(tmp_path: Path) -> None:
    text = edit(
        "roles/container.defaultNodeServiceAccount", "roles/container.defaultNodeServiceAcount"
    )
    ((*_, fix),) = findings(tmp_path, text, "CT001")
    assert fix.startswith("did you mean 'roles/container.defaultNodeServiceAccount'?")


def test_catalog_rule_runs_whatever_packs_the_spec_selects(tmp_path: Path) -> None:
    text = edit("e2-standard-2", "n9-standard-4") + "policy:\n  packs: []\n"
    assert [r[0] for r in findings(tmp_path, text)] == ["CT001"]
