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
