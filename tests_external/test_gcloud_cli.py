"""Google's own CLI as a client of the emulator: the commands a user of gkeplan's kinds runs
right after an apply, and the creates and deletes of the same kinds, each answered as GCP
answers it (issue 27). Skipped, naming it, without gcloud on PATH.

Each test asserts what gcloud prints or writes from the user's side and, where the command's
point is a call, that the emulator served that method (its request log).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from gkeplan_emulator.services.container.model import CHANNEL_DEFAULTS
from tests_external._gcloud import Gcloud, configure
from tests_external.conftest import RunningEmulator

ZONE = "us-central1-a"
REGION = "us-central1"


@pytest.fixture(scope="module")
def gcloud(emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory) -> Gcloud:
    return configure(emulator, tmp_path_factory.mktemp("gcloud-cli"))


@pytest.fixture(scope="module")
def cluster(gcloud: Gcloud) -> Iterator[str]:
    """A zonal cluster of two nodes, created by gcloud."""
    gcloud.ok(
        "container", "clusters", "create", "gc-c1", "--location", ZONE,
        "--num-nodes", "2", "--machine-type", "e2-standard-4",
    )  # fmt: skip
    yield "gc-c1"
    gcloud.ok("container", "clusters", "delete", "gc-c1", "--location", ZONE)


# -- Resource Manager v1 and Service Usage --------------------------------------------------------
def test_projects_describe_reads_resource_manager_v1(gcloud: Gcloud) -> None:
    project = gcloud.json("projects", "describe", gcloud.emulator.project)
    assert project["projectId"] == gcloud.emulator.project
    assert project["lifecycleState"] == "ACTIVE"
    assert project["projectNumber"].isdigit()


def test_projects_add_iam_policy_binding_many_times_in_a_row(gcloud: Gcloud) -> None:
    """Each binding reads the policy and writes it back with gcloud's URL-safe etag."""
    project = gcloud.emulator.project
    members = [f"user:gc-reader-{i}@example.com" for i in range(6)]
    for member in members:
        gcloud.ok(
            "projects", "add-iam-policy-binding", project,
            "--member", member, "--role", "roles/viewer", "--condition=None",
        )  # fmt: skip
    policy = gcloud.json("projects", "get-iam-policy", project)
    viewers = [b for b in policy["bindings"] if b["role"] == "roles/viewer"]
    assert set(members) <= set(viewers[0]["members"])
    assert any(b["role"] == "roles/owner" for b in policy["bindings"])


def test_services_list_enabled_and_enable(gcloud: Gcloud) -> None:
    names = {s["config"]["name"] for s in gcloud.json("services", "list", "--enabled")}
    assert {"container.googleapis.com", "storage.googleapis.com"} <= names
    before = gcloud.mark()
    gcloud.ok("services", "enable", "container.googleapis.com")
    assert "serviceusage.services.enable" in gcloud.methods_since(before)
    gcloud.ok("services", "disable", "bigquery.googleapis.com")
    assert "bigquery.googleapis.com" not in {
        s["config"]["name"] for s in gcloud.json("services", "list", "--enabled")
    }
    gcloud.ok("services", "enable", "bigquery.googleapis.com")
    assert "bigquery.googleapis.com" in {
        s["config"]["name"] for s in gcloud.json("services", "list", "--enabled")
    }


# -- Kubernetes Engine --------------------------------------------------------------------------
def test_clusters_list_shows_the_node_count(gcloud: Gcloud, cluster: str) -> None:
    table = gcloud.ok("container", "clusters", "list", "--location", ZONE)
    header, row = (line.split() for line in table.splitlines()[:2])
    assert row[header.index("NUM_NODES")] == "2"
    assert row[header.index("STATUS")] == "RUNNING"


def test_clusters_describe_has_gkes_output_fields(gcloud: Gcloud, cluster: str) -> None:
    got = gcloud.json("container", "clusters", "describe", cluster, "--location", ZONE)
    assert got["currentNodeCount"] == 2
    assert got["nodeConfig"]["machineType"] == "e2-standard-4"
    assert got["clusterIpv4Cidr"].endswith("/14")
    assert got["servicesIpv4Cidr"] == "34.118.224.0/20"
    assert got["id"]
    dns = got["controlPlaneEndpointsConfig"]["dnsEndpointConfig"]["endpoint"]
    assert dns.endswith(".gke.goog")


def test_clusters_get_credentials_writes_the_kubeconfig(gcloud: Gcloud, cluster: str) -> None:
    gcloud.ok("container", "clusters", "get-credentials", cluster, "--location", ZONE)
    kubeconfig = yaml.safe_load((gcloud.home / "kubeconfig").read_text())
    endpoint = gcloud.json("container", "clusters", "describe", cluster, "--location", ZONE)[
        "endpoint"
    ]
    servers = [c["cluster"]["server"] for c in kubeconfig["clusters"]]
    assert f"https://{endpoint}" in servers


def test_private_cluster_create_and_internal_credentials(gcloud: Gcloud) -> None:
    """gcloud reads the private endpoint and the DNS endpoint config right after the create;
    without them it exits 1 with the cluster made."""
    gcloud.ok(
        "container", "clusters", "create", "gc-private", "--location", ZONE, "--num-nodes", "1",
        "--enable-ip-alias", "--enable-private-nodes", "--enable-private-endpoint",
        "--master-ipv4-cidr", "172.16.0.16/28", "--enable-master-authorized-networks",
    )  # fmt: skip
    gcloud.ok("container", "clusters", "get-credentials", "gc-private", "--location", ZONE,
              "--internal-ip")  # fmt: skip
    kubeconfig = yaml.safe_load((gcloud.home / "kubeconfig").read_text())
    assert "https://172.16.0.18" in [c["cluster"]["server"] for c in kubeconfig["clusters"]]
    gcloud.ok("container", "clusters", "delete", "gc-private", "--location", ZONE)


def test_autopilot_cluster_create_auto_describe_delete(gcloud: Gcloud) -> None:
    gcloud.ok("container", "clusters", "create-auto", "gc-auto", "--location", REGION)
    got = gcloud.json("container", "clusters", "describe", "gc-auto", "--location", REGION)
    assert got["autopilot"] == {"enabled": True}
    gcloud.ok("container", "clusters", "delete", "gc-auto", "--location", REGION)


def test_node_pools_create_list_describe_update_delete(gcloud: Gcloud, cluster: str) -> None:
    where = ("--cluster", cluster, "--location", ZONE)
    gcloud.ok(
        "container", "node-pools", "create", "gc-p2", *where, "--num-nodes", "1",
        "--enable-autoscaling", "--min-nodes", "0", "--max-nodes", "2",
    )  # fmt: skip
    names = [p["name"] for p in gcloud.json("container", "node-pools", "list", *where)]
    assert names == ["default-pool", "gc-p2"]
    gcloud.ok("container", "node-pools", "update", "gc-p2", *where, "--max-nodes", "5")
    pool = gcloud.json("container", "node-pools", "describe", "gc-p2", *where)
    assert pool["autoscaling"] == {"enabled": True, "maxNodeCount": 5}
    gcloud.ok("container", "node-pools", "delete", "gc-p2", *where)
    names = [p["name"] for p in gcloud.json("container", "node-pools", "list", *where)]
    assert names == ["default-pool"]


def test_operations_list_describe_wait(gcloud: Gcloud, cluster: str) -> None:
    everywhere = gcloud.json("container", "operations", "list")  # locations/-
    mine = [o for o in everywhere if o["targetLink"].endswith(f"/clusters/{cluster}")]
    assert mine and mine[0]["operationType"] == "CREATE_CLUSTER"
    here = gcloud.json("container", "operations", "list", "--location", ZONE)
    assert mine[0]["name"] in [o["name"] for o in here]
    name = mine[0]["name"]
    assert gcloud.json("container", "operations", "describe", name, "--location", ZONE)[
        "status"
    ] == ("DONE")
    gcloud.ok("container", "operations", "wait", name, "--location", ZONE)


def test_get_server_config_names_each_channels_default(gcloud: Gcloud) -> None:
    got = gcloud.json("container", "get-server-config", "--location", REGION)
    defaults = {c["channel"]: c["defaultVersion"] for c in got["channels"]}
    assert defaults == CHANNEL_DEFAULTS
    assert got["defaultClusterVersion"] in got["validMasterVersions"]


# -- IAM ------------------------------------------------------------------------------------------
def test_service_accounts_lifecycle_policy_and_keys(gcloud: Gcloud) -> None:
    email = f"gc-sa-one@{gcloud.emulator.project}.iam.gserviceaccount.com"
    gcloud.ok("iam", "service-accounts", "create", "gc-sa-one", "--display-name", "GC one")
    assert email in [a["email"] for a in gcloud.json("iam", "service-accounts", "list")]
    assert gcloud.json("iam", "service-accounts", "describe", email)["displayName"] == "GC one"
    members = [f"user:gc-user-{i}@example.com" for i in range(6)]
    for member in members:  # each read-modify-write sends back the etag gcloud was given
        gcloud.ok(
            "iam", "service-accounts", "add-iam-policy-binding", email,
            "--member", member, "--role", "roles/iam.serviceAccountUser", "--condition=None",
        )  # fmt: skip
    policy = gcloud.json("iam", "service-accounts", "get-iam-policy", email)
    assert policy["bindings"][0]["members"] == sorted(members)
    keyfile = gcloud.home / "key.json"
    gcloud.ok("iam", "service-accounts", "keys", "create", str(keyfile), "--iam-account", email)
    key_id = json.loads(keyfile.read_text())["private_key_id"]
    keys = gcloud.json("iam", "service-accounts", "keys", "list", "--iam-account", email)
    assert key_id in [k["name"].rsplit("/", 1)[-1] for k in keys]
    gcloud.ok("iam", "service-accounts", "delete", email)
    assert email not in [a["email"] for a in gcloud.json("iam", "service-accounts", "list")]


def test_predefined_role_has_its_title(gcloud: Gcloud) -> None:
    role = gcloud.json("iam", "roles", "describe", "roles/container.admin")
    assert role["title"] == "Kubernetes Engine Admin"
    assert "container.clusters.create" in role["includedPermissions"]


# -- Cloud Storage --------------------------------------------------------------------------------
def test_buckets_create_describe_ls_and_409(gcloud: Gcloud) -> None:
    gcloud.ok("storage", "buckets", "create", "gs://gc-bucket-one", "--location", REGION)
    assert gcloud.json("storage", "buckets", "describe", "gs://gc-bucket-one")["name"] == (
        "gc-bucket-one"
    )
    assert "gs://gc-bucket-one/" in gcloud.ok("storage", "ls").splitlines()
    again = gcloud.run("storage", "buckets", "create", "gs://gc-bucket-one", "--location", REGION)
    assert again.returncode == 1
    # GCS's JSON error, as gcloud prints an HTTP error (not a gRPC status with details)
    assert "HTTPError 409: Your previous request to create the named bucket succeeded" in (
        again.stderr
    )
    gcloud.ok("storage", "buckets", "delete", "gs://gc-bucket-one")


def test_storage_cp_ls_cat_rm_and_recursive(gcloud: Gcloud, tmp_path: Path) -> None:
    bucket = "gs://gc-bucket-two"
    gcloud.ok("storage", "buckets", "create", bucket, "--location", REGION)
    (tmp_path / "one.txt").write_text("one\n")
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "a.txt").write_text("a\n")
    (tree / "sub" / "b.txt").write_text("b\n")
    gcloud.ok("storage", "cp", str(tmp_path / "one.txt"), f"{bucket}/one.txt")  # multipart
    assert gcloud.ok("storage", "ls", bucket).split() == [f"{bucket}/one.txt"]
    assert gcloud.ok("storage", "cat", f"{bucket}/one.txt") == "one\n"
    gcloud.ok("storage", "cp", "-r", str(tree), f"{bucket}/")
    listed = gcloud.ok("storage", "ls", "-r", f"{bucket}/tree").split()
    assert f"{bucket}/tree/a.txt" in listed and f"{bucket}/tree/sub/b.txt" in listed
    out = tmp_path / "back"
    out.mkdir()
    gcloud.ok("storage", "cp", "-r", f"{bucket}/tree", str(out))
    assert (out / "tree" / "sub" / "b.txt").read_text() == "b\n"
    gcloud.ok("storage", "rm", "-r", f"{bucket}/tree")
    gcloud.ok("storage", "rm", f"{bucket}/one.txt")
    assert gcloud.ok("storage", "ls", bucket).split() == []
    gcloud.ok("storage", "buckets", "delete", bucket)


def test_an_unimplemented_bucket_feature_answers_501_naming_the_method(gcloud: Gcloud) -> None:
    """A retention policy the emulator would store but never enforce is refused as GCS refuses
    what it does not implement: 501 naming the method, never a silent success."""
    done = gcloud.run(
        "storage", "buckets", "create", "gs://gc-bucket-held", "--location", REGION,
        "--retention-period", "1d",
    )  # fmt: skip
    assert done.returncode == 1
    assert "HTTPError 501: storage.buckets.insert: retention policies" in done.stderr
    assert "Traceback" not in done.stderr


# -- Compute Engine -------------------------------------------------------------------------------
def test_networks_subnets_routers_firewalls(gcloud: Gcloud) -> None:
    region = ("--region", REGION)
    gcloud.ok("compute", "networks", "create", "gc-net", "--subnet-mode", "custom")
    gcloud.ok(
        "compute", "networks", "subnets", "create", "gc-sub", "--network", "gc-net", *region,
        "--range", "10.10.0.0/24",
    )  # fmt: skip
    gcloud.ok("compute", "routers", "create", "gc-router", "--network", "gc-net", *region)
    for name in ("gc-fw-a", "gc-fw-b"):
        gcloud.ok(
            "compute", "firewall-rules", "create", name, "--network", "gc-net",
            "--allow", "tcp:22", "--source-ranges", "10.0.0.0/8",
        )  # fmt: skip
    assert "gc-net" in [n["name"] for n in gcloud.json("compute", "networks", "list")]
    assert gcloud.json("compute", "networks", "describe", "gc-net")["subnetworks"][0].endswith(
        "/subnetworks/gc-sub"
    )
    assert "gc-sub" in [s["name"] for s in gcloud.json("compute", "networks", "subnets", "list")]
    sub = gcloud.json("compute", "networks", "subnets", "describe", "gc-sub", *region)
    assert sub["ipCidrRange"] == "10.10.0.0/24"
    assert "gc-router" in [r["name"] for r in gcloud.json("compute", "routers", "list")]
    assert gcloud.json("compute", "routers", "describe", "gc-router", *region)["network"].endswith(
        "/networks/gc-net"
    )
    rules = {r["name"] for r in gcloud.json("compute", "firewall-rules", "list")}
    assert {"gc-fw-a", "gc-fw-b"} <= rules
    assert gcloud.json("compute", "firewall-rules", "describe", "gc-fw-a")["sourceRanges"] == [
        "10.0.0.0/8"
    ]
    before = gcloud.mark()
    gcloud.ok("compute", "firewall-rules", "delete", "gc-fw-a", "gc-fw-b")  # one batch
    assert "compute.batch" in gcloud.methods_since(before)
    assert not {"gc-fw-a", "gc-fw-b"} & {
        r["name"] for r in gcloud.json("compute", "firewall-rules", "list")
    }
    gcloud.ok("compute", "routers", "delete", "gc-router", *region)
    gcloud.ok("compute", "networks", "subnets", "delete", "gc-sub", *region)
    gcloud.ok("compute", "networks", "delete", "gc-net")
    kinds = {o["operationType"] for o in gcloud.json("compute", "operations", "list")}
    assert {"insert", "delete"} <= kinds  # aggregated operations


def test_regions_list(gcloud: Gcloud) -> None:
    regions = {r["name"]: r for r in gcloud.json("compute", "regions", "list")}
    assert regions[REGION]["status"] == "UP"
    assert any(z.endswith(f"/zones/{ZONE}") for z in regions[REGION]["zones"])


# -- Artifact Registry ----------------------------------------------------------------------------
def test_artifact_repositories(gcloud: Gcloud) -> None:
    where = ("--location", REGION)
    gcloud.ok("artifacts", "repositories", "create", "gc-repo", *where,
              "--repository-format", "docker")  # fmt: skip
    name = f"projects/{gcloud.emulator.project}/locations/{REGION}/repositories/gc-repo"
    assert name in [r["name"] for r in gcloud.json("artifacts", "repositories", "list", *where)]
    assert name in [r["name"] for r in gcloud.json("artifacts", "repositories", "list")]
    assert gcloud.json("artifacts", "repositories", "describe", "gc-repo", *where)["format"] == (
        "DOCKER"
    )
    gcloud.ok("artifacts", "repositories", "delete", "gc-repo", *where)
    assert name not in [r["name"] for r in gcloud.json("artifacts", "repositories", "list", *where)]


def test_remote_and_virtual_artifact_repositories(gcloud: Gcloud) -> None:
    """gcloud's own create of a remote (Docker Hub) and a virtual repository, and describe of
    both, as a user of the artifactRepository kind's remote and virtual modes runs them."""
    where = ("--location", REGION)
    gcloud.ok("artifacts", "repositories", "create", "gc-own", *where,
              "--repository-format", "docker")  # fmt: skip
    gcloud.ok("artifacts", "repositories", "create", "gc-hub", *where,
              "--repository-format", "docker", "--mode", "remote-repository",
              "--remote-docker-repo", "DOCKER-HUB")  # fmt: skip
    hub = gcloud.json("artifacts", "repositories", "describe", "gc-hub", *where)
    assert hub["mode"] == "REMOTE_REPOSITORY"
    assert hub["remoteRepositoryConfig"]["dockerRepository"] == {"publicRepository": "DOCKER_HUB"}
    parent = f"projects/{gcloud.emulator.project}/locations/{REGION}/repositories"
    policies = gcloud.home / "upstreams.json"
    policies.write_text(
        json.dumps(
            [
                {"id": "own", "repository": f"{parent}/gc-own", "priority": 100},
                {"id": "hub", "repository": f"{parent}/gc-hub", "priority": 10},
            ]
        )
    )
    gcloud.ok("artifacts", "repositories", "create", "gc-all", *where,
              "--repository-format", "docker", "--mode", "virtual-repository",
              "--upstream-policy-file", str(policies))  # fmt: skip
    virtual = gcloud.json("artifacts", "repositories", "describe", "gc-all", *where)
    assert [p["id"] for p in virtual["virtualRepositoryConfig"]["upstreamPolicies"]] == [
        "own",
        "hub",
    ]
    # upstream policies are updated in place (Terraform's update mask: virtualRepositoryConfig)
    policies.write_text(
        json.dumps([{"id": "own", "repository": f"{parent}/gc-own", "priority": 100}])
    )
    gcloud.ok("artifacts", "repositories", "update", "gc-all", *where,
              "--upstream-policy-file", str(policies))  # fmt: skip
    virtual = gcloud.json("artifacts", "repositories", "describe", "gc-all", *where)
    assert [p["id"] for p in virtual["virtualRepositoryConfig"]["upstreamPolicies"]] == ["own"]
    for rid in ("gc-all", "gc-hub", "gc-own"):
        gcloud.ok("artifacts", "repositories", "delete", rid, *where)
