# ruff: noqa: E501  (exact messages: one message per line reads best)
"""The checks of issue 24's cluster and pool fields through `gkeplan validate`: a wrong value
is one message naming file:line:col, before anything is sent."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from gkeplan.cli import cli

from .helpers import BASE

CLUSTER = "    location: us-central1-c\n"
POOL = "        serviceAccount: gke-node\n"


def _validate(tmp_path: Path, text: str) -> tuple[int, list[str]]:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    result = CliRunner().invoke(cli, ["validate", str(path), "--no-color"])
    lines = [line.replace(str(path), "spec.yaml") for line in result.output.splitlines()]
    return result.exit_code, lines


def test_values_gke_does_not_take_are_refused_at_their_place(tmp_path: Path) -> None:
    text = BASE.replace(
        CLUSTER,
        CLUSTER + "    gatewayApi: CHANNEL_BETA\n    securityPosture: {vulnerabilityMode: FULL}\n",
    ).replace(
        POOL, POOL + "        accelerators: [{type: nvidia-tesla-t4, gpuDriverVersion: NEWEST}]\n"
    )
    code, lines = _validate(tmp_path, text)
    assert code == 1
    assert [line for line in lines if ": error: " in line] == [
        "spec.yaml:13:17: error: clusters.sd-cluster.gatewayApi: 'CHANNEL_BETA' is not allowed: input should be 'CHANNEL_DISABLED', 'CHANNEL_EXPERIMENTAL' or 'CHANNEL_STANDARD'",
        "spec.yaml:14:42: error: clusters.sd-cluster.securityPosture.vulnerabilityMode: 'FULL' is not allowed: input should be 'VULNERABILITY_DISABLED', 'VULNERABILITY_BASIC' or 'VULNERABILITY_ENTERPRISE'",
        "spec.yaml:19:66: error: clusters.sd-cluster.nodePools.pool.accelerators[0].gpuDriverVersion: 'NEWEST' is not allowed: input should be 'INSTALLATION_DISABLED', 'DEFAULT' or 'LATEST'",
    ]


def test_a_specific_reservation_names_its_reservation(tmp_path: Path) -> None:
    text = BASE.replace(
        POOL, POOL + "        reservationAffinity: {consumeReservationType: specific_reservation}\n"
    )
    code, lines = _validate(tmp_path, text)
    assert code == 1
    assert lines[:2] == [
        "spec.yaml:17:30: error: clusters.sd-cluster.nodePools.pool.reservationAffinity: a SPECIFIC_RESERVATION names its reservation: key and values are needed",
        "    hint: key: compute.googleapis.com/reservation-name, values: [RESERVATION-NAME]",
    ]
    named = text.replace(
        "{consumeReservationType: specific_reservation}",
        "{consumeReservationType: SPECIFIC_RESERVATION,"
        " key: compute.googleapis.com/reservation-name, values: [t4]}",
    )
    assert _validate(tmp_path, named)[0] == 0


def test_a_maintenance_policy_gke_would_refuse_is_refused_at_its_place(tmp_path: Path) -> None:
    text = BASE.replace(
        CLUSTER,
        CLUSTER
        + "    maintenancePolicy:\n"
        + "      dailyWindowStartTime: '3:00'\n"
        + "      exclusions:\n"
        + "        - {name: launch, startTime: '2026-11-20', endTime: '2026-11-30T00:00:00Z'}\n",
    )
    code, lines = _validate(tmp_path, text)
    assert code == 1
    assert [line for line in lines if ": error: " in line] == [
        "spec.yaml:14:29: error: clusters.sd-cluster.maintenancePolicy.dailyWindowStartTime: '3:00' is not a GMT time of day HH:MM, e.g. '03:00' (quote it in YAML)",
        "spec.yaml:16:37: error: clusters.sd-cluster.maintenancePolicy.exclusions[0].startTime: '2026-11-20' has no time zone: end it with Z (UTC) or an offset such as +02:00",
    ]
    both = (
        text.replace("'3:00'", "'03:00'")
        .replace("'2026-11-20'", "'2026-12-20T00:00:00Z'")
        .replace(
            "      exclusions:\n",
            "      recurringWindow: {startTime: '2026-01-03T04:00:00Z',"
            " endTime: '2026-01-03T08:00:00Z', recurrence: 'FREQ=WEEKLY;BYDAY=SA'}\n"
            "      exclusions:\n",
        )
    )
    code, lines = _validate(tmp_path, both)
    assert code == 1
    assert [line for line in lines if ": error: " in line] == [
        "spec.yaml:15:24: error: clusters.sd-cluster.maintenancePolicy.recurringWindow: a maintenance policy has one window: dailyWindowStartTime or recurringWindow, not both",
        "spec.yaml:17:70: error: clusters.sd-cluster.maintenancePolicy.exclusions[0].endTime: exclusion launch ends before it starts",
    ]


def test_queued_provisioning_takes_no_reservation(tmp_path: Path) -> None:
    text = BASE.replace(POOL, POOL + "        queuedProvisioning: true\n")
    code, lines = _validate(tmp_path, text)
    assert code == 1
    assert lines[0] == (
        'spec.yaml:17:29: error: clusters.sd-cluster.nodePools.pool.queuedProvisioning: queued provisioning takes no reservation: GKE refuses it unless reservation affinity is NO_RESERVATION, not unset ("Queued_provisioning requires reservation affinity to be set to none")'
    )
    none = text.replace(
        "        queuedProvisioning: true\n",
        "        queuedProvisioning: true\n"
        "        reservationAffinity: {consumeReservationType: NO_RESERVATION}\n",
    )
    assert _validate(tmp_path, none)[0] == 0


def test_per_zone_and_total_limits_are_one_or_the_other(tmp_path: Path) -> None:
    text = BASE.replace(
        POOL, POOL + "        autoscaling: {maxNodeCount: 3, totalMaxNodeCount: 6}\n"
    )
    code, lines = _validate(tmp_path, text)
    assert code == 1
    assert lines[0] == (
        "spec.yaml:17:22: error: clusters.sd-cluster.nodePools.pool.autoscaling: autoscaling limits are per zone (minNodeCount, maxNodeCount) or for the whole pool (totalMinNodeCount, totalMaxNodeCount), not both"
    )
    inverted = text.replace(
        "maxNodeCount: 3, totalMaxNodeCount: 6", "totalMinNodeCount: 7, totalMaxNodeCount: 6"
    )
    code, lines = _validate(tmp_path, inverted)
    assert code == 1
    assert lines[0].endswith("totalMinNodeCount 7 is greater than totalMaxNodeCount 6")
    fine = text.replace("maxNodeCount: 3, totalMaxNodeCount: 6", "totalMaxNodeCount: 6")
    assert _validate(tmp_path, fine)[0] == 0


def test_a_pod_pids_limit_out_of_gkes_range_is_refused(tmp_path: Path) -> None:
    text = BASE.replace(POOL, POOL + "        kubeletConfig: {podPidsLimit: 100}\n")
    code, lines = _validate(tmp_path, text)
    assert code == 1
    assert lines[0].startswith(
        "spec.yaml:17:39: error: clusters.sd-cluster.nodePools.pool.kubeletConfig.podPidsLimit:"
    )
    assert "1024" in lines[0]


def test_the_secret_manager_add_on_without_workload_identity_warns(tmp_path: Path) -> None:
    text = BASE.replace(CLUSTER, CLUSTER + "    secretManager: true\n    workloadIdentity: false\n")
    code, lines = _validate(tmp_path, text)
    assert code == 0  # a warning: GKE's own answer is not sourced
    assert lines[0] == (
        "spec.yaml:13:20: warning: clusters.sd-cluster.secretManager: the Secret Manager add-on reads secrets as the pod's Workload Identity, which this cluster has off (workloadIdentity: false)"
    )
