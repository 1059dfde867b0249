"""Issue 27, the calls gcloud makes, pinned through Google's Python clients: the contract
fixes its failures needed are the API's, not gcloud's (tests_external/test_gcloud_cli.py runs
gcloud itself). Each test names the discovery method or reference page it follows."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from google.api_core import exceptions as gexc
from google.cloud import container_v1 as gke
from google.cloud import service_usage_v1
from googleapiclient.discovery import build
from googleapiclient.http import BatchHttpRequest

from gkeplan_emulator import Emulator, EmulatorConfig

P = "demo-project"
ZONE = f"projects/{P}/locations/us-central1-a"


@pytest.fixture(scope="module")
def _emulator() -> Iterator[Emulator]:
    """This module's emulator: GKE's operations finish at once (no waiting in a test)."""
    with Emulator(EmulatorConfig(operation_s={})) as emu:
        yield emu


def _discovery(emulator: Emulator, api: str, version: str, path: str = "") -> Any:
    return build(
        api,
        version,
        credentials=emulator.applier_credentials(),
        client_options={"api_endpoint": emulator.endpoints.http + path},
        static_discovery=True,
        cache_discovery=False,
    )


def _headers(emulator: Emulator) -> dict[str, str]:
    return {"Authorization": f"Bearer {emulator.issue_token(emulator.config.applier)}"}


def _url_safe(etag: str) -> str:
    """The etag as gcloud (apitools) sends a bytes field: URL-safe base64."""
    return base64.urlsafe_b64encode(base64.b64decode(etag)).decode()


# -- Resource Manager v1 --------------------------------------------------------------------------
def test_resource_manager_v1_serves_projects_get_and_iam_policy(emulator: Emulator) -> None:
    """cloudresourcemanager.v1 projects.get, getIamPolicy, setIamPolicy (discovery), which
    gcloud projects describe / get-iam-policy / add-iam-policy-binding call."""
    projects = _discovery(emulator, "cloudresourcemanager", "v1").projects()
    got = projects.get(projectId=P).execute()
    assert (got["projectId"], got["lifecycleState"]) == (P, "ACTIVE")
    assert got["projectNumber"] == emulator.config.project_number
    policy = projects.getIamPolicy(resource=P, body={}).execute()
    assert {"role": "roles/owner", "members": [emulator.config.applier]} in policy["bindings"]


def test_a_policy_etag_in_url_safe_base64_is_accepted(emulator: Emulator) -> None:
    """A bytes field's JSON is base64, "Either standard or URL-safe base64 encoding with/without
    paddings are accepted." (https://protobuf.dev/programming-guides/json/); gcloud sends
    URL-safe. Writes go on until an etag differs between the two alphabets."""
    projects = _discovery(emulator, "cloudresourcemanager", "v1").projects()
    differed = 0
    for i in range(40):
        policy = projects.getIamPolicy(resource=P, body={}).execute()
        sent = _url_safe(policy["etag"])
        differed += sent != policy["etag"]
        policy["etag"] = sent
        policy["bindings"].append({"role": "roles/viewer", "members": [f"user:u{i}@example.com"]})
        projects.setIamPolicy(resource=P, body={"policy": policy}).execute()
        if differed >= 2:
            break
    assert differed >= 2
    members = [m for b in projects.getIamPolicy(resource=P, body={}).execute()["bindings"]
               for m in b["members"]]  # fmt: skip
    assert "user:u0@example.com" in members


# -- Service Usage --------------------------------------------------------------------------------
def test_service_usage_lists_enables_and_disables(emulator: Emulator) -> None:
    """services.list (filter state:ENABLED | state:DISABLED), services.enable and .disable
    answering a done Operation with EnableServiceResponse (discovery serviceusage.v1)."""
    client = service_usage_v1.ServiceUsageClient(
        credentials=emulator.applier_credentials(),
        transport="rest",
        client_options={"api_endpoint": emulator.endpoints.http},
    )
    parent = f"projects/{P}"

    def listed(state: str) -> set[str]:
        request = service_usage_v1.ListServicesRequest(parent=parent, filter=f"state:{state}")
        return {s.config.name for s in client.list_services(request=request)}

    assert "container.googleapis.com" in listed("ENABLED")
    name = f"{parent}/services/container.googleapis.com"
    client.disable_service(request={"name": name}).result(timeout=10)  # type: ignore[no-untyped-call]
    assert "container.googleapis.com" in listed("DISABLED")
    done = client.enable_service(request={"name": name}).result(timeout=10)  # type: ignore[no-untyped-call]
    assert done.service.state == service_usage_v1.State.ENABLED
    assert "container.googleapis.com" in listed("ENABLED")


def test_service_usage_batch_enables_up_to_twenty_in_one_operation(emulator: Emulator) -> None:
    """services.batchEnable: one done Operation whose BatchEnableServicesResponse lists each
    service; more than 20 ids fail and change nothing (BatchEnableServicesRequest.service_ids)."""
    client = service_usage_v1.ServiceUsageClient(
        credentials=emulator.applier_credentials(),
        transport="rest",
        client_options={"api_endpoint": emulator.endpoints.http},
    )
    parent = f"projects/{P}"
    ids = ["container.googleapis.com", "secretmanager.googleapis.com"]
    for i in ids:
        client.disable_service(request={"name": f"{parent}/services/{i}"}).result(timeout=10)  # type: ignore[no-untyped-call]
    done = client.batch_enable_services(request={"parent": parent, "service_ids": ids}).result(  # type: ignore[no-untyped-call]
        timeout=10
    )
    assert sorted(s.config.name for s in done.services) == ids
    assert all(s.state == service_usage_v1.State.ENABLED for s in done.services)
    many = [f"api{i}.googleapis.com" for i in range(21)]
    with pytest.raises(gexc.BadRequest, match="Maximum of 20"):
        client.batch_enable_services(request={"parent": parent, "service_ids": many})
    listed = {s.config.name for s in client.list_services(request={"parent": parent})}
    assert not listed & set(many)


# -- Kubernetes Engine ----------------------------------------------------------------------------
def _cluster(emulator: Emulator, name: str, **fields: Any) -> gke.Cluster:
    client = emulator.clients().container()
    pool = gke.NodePool(
        name="default-pool",
        initial_node_count=2,
        config=gke.NodeConfig(machine_type="e2-standard-4"),
        autoscaling=gke.NodePoolAutoscaling(enabled=True, max_node_count=3),
    )
    cluster = gke.Cluster(name=name, node_pools=[pool], **fields)
    client.create_cluster(parent=ZONE, cluster=cluster)
    got: gke.Cluster = client.get_cluster(name=f"{ZONE}/clusters/{name}")
    return got


def test_a_cluster_carries_gkes_output_fields(emulator: Emulator) -> None:
    """Cluster (container v1): nodeConfig "populated with the node configuration of the first
    node pool", currentNodeCount, clusterIpv4Cidr, servicesIpv4Cidr, id, and the control
    plane's DNS and IP endpoints."""
    got = _cluster(emulator, "c1", ip_allocation_policy=gke.IPAllocationPolicy(use_ip_aliases=True))
    assert got.node_config.machine_type == "e2-standard-4"
    assert got.current_node_count == 2
    assert got.cluster_ipv4_cidr.endswith("/14")
    assert got.services_ipv4_cidr == got.ip_allocation_policy.services_ipv4_cidr_block
    assert got.id
    endpoints = got.control_plane_endpoints_config
    assert endpoints.dns_endpoint_config.endpoint.endswith(".gke.goog")
    assert endpoints.ip_endpoints_config.enabled
    assert endpoints.ip_endpoints_config.public_endpoint == got.endpoint


def test_a_private_cluster_has_its_private_and_public_endpoints(emulator: Emulator) -> None:
    private = gke.PrivateClusterConfig(
        enable_private_nodes=True,
        enable_private_endpoint=True,
        master_ipv4_cidr_block="172.16.0.16/28",
    )
    got = _cluster(emulator, "pc1", private_cluster_config=private)
    assert got.private_cluster_config.private_endpoint == "172.16.0.18"
    assert got.private_cluster_config.public_endpoint == got.endpoint
    assert not got.control_plane_endpoints_config.ip_endpoints_config.enable_public_endpoint


def test_autopilot_create_takes_gclouds_default_pool(emulator: Emulator) -> None:
    """gcloud container clusters create-auto sends one default-pool holding only OAuth scopes
    (seen with --log-http), which GKE accepts; any other pool stays refused."""
    client = emulator.clients().container()
    region = f"projects/{P}/locations/us-central1"
    scopes = ["https://www.googleapis.com/auth/devstorage.read_only"]
    pool = gke.NodePool(
        name="default-pool", initial_node_count=1, config=gke.NodeConfig(oauth_scopes=scopes)
    )
    autopilot = gke.Autopilot(enabled=True)
    client.create_cluster(
        parent=region, cluster=gke.Cluster(name="ap1", autopilot=autopilot, node_pools=[pool])
    )
    assert client.get_cluster(name=f"{region}/clusters/ap1").autopilot.enabled
    pool.config.machine_type = "e2-standard-4"
    with pytest.raises(gexc.BadRequest, match="Autopilot node pools cannot be accessed"):
        client.create_cluster(
            parent=region, cluster=gke.Cluster(name="ap2", autopilot=autopilot, node_pools=[pool])
        )


def test_update_cluster_changes_the_named_pools_autoscaling(emulator: Emulator) -> None:
    """ClusterUpdate.desiredNodePoolAutoscaling: "Autoscaler configuration for the node pool
    specified in desired_node_pool_id" (gcloud node-pools update --max-nodes sends it)."""
    _cluster(emulator, "c2")
    client = emulator.clients().container()
    update = gke.ClusterUpdate(
        desired_node_pool_id="default-pool",
        desired_node_pool_autoscaling=gke.NodePoolAutoscaling(enabled=True, max_node_count=5),
    )
    client.update_cluster(name=f"{ZONE}/clusters/c2", update=update)
    pool = client.get_node_pool(name=f"{ZONE}/clusters/c2/nodePools/default-pool")
    assert (pool.autoscaling.enabled, pool.autoscaling.max_node_count) == (True, 5)


def test_operations_list_in_every_location_and_server_config(emulator: Emulator) -> None:
    """projects.locations.operations.list ("Location "-" matches all zones and all regions")
    and getServerConfig, on both transports."""
    _cluster(emulator, "c3")
    for client in (emulator.clients().container(), emulator.clients().container_grpc()):
        ops = client.list_operations(parent=f"projects/{P}/locations/-").operations
        assert [o.operation_type for o in ops] == [gke.Operation.Type.CREATE_CLUSTER]
        here = client.list_operations(parent=ZONE).operations
        assert [o.name for o in here] == [o.name for o in ops]
        config = client.get_server_config(name=f"projects/{P}/locations/us-central1")
        assert config.default_cluster_version in config.valid_master_versions
        assert {c.channel.name for c in config.channels} == {"RAPID", "REGULAR", "STABLE"}


# -- Cloud Storage --------------------------------------------------------------------------------
def test_multipart_upload_with_a_single_quoted_boundary_and_lf_lines(emulator: Emulator) -> None:
    """gcloud's multipart upload (apitools through Python's email package): the boundary in
    single quotes, lines ending in LF; GCS stores the media part."""
    gcs = emulator.clients().storage()
    gcs.create_bucket("quoted-boundary")
    boundary = "===============1234567890=="
    body = (
        f"--{boundary}\nContent-Type: application/json\nMIME-Version: 1.0\n\n"
        '{"name": "hello.txt"}\n'
        f"--{boundary}\nContent-Type: text/plain\nMIME-Version: 1.0\n"
        "Content-Transfer-Encoding: binary\n\nhello\n\n"
        f"--{boundary}--\n"
    ).encode()
    resp = requests.post(
        f"{emulator.endpoints.http}/upload/storage/v1/b/quoted-boundary/o?uploadType=multipart",
        data=body,
        headers={
            **_headers(emulator),
            "Content-Type": f"multipart/related; boundary='{boundary}'",
        },
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    assert gcs.bucket("quoted-boundary").blob("hello.txt").download_as_bytes() == b"hello\n"


def test_storage_errors_carry_no_grpc_details(emulator: Emulator) -> None:
    """The JSON API's error body is {"error": {"errors": [...], "code", "message"}}
    (https://cloud.google.com/storage/docs/json_api/v1/status-codes)."""
    emulator.clients().storage().create_bucket("twice")
    resp = requests.post(
        f"{emulator.endpoints.http}/storage/v1/b?project={P}",
        json={"name": "twice"},
        headers=_headers(emulator),
        timeout=10,
    )
    assert resp.status_code == 409
    error = resp.json()["error"]
    assert set(error) == {"code", "message", "errors"}
    assert error["errors"][0]["reason"] == "conflict"


def test_listing_with_folders_as_prefixes_and_the_storage_layout(emulator: Emulator) -> None:
    """objects.list includeFoldersAsPrefixes adds folders and managed folders, of which a
    flat bucket has none; buckets.getStorageLayout answers its location and namespace."""
    gcs = emulator.clients().storage()
    bucket = gcs.create_bucket("layout", location="us-central1")
    bucket.blob("a/b.txt").upload_from_string(b"b")
    bucket.blob("c.txt").upload_from_string(b"c")
    blobs = gcs.list_blobs("layout", delimiter="/", include_folders_as_prefixes=True)
    assert [b.name for b in blobs] == ["c.txt"]
    assert blobs.prefixes == {"a/"}
    layout = requests.get(
        f"{emulator.endpoints.http}/storage/v1/b/layout/storageLayout",
        headers=_headers(emulator),
        timeout=10,
    ).json()
    assert layout == {
        "kind": "storage#storageLayout",
        "bucket": "layout",
        "location": "US-CENTRAL1",
        "locationType": "region",
        "hierarchicalNamespace": {"enabled": False},
    }


# -- Compute Engine, Artifact Registry, IAM -------------------------------------------------------
def test_compute_regions_list_batch_and_aggregated_operations(emulator: Emulator) -> None:
    """regions.list, the batch endpoint (the discovery document's batchPath batch/compute/v1)
    and globalOperations.aggregatedList, through google-api-python-client."""
    compute = _discovery(emulator, "compute", "v1", "/compute/v1/")
    regions = compute.regions().list(project=P).execute()["items"]
    assert "us-central1" in [r["name"] for r in regions]
    answers: dict[str, Any] = {}

    def answered(rid: str, resp: Any, exc: Exception | None) -> None:
        answers[rid] = (resp, exc)

    # the library's batch, at the discovery document's batchPath on the emulator's host
    batch = BatchHttpRequest(answered, batch_uri=f"{emulator.endpoints.http}/batch/compute/v1")
    for name in ("n1", "n2"):
        body = {"name": name, "autoCreateSubnetworks": False}
        batch.add(compute.networks().insert(project=P, body=body))
    batch.execute()
    assert [exc for _, exc in answers.values()] == [None, None]
    assert [resp["operationType"] for resp, _ in answers.values()] == ["insert", "insert"]
    names = {n["name"] for n in compute.networks().list(project=P).execute()["items"]}
    assert names == {"n1", "n2"}
    ops = compute.globalOperations().aggregatedList(project=P).execute()["items"]
    assert [o["operationType"] for o in ops["global"]["operations"]] == ["insert", "insert"]


def test_artifact_registry_lists_its_locations(emulator: Emulator) -> None:
    """projects.locations.list (discovery artifactregistry.v1)."""
    from google.cloud.location import locations_pb2

    client = emulator.clients().artifact_registry()
    got = client.list_locations(locations_pb2.ListLocationsRequest(name=f"projects/{P}"))
    ids = {loc.location_id for loc in got.locations}
    assert {"us", "europe", "asia", "us-central1"} <= ids


def test_a_predefined_role_has_its_title_not_its_id(emulator: Emulator) -> None:
    """roles.get of a predefined role: its title, description and stage as IAM answers them
    (github.com/iann0036/iam-dataset gcp/roles/container.admin.json)."""
    role = emulator.clients().iam_admin().get_role(request={"name": "roles/container.admin"})
    assert role.title == "Kubernetes Engine Admin"
    assert (
        role.description
        == "Full management of Kubernetes Clusters and their Kubernetes API objects."
    )
    assert role.stage.name == "GA"
