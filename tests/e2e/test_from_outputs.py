"""`from:` through the CLI against `gkeplan sandbox serve`: two specs, network and firewall
rules, the second reading the first's output from its GCS state at plan time; the first's
output changing shows in the second's plan; validate needs no state; a missing output or
state is refused at the reference's file:line:col."""

from __future__ import annotations

from pathlib import Path

from .cli_sandbox import User, server, user

__all__ = ["server", "user"]

NETWORK = """\
version: 1
project: demo-project
region: us-central1
state: {backend: gcs, bucket: demo-project-tfstate, prefix: network}
networks:
  blue: {autoCreateSubnetworks: false}
  green: {autoCreateSubnetworks: false}
outputs:
  serving_network:
    value: network.blue.name
"""

RULES = """\
version: 1
project: demo-project
region: us-central1
state: {backend: gcs, bucket: demo-project-tfstate, prefix: rules}
firewalls:
  allow-health-checks:
    network:
      from: {spec: network.yaml, output: serving_network}
    sourceRanges: [35.191.0.0/16]
    allow: [{protocol: tcp, ports: ["8080"]}]
"""


def _state_bucket(user: User) -> None:
    storage = user.sandbox.conn().storage()
    bucket = storage.bucket("demo-project-tfstate")
    bucket.versioning_enabled = True
    bucket.iam_configuration.uniform_bucket_level_access_enabled = True
    storage.create_bucket(bucket, location="us-central1")


def _specs(tmp: Path) -> tuple[str, str]:
    (tmp / "network.yaml").write_text(NETWORK)
    (tmp / "rules.yaml").write_text(RULES)
    return str(tmp / "network.yaml"), str(tmp / "rules.yaml")


def test_a_spec_reads_another_specs_output_and_follows_its_change(user: User) -> None:
    _state_bucket(user)
    network, rules = _specs(user.tmp)
    assert user.run("apply", network, "--auto-approve", state=False).exit_code == 0
    first = user.run("apply", rules, "--auto-approve", state=False)
    assert first.exit_code == 0, first.output
    assert 'network = "blue"' in first.output
    (user.tmp / "network.yaml").write_text(
        NETWORK.replace("network.blue.name", "network.green.name")
    )
    assert user.run("apply", network, "--auto-approve", state=False).exit_code == 0
    plan = user.run("plan", rules, state=False)
    assert plan.exit_code == 0, plan.output
    assert '"blue" -> "green"' in plan.output


def test_a_state_location_is_read_as_well(user: User) -> None:
    _state_bucket(user)
    network, rules = _specs(user.tmp)
    assert user.run("apply", network, "--auto-approve", state=False).exit_code == 0
    by_state = RULES.replace("spec: network.yaml", "state: gs://demo-project-tfstate/network")
    (user.tmp / "rules.yaml").write_text(by_state)
    plan = user.run("plan", rules, state=False)
    assert plan.exit_code == 0, plan.output
    assert 'network = "blue"' in plan.output
    listed = user.run("output", "--state", "gs://demo-project-tfstate/network", state=False)
    assert "serving_network = blue" in listed.output


def test_validate_needs_no_state_and_a_missing_one_is_refused_where_it_is_read(
    user: User,
) -> None:
    _state_bucket(user)
    _, rules = _specs(user.tmp)
    checked = user.run("validate", rules, state=False, endpoint=False)
    assert checked.exit_code == 0, checked.output
    plan = user.run("plan", rules, state=False)
    assert plan.exit_code == 1
    assert "rules.yaml:8:7: error: firewalls.allow-health-checks.network: from: " in plan.output
    assert "output serving_network of spec network.yaml: that state does not exist yet" in (
        plan.output
    )
