"""`gkeplan import --generate` through the CLI against `gkeplan sandbox serve`: a project holding
what examples/gpu-serving.yaml makes (applied with a state of its own) and resources made
outside gkeplan with Google's clients, some of them GCP's own (the default network and its
rule, a GKE firewall rule, grants to a service agent and to the Compute Engine default
account). The generated spec validates, adopting it makes the next plan "No changes.", and a
destroy of it deletes what it adopted and nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from google.cloud.compute_v1.types import Allowed, Firewall, Network

from .cli_sandbox import Sandbox, User

P = "demo-project"
# the GPU quota gpu-serving.yaml says was granted (its policy.quotas)
QUOTAS = ("G2_CPUS=8", "NVIDIA_L4_GPUS=1", "GPUS_ALL_REGIONS=1")


@pytest.fixture(scope="module")
def server() -> Iterator[Sandbox]:
    sandbox = Sandbox("--quota-profile", "default", *(a for q in QUOTAS for a in ("--quota", q)))
    yield sandbox
    sandbox.stop()


@pytest.fixture
def person(server: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> User:
    server.reset()
    monkeypatch.chdir(tmp_path)
    person = User(server, tmp_path)
    person.write(GPU_SERVING.read_text())
    applied = person.apply()
    assert applied.exit_code == 0, applied.output
    return person


GPU_SERVING = Path(__file__).resolve().parents[2] / "examples" / "gpu-serving.yaml"
AGENT = "serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com"
COMPUTE_DEFAULT = "serviceAccount:123456789012-compute@developer.gserviceaccount.com"
GKE_RULE = "gke-gpu-serving-1a2b3c4d-all"


def _wait(op: object) -> None:
    op.result(timeout=30)  # type: ignore[attr-defined]


def _outside(user: User) -> None:
    """What exists besides gpu-serving's resources, made with Google's clients: a person's own
    account and bucket, and what GCP makes itself."""
    conn = user.sandbox.conn()
    conn.iam().create_service_account(
        request={
            "name": f"projects/{P}",
            "account_id": "batch-jobs",
            "service_account": {"display_name": "made with gcloud"},
        }
    )
    storage = conn.storage()
    bucket = storage.bucket(f"{P}-outside")
    bucket.iam_configuration.uniform_bucket_level_access_enabled = True
    bucket.iam_configuration.public_access_prevention = "enforced"
    storage.create_bucket(bucket, location="us-central1")
    networks = conn.compute("networks")
    default = Network(name="default", auto_create_subnetworks=True)
    _wait(networks.insert(project=P, network_resource=default))
    firewalls = conn.compute("firewalls")
    for name, network, ranges, ports in (
        ("default-allow-ssh", "default", ["0.0.0.0/0"], ["22"]),
        (GKE_RULE, "default", ["10.20.0.0/14"], []),
    ):
        rule = Firewall(
            name=name,
            network=f"projects/{P}/global/networks/{network}",
            source_ranges=ranges,
            allowed=[Allowed(I_p_protocol="tcp", ports=ports)],
            priority=65534 if network == "default" else 1000,
        )
        _wait(firewalls.insert(project=P, firewall_resource=rule))
    projects = conn.projects()
    policy = projects.get_iam_policy(request={"resource": f"projects/{P}"})
    policy.bindings.add(role="roles/container.serviceAgent", members=[AGENT])
    policy.bindings.add(role="roles/editor", members=[COMPUTE_DEFAULT])
    projects.set_iam_policy(request={"resource": f"projects/{P}", "policy": policy})


def _generate(user: User, *args: str) -> Result:
    return user.run("import", "--generate", "--project", P, *args, state=False)


def _project_members(user: User) -> set[tuple[str, str]]:
    policy = user.sandbox.conn().projects().get_iam_policy(request={"resource": f"projects/{P}"})
    return {(b.role, m) for b in policy.bindings for m in b.members}


def test_a_generated_spec_validates_adopts_with_no_changes_and_destroys_only_what_it_holds(
    person: User, tmp_path: Path
) -> None:
    _outside(person)
    spec, state = tmp_path / "generated.yaml", str(tmp_path / "adopted.json")

    made = _generate(person, "--out", str(spec), "--exclude", "bucket", "--write", "--state", state)
    assert made.exit_code == 0, made.output
    err = made.stderr
    assert "listed 4 serviceAccount" in err and "listed 1 cluster, 1 nodePool" in err
    # what GCP made is left out, each with why and how it was recognised
    for left, why, source in (
        (f"projects/{P}/global/networks/default", "default network", "vpc#default-network"),
        (f"projects/{P}/global/firewalls/default-allow-ssh", "pre-populated", "#more_rules"),
        (f"projects/{P}/global/firewalls/{GKE_RULE}", "managed by GKE", "firewall-rules"),
        (f"|roles/container.serviceAgent|{AGENT}|", "a service agent", "service-agents"),
        (f"|roles/editor|{COMPUTE_DEFAULT}|", "Compute Engine default", "account-types"),
        ("|roles/owner|user:you@example.com|", "an owner of the project", "setIamPolicy"),
        ("|roles/storage.legacyBucketOwner|projectOwner:", "convenience value", "access-control"),
    ):
        lines = err.splitlines()
        at = next((i for i, x in enumerate(lines) if left in x), None)
        assert at is not None, (left, err)
        header = next(x for x in reversed(lines[:at]) if not x.startswith("      "))
        assert why in header and source in header, (left, header)
    assert "\n20 resources generated, 18 left out (see above).\n" in err, err
    assert f"Adopted 20 resources into the state {state}" in err
    text = spec.read_text()
    assert "  batch-jobs:\n    displayName: made with gcloud\n" in text
    # the secret, never a value
    assert f"secrets:\n  # projects/{P}/secrets/hf-token\n  hf-token:\n    labels:\n" in text
    # and who may read it, by the secret's key (the generator reads each grant target's own)
    assert "on: secret:hf-token" in text
    assert "buckets:" not in text  # --exclude bucket: a grant on one names it by its URL
    assert f"on: bucket:gs://{P}-models" in text

    checked = person.run("validate", str(spec), endpoint=False, state=False)
    assert checked.exit_code == 0, checked.output
    planned = person.run("plan", str(spec), "--state", state, "--detailed-exitcode", state=False)
    assert planned.exit_code == 0, planned.output
    assert "No changes." in planned.output

    # the cluster is adopted with gkeplan's deletionProtection guard on: the person lifts it
    text = text.replace("  gpu-serving:\n", "  gpu-serving:\n    deletionProtection: false\n", 1)
    spec.write_text(text)
    again = person.run("apply", str(spec), "--state", state, "--auto-approve", state=False)
    assert again.exit_code == 0, again.output
    assert "No changes. Your infrastructure matches the spec." in again.output
    gone = person.run("destroy", str(spec), "--state", state, "--auto-approve", state=False)
    assert gone.exit_code == 0, gone.output
    assert "20 destroyed" in gone.output

    conn = person.sandbox.conn()
    # what the spec held is gone, the outside account it adopted included
    accounts = {a.email for a in conn.iam().list_service_accounts(name=f"projects/{P}")}
    assert accounts == set()
    clusters = conn.container().list_clusters(parent=f"projects/{P}/locations/-").clusters
    assert list(clusters) == []
    # what it left out is untouched: both buckets (--exclude bucket), the default network and
    # its rule, GKE's rule and GCP's own grants
    buckets = {b.name for b in conn.storage().list_buckets(project=P)}
    assert buckets == {f"{P}-models", f"{P}-outside"}
    assert {n.name for n in conn.compute("networks").list(project=P)} == {"default"}
    rules = {f.name for f in conn.compute("firewalls").list(project=P)}
    assert rules == {"default-allow-ssh", GKE_RULE}
    members = _project_members(person)
    assert ("roles/container.serviceAgent", AGENT) in members
    assert ("roles/editor", COMPUTE_DEFAULT) in members
    assert ("roles/owner", "user:you@example.com") in members


def test_include_and_exclude_narrow_the_kinds_and_a_wrong_one_names_the_valid_ones(
    person: User, tmp_path: Path
) -> None:
    _outside(person)

    only = _generate(person, "--include", "serviceAccount", "--include", "bucket")
    assert only.exit_code == 0, only.output
    assert "\n6 resources generated, 0 left out (see above).\n" in only.stderr
    sections = {
        line.rstrip(":")
        for line in only.stdout.splitlines()
        if line.endswith(":") and not line.startswith((" ", "#"))
    }
    assert sections == {"serviceAccounts", "buckets"}

    networks = ("--include", "network", "--include", "default-network")
    global_only = _generate(person, *networks)
    assert global_only.exit_code == 2  # networks are global: no region to take
    assert "give it with --region" in global_only.stderr
    with_default = _generate(person, *networks, "--region", "us-central1")
    assert with_default.exit_code == 0, with_default.output
    assert "  default:\n    autoCreateSubnetworks: true\n" in with_default.stdout

    wrong = _generate(person, "--include", "buckets")
    assert wrong.exit_code == 2
    valid = "choose from: serviceAccount, iamMember, bucket, artifactRepository, secret, network"
    assert "buckets is not a kind gkeplan generates; " + valid in wrong.stderr
    assert "nodePool, default-network" in wrong.stderr
    alone = person.run("import", "bucket.models", "--spec", "s.yaml", "--write", state=False)
    assert alone.exit_code == 2
    assert "--write goes with --generate or --from-terraform" in alone.stderr
    pools = _generate(person, "--exclude", "nodePool")
    assert pools.exit_code == 2
    assert "nodePool is generated with its cluster: --exclude cluster too" in pools.stderr


def test_adopting_into_a_state_that_holds_the_same_resource_at_another_address_writes_nothing(
    person: User, tmp_path: Path
) -> None:
    """gpu-serving's state holds its bucket as bucket.models; the generated spec keys it by its
    name: one resource at two addresses would be deleted by a plan of either spec."""
    before = person.state.read_text()
    out = tmp_path / "g.yaml"
    refused = _generate(person, "--out", str(out), "--write", "--state", str(person.state))
    assert refused.exit_code == 1
    assert f"nothing was adopted into {person.state}: " in refused.stderr
    assert f"{P}-models is in the state already, as bucket.models" in refused.stderr
    assert "adopt into a state of its own (--state NEW_FILE)" in refused.stderr
    assert person.state.read_text() == before
    assert out.exists()  # the spec is written all the same


def test_what_others_made_with_other_settings_is_written_as_it_is(
    person: User, tmp_path: Path
) -> None:
    """Resources made with Google's clients and their defaults, not gkeplan's (a public zonal
    cluster with a default pool, a versioned NEARLINE bucket in EU, a subnetwork and a router
    in another region, an EGRESS deny rule, a PYTHON repository in a multi-region): the spec
    says what they are, so that adopting them plans no change."""
    from google.cloud import container_v1 as gke
    from google.cloud.compute_v1.types import Denied, Router, Subnetwork

    conn = person.sandbox.conn()
    conn.iam().create_service_account(
        request={
            "name": f"projects/{P}",
            "account_id": "etl-loader",
            "service_account": {"display_name": "ETL", "description": "nightly loads"},
        }
    )
    storage = conn.storage()
    bucket = storage.bucket(f"{P}-archive")
    bucket.storage_class = "NEARLINE"
    bucket.versioning_enabled = True
    bucket.labels = {"team": "data"}
    bucket.add_lifecycle_delete_rule(age=30)
    storage.create_bucket(bucket, location="EU")
    _wait(
        conn.compute("networks").insert(
            project=P, network_resource=Network(name="etl-net", auto_create_subnetworks=False)
        )
    )
    net = f"projects/{P}/global/networks/etl-net"
    sub = Subnetwork(name="etl-eu", network=net, ip_cidr_range="10.50.0.0/24")
    _wait(
        conn.compute("subnetworks").insert(
            project=P, region="europe-west1", subnetwork_resource=sub
        )
    )
    _wait(
        conn.compute("routers").insert(
            project=P, region="europe-west1", router_resource=Router(name="etl-router", network=net)
        )
    )
    deny = Firewall(
        name="etl-deny-egress",
        network=net,
        direction="EGRESS",
        priority=900,
        destination_ranges=["0.0.0.0/0"],
        denied=[Denied(I_p_protocol="all")],
    )
    _wait(conn.compute("firewalls").insert(project=P, firewall_resource=deny))
    registry = conn.artifact_registry()
    registry.create_repository(
        request={
            "parent": f"projects/{P}/locations/europe",
            "repository_id": "wheels",
            "repository": {"format_": "PYTHON", "labels": {"team": "data"}},
        }
    ).result(timeout=30)
    pool = gke.NodePool(
        name="default-pool", initial_node_count=1, config=gke.NodeConfig(machine_type="e2-medium")
    )
    op = conn.container().create_cluster(
        parent=f"projects/{P}/locations/us-central1-b",
        cluster=gke.Cluster(name="legacy", node_pools=[pool]),
    )
    assert op.name

    spec, state = tmp_path / "all.yaml", str(tmp_path / "all.json")
    made = _generate(person, "--out", str(spec), "--write", "--state", state)
    assert made.exit_code == 0, made.output
    assert "would still change" not in made.stderr
    text = spec.read_text()
    assert "  etl-eu:\n    network: etl-net\n    region: europe-west1\n" in text
    assert "  wheels:\n    location: europe\n    format: PYTHON\n" in text
    assert "storageClass: NEARLINE" in text and "versioning: true" in text
    planned = person.run("plan", str(spec), "--state", state, "--detailed-exitcode", state=False)
    assert planned.exit_code == 0, planned.output
    assert "No changes." in planned.output


def test_a_kind_whose_api_is_not_enabled_is_skipped_and_said_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from gkeplan.cli import cli
    from gkeplan_emulator import Emulator, EmulatorConfig

    monkeypatch.chdir(tmp_path)
    off = frozenset({"artifactregistry.googleapis.com"})
    with Emulator(EmulatorConfig(project=P, disabled_services=off)) as emu:
        emu.clients().iam().create_service_account(
            request={"name": f"projects/{P}", "account_id": "batch-jobs"}
        )
        argv = ["import", "--generate", "--project", P, "--endpoint", emu.endpoints.http]
        kinds = ["--include", "serviceAccount", "--include", "artifactRepository"]
        result = CliRunner().invoke(cli, [*argv, *kinds, "--region", "us-central1"])
    assert result.exit_code == 0, result.output
    assert (
        f"skipped artifactRepository: artifactregistry.googleapis.com is not enabled in "
        f"project {P}" in result.stderr
    )
    assert "\n1 resource generated, 0 left out (see above).\n" in result.stderr
    assert "  batch-jobs: {}\n" in result.stdout


def _applied_then_generated(person: User, text: str, tmp_path: Path) -> str:
    """`text` applied by gkeplan, then the clusters and accounts generated from what runs: the
    generated spec, which plans no change against its own state."""
    person.write(text)
    applied = person.apply()
    assert applied.exit_code == 0, applied.output
    spec, state = tmp_path / "gke.yaml", str(tmp_path / "gke.json")
    made = _generate(
        person,
        "--include",
        "cluster",
        "--include",
        "serviceAccount",
        "--out",
        str(spec),
        "--write",
        "--state",
        state,
    )
    assert made.exit_code == 0, made.output
    assert "would still change" not in made.stderr
    planned = person.run("plan", str(spec), "--state", state, "--detailed-exitcode", state=False)
    assert planned.exit_code == 0, planned.output
    assert "No changes." in planned.output
    return spec.read_text()


def test_gkes_other_fields_and_an_autopilot_cluster_are_written_as_they_run(
    server: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cluster and pool fields of issue 13 (versions, add-ons, logging, node
    auto-provisioning, Google Groups for RBAC, metadata, local SSDs...) and an Autopilot
    cluster, applied by gkeplan from another spec: the generated spec plans no change."""
    from .test_gke_fields import CLUSTER_FIELDS, POOL_FIELDS, _text

    server.reset()
    monkeypatch.chdir(tmp_path)
    person = User(server, tmp_path)
    autopilot = (
        "  auto:\n    location: us-central1\n    autopilot: true\n"
        "    nodeAutoProvisioning: {autoProvisioningDefaults: {serviceAccount: gke-node}}\n"
        "    nodePoolAutoConfig:\n"
        "      {networkTags: [serving], resourceManagerTags: {tagKeys/1: tagValues/2}}\n"
        "    deletionProtection: false\n\nbuckets:\n"
    )
    text = (
        _text(CLUSTER_FIELDS, POOL_FIELDS)
        .replace("\nbuckets:\n", "\n" + autopilot, 1)
        .replace(
            "      autoProvisioningDefaults: {serviceAccount: gke-node}\n",
            "      autoprovisioningLocations: [us-central1-c]\n"
            "      autoProvisioningDefaults: {serviceAccount: gke-node, diskSizeGb: 50,"
            " management: {autoRepair: false}, shieldedInstanceConfig: {}}\n",
        )
    )
    written = _applied_then_generated(person, text, tmp_path)
    for field in (
        "      autoprovisioningLocations:\n      - us-central1-c\n",
        "        diskSizeGb: 50\n",
        "          autoRepair: false\n",
        "        shieldedInstanceConfig: {}\n",  # both on: the model's defaults
        "    authenticatorGroupsConfig:\n      securityGroup: gke-security-groups@example.com\n",
        "    nodeAutoProvisioning:\n",
        "        metadata:\n          team: ml\n",
        "        localSsdCount: 1\n",
        "  auto:\n    location: us-central1\n",
        "    autopilot: true\n",
        "    nodePoolAutoConfig:\n      networkTags:\n      - serving\n",
        "        tagKeys/1: tagValues/2\n",
    ):
        assert field in written, field


def test_gkes_fields_of_issue_24_are_written_as_they_run(
    server: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The add-ons, Secret Manager, security posture, managed Prometheus, cost allocation,
    Gateway API, gVNIC, reservation affinity and GPU driver version (docs/gke-fields.md),
    applied by gkeplan from another spec: the generated spec writes them and plans no change."""
    from .test_gke_fields_more import CLUSTER_FIELDS, POOL_FIELDS, _text

    server.reset()
    monkeypatch.chdir(tmp_path)
    person = User(server, tmp_path)
    pool_old, pool_new = POOL_FIELDS
    l4 = pool_new.replace("n1-standard-4", "g2-standard-8").replace("nvidia-tesla-t4", "nvidia-l4")
    text = (
        _text(CLUSTER_FIELDS, (pool_old, l4))
        .replace("        preemptible: true\n", "")
        .replace(
            "  quotas: {PREEMPTIBLE_NVIDIA_T4_GPUS: 2, NVIDIA_T4_GPUS: 2, GPUS_ALL_REGIONS: 2}\n",
            "  quotas: {G2_CPUS: 8, NVIDIA_L4_GPUS: 1, GPUS_ALL_REGIONS: 1}\n",
        )
        .replace(
            "autoscaling: {minNodeCount: 1, maxNodeCount: 2}",
            "autoscaling: {totalMinNodeCount: 1, totalMaxNodeCount: 1}",
        )
        .replace(
            "podPidsLimit: 4096}",
            "podPidsLimit: 4096, containerLogMaxFiles: 4,"
            " insecureKubeletReadonlyPortEnabled: false}",
        )
        .replace(
            "          cgroupMode: cgroup_mode_v2\n",
            "          cgroupMode: cgroup_mode_v2\n          hugepages: {hugepageSize2m: 64}\n",
        )
    )
    written = _applied_then_generated(person, text, tmp_path)
    for field in (
        "      rayOperator: true\n",
        "    secretManager: true\n",
        "      vulnerabilityMode: VULNERABILITY_BASIC\n",
        "    managedPrometheus: true\n",
        "    costAllocation: true\n",
        "    gatewayApi: CHANNEL_STANDARD\n",
        "        gvnic: true\n",
        "gpuDriverVersion: LATEST",
        "          consumeReservationType: SPECIFIC_RESERVATION\n",
        "        recurrence: FREQ=WEEKLY;BYDAY=SA\n",
        "        scope: NO_MINOR_UPGRADES\n",
        "      masterGlobalAccess: true\n",
        "      allowExternalTraffic: true\n",
        "        sandbox: GVISOR\n",
        "      clusterDnsDomain: sd.example\n",
        "    verticalPodAutoscaling: true\n",
        "    autoscalingProfile: OPTIMIZE_UTILIZATION\n",
        "    defaultMaxPodsPerNode: 64\n",
        "          type: COMPACT\n",
        "          totalMaxNodeCount: 1\n",
        "          podPidsLimit: 4096\n",
        "          cgroupMode: CGROUP_MODE_V2\n",
        "          containerLogMaxFiles: 4\n",
        "          insecureKubeletReadonlyPortEnabled: false\n",
        "            hugepageSize2m: 64\n",
    ):
        assert field in written, field
