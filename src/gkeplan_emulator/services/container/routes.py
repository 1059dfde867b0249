"""Kubernetes Engine v1 REST routes: parse with the library's own types, answer in its JSON.

The model (state and rules) is in container.py; this module is the API surface and SERVICE."""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from google.cloud import container_v1 as gke

from gkeplan_emulator import facts
from gkeplan_emulator.calls import Handler, Request, Response, Route
from gkeplan_emulator.errors import ApiError, already_exists, invalid_argument
from gkeplan_emulator.mappings import Method, Serve, gapic, grpc_for, routes_for
from gkeplan_emulator.service import ClientEndpoint, ServiceSpec
from gkeplan_emulator.services.container.model import (
    _NAME,
    AUTOPILOT_POOLS,
    VERSION,
    ContainerModel,
    _stamp,
    channel_default,
    check_autoscaling,
    check_network_policy,
    resolve_version,
    to_json,
)
from gkeplan_emulator.services.container.outputs import cluster_view, fill_outputs, server_config
from gkeplan_emulator.updates import check_cluster_update, check_known_fields

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend


def _parse(cls: Any, req: Request) -> Any:
    try:
        body = json.loads(req.body or b"{}")
    except ValueError:
        raise invalid_argument("Invalid JSON payload received.") from None
    check_known_fields(body, cls)  # GCP's 400 for an unknown name, naming where it is
    try:
        return cls.from_json(req.body or b"{}", ignore_unknown_fields=False)
    except Exception as exc:  # proto's ParseError names the unknown field
        raise invalid_argument(f"Invalid JSON payload received. {exc}") from None


def _ok(msg: Any) -> Response:
    return Response(body=to_json(msg))


def _bad_request(message: str) -> ApiError:
    return ApiError("INVALID_ARGUMENT", message, legacy_reason="badRequest")


def check_network(backend: Backend, project: str, location: str, cluster: gke.Cluster) -> None:
    """GKE's checks of the network and subnetwork a new cluster names, when the network is one
    the emulator's Compute Engine holds (others, such as `default`, are taken on trust)."""
    compute = backend.models.get("compute")
    net = compute.network(cluster.network or "default") if compute is not None else None
    if compute is None or net is None:
        return
    name = net["name"]
    region = facts.region_of(location)
    if not cluster.subnetwork:
        if not net.get("autoCreateSubnetworks"):
            # 'ResponseError: code=400, message=Network "default" uses manual subnet mode and
            # requires specifying a subnetwork.' (cilium/cilium.io#764)
            raise _bad_request(
                f'Network "{name}" uses manual subnet mode and requires specifying a subnetwork.'
            )
        return
    sub_name = cluster.subnetwork.rstrip("/").rsplit("/", 1)[-1]
    sub = compute.subnetwork(region, sub_name)
    if sub is None or sub["network"].rsplit("/", 1)[-1] != name:
        # 'Error 400: Subnetwork "projects/P/regions/asia-northeast1/subnetworks/S" is not valid
        # for Network "N"., badRequest' (hashicorp/terraform-provider-google#7895)
        raise _bad_request(
            f'Subnetwork "projects/{project}/regions/{region}/subnetworks/{sub_name}" is not '
            f'valid for Network "{name}".'
        )
    ranges = {r.get("rangeName") for r in sub.get("secondaryIpRanges", [])}
    policy = cluster.ip_allocation_policy
    for label, wanted in (
        # 'Error 400: Pod secondary range "pods" not found in network "https://www.googleapis.com
        # /compute/v1/projects/P/global/networks/default", subnetwork "default"., badRequest'
        # (fabianlee/gcp-gke-clusters-ingress#2); the services wording is assumed the same.
        ("Pod", policy.cluster_secondary_range_name),
        ("Services", policy.services_secondary_range_name),
    ):
        if wanted and wanted not in ranges:
            raise _bad_request(
                f'{label} secondary range "{wanted}" not found in network '
                f'"https://www.googleapis.com/compute/v1/projects/{project}/global/networks/'
                f'{name}", subnetwork "{sub_name}".'
            )


class ContainerApi:
    """Kubernetes Engine's handlers, one method per row of ROUTES (one backend each)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.model: ContainerModel = self.backend.models["container"]

    def names(self, req: Request) -> tuple[str, str, str]:
        p = req.params
        self.model.check_location(p["project"], p["location"])
        base = f"projects/{p['project']}/locations/{p['location']}"
        return p["project"], p["location"], base

    def fill_pool(self, cluster: gke.Cluster, pool: gke.NodePool, base: str) -> None:
        pool.status = gke.NodePool.Status.PROVISIONING  # type: ignore[assignment]
        pool.version = pool.version or cluster.current_master_version or VERSION
        pool.self_link = f"https://container.googleapis.com/v1/{base}/clusters/{cluster.name}/nodePools/{pool.name}"
        zones = self.model._zones(cluster, pool)
        pool.locations = zones
        pool.instance_group_urls = [
            f"https://www.googleapis.com/compute/v1/projects/{self.model.project}/zones/{z}/"
            f"instanceGroupManagers/gke-{cluster.name}-{pool.name}-grp"
            for z in zones
        ]
        if not pool.upgrade_settings.max_surge and not pool.upgrade_settings.max_unavailable:
            pool.upgrade_settings.max_surge = 1

    def create_cluster(self, req: Request) -> Response:
        assert req.principal
        project, location, base = self.names(req)
        body = _parse(gke.CreateClusterRequest, req)
        cluster: gke.Cluster = body.cluster
        self.model.require(req.principal, "container.clusters.create")
        if not _NAME.match(cluster.name or ""):
            raise invalid_argument(f'Invalid cluster name "{cluster.name}".')
        full = f"{base}/clusters/{cluster.name}"
        with self.model.lock:
            self.model.settle()
            if full in self.model.clusters:
                raise already_exists(f"Already exists: {full}.")
            cluster.location = location
            autopilot = cluster.autopilot.enabled
            if autopilot and facts.is_zone(location):
                # GoogleCloudPlatform/ai-on-gke#628: "Error 400: Autopilot clusters must be
                # regional clusters."
                raise invalid_argument("Autopilot clusters must be regional clusters.")
            if autopilot and _gclouds_autopilot_pool(cluster):
                # gcloud container clusters create-auto (Google's own CLI, 528.0.0, seen with
                # --log-http) sends one "default-pool" of initialNodeCount 1 whose config holds
                # only the OAuth scopes, and GKE creates the cluster: taken as the Autopilot
                # nodes' defaults, no pool of the user's
                cluster.node_pools = []
            if autopilot and cluster.node_pools:
                raise invalid_argument(AUTOPILOT_POOLS)
            check_autoscaling(cluster.autoscaling)
            check_network_policy(cluster)
            # the version first: the pools' "-" and unset versions are the master's
            channel = gke.ReleaseChannel.Channel(cluster.release_channel.channel).name
            version = resolve_version(
                cluster.initial_cluster_version, default=channel_default(channel)
            )
            cluster.initial_cluster_version = cluster.current_master_version = version
            if not cluster.node_pools and not autopilot:
                count = cluster.initial_node_count or 3
                cluster.node_pools = [
                    gke.NodePool(
                        name="default-pool", initial_node_count=count, config=cluster.node_config
                    )
                ]
                cluster.initial_node_count = 0
            for zone in cluster.locations:
                if facts.region_of(zone) != facts.region_of(location):
                    raise invalid_argument(f'Location "{zone}" is not in "{location}".')
            if not cluster.locations:
                cluster.locations = self.model._zones(cluster)
            check_network(self.backend, project, location, cluster)
            for pool in cluster.node_pools:
                self.model.check_pool(req.principal, cluster, pool)
            self.model.check_quota([(cluster, p, p.initial_node_count) for p in cluster.node_pools])
            now = self.backend.clock.now()
            cluster.status = gke.Cluster.Status.PROVISIONING  # type: ignore[assignment]
            cluster.self_link = f"https://container.googleapis.com/v1/{full}"
            cluster.zone = location
            cluster.endpoint = "34.118.0." + str(len(self.model.clusters) + 10)
            # MasterAuth.clusterCaCertificate: "Output only. Base64-encoded public certificate
            # that is the root of trust for the cluster" (container v1 REST reference).
            pem = f"-----BEGIN CERTIFICATE-----\nemulator CA {full}\n-----END CERTIFICATE-----\n"
            cluster.master_auth.cluster_ca_certificate = base64.b64encode(pem.encode()).decode()
            cluster.current_node_version = version
            cluster.create_time = _stamp(now)
            cluster.label_fingerprint = (
                f"{abs(hash(json.dumps(dict(cluster.resource_labels)))) % 10**8:08x}"
            )
            if not cluster.network:
                cluster.network = "default"
            fill_outputs(self.backend, cluster, full, len(self.model.clusters))
            if "maintenance_policy" in cluster:
                stamp_maintenance(cluster)
            fill_endpoints(cluster)
            for pool in cluster.node_pools:
                self.fill_pool(cluster, pool, base)
            self.model.clusters[full] = cluster

            def done() -> None:
                cluster.status = gke.Cluster.Status.RUNNING  # type: ignore[assignment]
                for p in cluster.node_pools:
                    p.status = gke.NodePool.Status.RUNNING  # type: ignore[assignment]

            op = self.model.start(project, location, "CREATE_CLUSTER", full, "createCluster", done)
        return _ok(op)

    def get_cluster(self, req: Request) -> Response:
        assert req.principal
        _, _, base = self.names(req)
        self.model.require(req.principal, "container.clusters.get")
        return _ok(cluster_view(self.model.cluster(f"{base}/clusters/{req.params['cluster']}")))

    def list_clusters(self, req: Request) -> Response:
        assert req.principal
        project, location = req.params["project"], req.params["location"]
        if location != "-":
            self.model.check_location(project, location)
        self.model.require(req.principal, "container.clusters.list")
        self.model.settle()
        with self.model.lock:
            found = [
                c
                for n, c in sorted(self.model.clusters.items())
                if location in ("-", c.location) and n.startswith(f"projects/{project}/")
            ]
        return _ok(gke.ListClustersResponse(clusters=[cluster_view(c) for c in found]))

    def delete_cluster(self, req: Request) -> Response:
        assert req.principal
        project, location, base = self.names(req)
        self.model.require(req.principal, "container.clusters.delete")
        full = f"{base}/clusters/{req.params['cluster']}"
        with self.model.lock:
            cluster = self.model.cluster(full)
            self.model.busy(full)
            cluster.status = gke.Cluster.Status.STOPPING  # type: ignore[assignment]
            op = self.model.start(
                project,
                location,
                "DELETE_CLUSTER",
                full,
                "deleteCluster",
                lambda: self.model.forget(full),
            )
        return _ok(op)

    def operation(self, kind: str | Callable[[Request], str], seconds: str, act: Any) -> Any:
        """An update-like call on a cluster: checked, refused while another operation runs,
        applied by `act(req, cluster, name) -> (target, on_done)`, finished by clock time."""

        def handler(req: Request) -> Response:
            assert req.principal
            project, location, base = self.names(req)
            self.model.require(req.principal, "container.clusters.update")
            full = f"{base}/clusters/{req.params['cluster']}"
            with self.model.lock:
                cluster = self.model.cluster(full)
                self.model.busy(full)
                target, done = act(req, cluster, full)
                op_kind = kind(req) if callable(kind) else kind
                op = self.model.start(
                    project, location, op_kind, target, seconds, done or (lambda: None)
                )
            return _ok(op)

        return handler

    def cluster_op(
        self, kind: str | Callable[[Request], str], apply: Any, seconds: str = "updateCluster"
    ) -> Any:
        def act(req: Request, cluster: gke.Cluster, full: str) -> tuple[str, None]:
            apply(req, cluster)
            return full, None

        return self.operation(kind, seconds, act)

    def update_cluster(self, req: Request, cluster: gke.Cluster) -> None:
        u = _parse(gke.UpdateClusterRequest, req).update
        check_cluster_update(u)  # one change per call, as GKE requires
        if "desiredReleaseChannel" in json.loads(req.body or b"{}").get("update", {}):
            cluster.release_channel = u.desired_release_channel
        if u.desired_workload_identity_config:
            cluster.workload_identity_config = u.desired_workload_identity_config
        if u.desired_master_authorized_networks_config:
            cluster.master_authorized_networks_config = u.desired_master_authorized_networks_config
        if u.desired_shielded_nodes:
            cluster.shielded_nodes = u.desired_shielded_nodes
        if u.desired_locations:
            cluster.locations = u.desired_locations
        raw = json.loads(req.body or b"{}").get("update", {})
        # an enabled add-on is `{"disabled": false}`: present but empty, so ask the JSON
        if "networkPolicyConfig" in raw.get("desiredAddonsConfig", {}):
            # the add-on only; enforcement is setNetworkPolicy's (GKE docs, "Enabling network
            # policy enforcement": --update-addons=NetworkPolicy=ENABLED, then
            # --enable-network-policy)
            addons = cluster.addons_config
            addons.network_policy_config = u.desired_addons_config.network_policy_config
            cluster.addons_config = addons
        if "desiredMasterVersion" in raw:
            cluster.current_master_version = resolve_version(u.desired_master_version)
        if "desiredLoggingConfig" in raw:
            cluster.logging_config = u.desired_logging_config
        if "desiredMonitoringConfig" in raw:
            # the parts the request carries change (componentConfig, managedPrometheusConfig,
            # ...); the request's JSON says which, an enabled-false message being empty
            monitoring = cluster.monitoring_config
            for f in gke.MonitoringConfig.pb().DESCRIPTOR.fields:
                if f.json_name in raw["desiredMonitoringConfig"]:
                    setattr(monitoring, f.name, getattr(u.desired_monitoring_config, f.name))
            cluster.monitoring_config = monitoring
        if "desiredSecurityPostureConfig" in raw:
            posture = cluster.security_posture_config
            asked = u.desired_security_posture_config
            posture.mode = asked.mode or posture.mode
            posture.vulnerability_mode = asked.vulnerability_mode or posture.vulnerability_mode
            cluster.security_posture_config = posture
        if "desiredControlPlaneEndpointsConfig" in raw:
            update_endpoints(cluster, u.desired_control_plane_endpoints_config, raw)
        if "desiredDnsConfig" in raw:
            _set_network(cluster, dns_config=u.desired_dns_config)
        if "desiredVerticalPodAutoscaling" in raw:
            cluster.vertical_pod_autoscaling = u.desired_vertical_pod_autoscaling
        if "desiredSecretManagerConfig" in raw:
            cluster.secret_manager_config = u.desired_secret_manager_config
        if "desiredCostManagementConfig" in raw:
            cluster.cost_management_config = u.desired_cost_management_config
        if "desiredGatewayApiConfig" in raw:
            _set_network(cluster, gateway_api_config=u.desired_gateway_api_config)
        if "desiredBinaryAuthorization" in raw:
            cluster.binary_authorization = u.desired_binary_authorization
        if "desiredIntraNodeVisibilityConfig" in raw:
            visibility = u.desired_intra_node_visibility_config.enabled
            _set_network(cluster, enable_intra_node_visibility=visibility)
        if "desiredDatapathProvider" in raw:
            _set_network(cluster, datapath_provider=u.desired_datapath_provider)
        if "desiredAuthenticatorGroupsConfig" in raw:
            cluster.authenticator_groups_config = u.desired_authenticator_groups_config
        if "desiredNodePoolAutoConfigNetworkTags" in raw:
            auto = cluster.node_pool_auto_config
            auto.network_tags = u.desired_node_pool_auto_config_network_tags
            cluster.node_pool_auto_config = auto
        if "desiredNodePoolAutoConfigResourceManagerTags" in raw:
            auto = cluster.node_pool_auto_config
            auto.resource_manager_tags = u.desired_node_pool_auto_config_resource_manager_tags
            cluster.node_pool_auto_config = auto
        if "desiredNodePoolAutoscaling" in raw:
            # "Autoscaler configuration for the node pool specified in desired_node_pool_id"
            # (ClusterUpdate, container v1); gcloud node-pools update --max-nodes sends it
            if not u.desired_node_pool_id:
                raise invalid_argument("desired_node_pool_id must be specified.")
            pool = self.pool_of(cluster, u.desired_node_pool_id)
            pool.autoscaling = u.desired_node_pool_autoscaling
        if "desiredClusterAutoscaling" in raw:
            if cluster.autopilot.enabled:
                raise invalid_argument(AUTOPILOT_POOLS)
            check_autoscaling(u.desired_cluster_autoscaling)
            cluster.autoscaling = u.desired_cluster_autoscaling

    def set_addons(self, req: Request, cluster: gke.Cluster) -> None:
        """projects.locations.clusters.setAddons: the add-ons named in the request change; the
        request's JSON says which (an enabled add-on is an empty `{}` or `{"disabled": false}`)."""
        body = _parse(gke.SetAddonsConfigRequest, req)
        raw = json.loads(req.body or b"{}").get("addonsConfig", {})
        addons = cluster.addons_config
        for field in gke.AddonsConfig.pb().DESCRIPTOR.fields:
            if field.json_name in raw:
                setattr(addons, field.name, getattr(body.addons_config, field.name))
        cluster.addons_config = addons

    def set_labels(self, req: Request, cluster: gke.Cluster) -> None:
        body = _parse(gke.SetLabelsRequest, req)
        if body.label_fingerprint != cluster.label_fingerprint:
            raise invalid_argument("Labels could not be set due to fingerprint mismatch.")
        cluster.resource_labels = dict(body.resource_labels)
        cluster.label_fingerprint = (
            f"{abs(hash(json.dumps(dict(cluster.resource_labels)))) % 10**8:08x}"
        )

    def set_network_policy(self, req: Request, cluster: gke.Cluster) -> None:
        policy = _parse(gke.SetNetworkPolicyRequest, req).network_policy
        if policy.enabled:
            check_network_policy(
                gke.Cluster(network_config=cluster.network_config, network_policy=policy)
            )
        addons = cluster.addons_config
        # `in` asks for presence: an enabled add-on ({"disabled": false}) is an empty message
        addon_on = "network_policy_config" in addons and not addons.network_policy_config.disabled
        if policy.enabled and not addon_on:
            # GKE refuses enforcement without its add-on: `Error 400: the network policy addon
            # must be enabled before updating the nodes., badRequest`
            # (hashicorp/terraform-provider-google#860; gke-labs/kube-agents#932)
            raise invalid_argument(
                "the network policy addon must be enabled before updating the nodes."
            )
        cluster.network_policy = policy

    def set_maintenance_policy(self, req: Request, cluster: gke.Cluster) -> None:
        """projects.locations.clusters.setMaintenancePolicy: the whole policy, asked with the
        resourceVersion a get() returned (container v1 MaintenancePolicy.resourceVersion). GKE's
        answer to a stale version is not sourced: the emulator takes the policy regardless."""
        policy = _parse(gke.SetMaintenancePolicyRequest, req).maintenance_policy
        cluster.maintenance_policy = policy
        stamp_maintenance(cluster)

    def set_abac(self, req: Request, cluster: gke.Cluster) -> None:
        cluster.legacy_abac = gke.LegacyAbac(enabled=_parse(gke.SetLegacyAbacRequest, req).enabled)

    def pool_of(self, cluster: gke.Cluster, name: str) -> gke.NodePool:
        if cluster.autopilot.enabled:
            raise invalid_argument(AUTOPILOT_POOLS)
        for pool in cluster.node_pools:
            if pool.name == name:
                return pool
        from gkeplan_emulator.errors import not_found

        raise not_found(f'Not found: node pool "{name}".')

    def get_pool(self, req: Request) -> Response:
        assert req.principal
        _, _, base = self.names(req)
        self.model.require(req.principal, "container.clusters.get")
        cluster = self.model.cluster(f"{base}/clusters/{req.params['cluster']}")
        return _ok(self.pool_of(cluster, req.params["pool"]))

    def list_pools(self, req: Request) -> Response:
        assert req.principal
        _, _, base = self.names(req)
        self.model.require(req.principal, "container.clusters.get")
        cluster = self.model.cluster(f"{base}/clusters/{req.params['cluster']}")
        if cluster.autopilot.enabled:
            raise invalid_argument(AUTOPILOT_POOLS)
        return _ok(gke.ListNodePoolsResponse(node_pools=list(cluster.node_pools)))

    def create_pool(self, req: Request) -> Response:
        assert req.principal
        project, location, base = self.names(req)
        self.model.require(req.principal, "container.clusters.update")
        full = f"{base}/clusters/{req.params['cluster']}"
        pool = _parse(gke.CreateNodePoolRequest, req).node_pool
        with self.model.lock:
            cluster = self.model.cluster(full)
            if cluster.autopilot.enabled:
                raise invalid_argument(AUTOPILOT_POOLS)
            self.model.busy(full)
            if any(p.name == pool.name for p in cluster.node_pools):
                raise already_exists(f"Already exists: {full}/nodePools/{pool.name}.")
            self.model.check_pool(req.principal, cluster, pool)
            self.model.check_quota([(cluster, pool, pool.initial_node_count)])
            self.fill_pool(cluster, pool, base)
            cluster.node_pools.append(pool)
            stored = cluster.node_pools[-1]

            def done() -> None:
                stored.status = gke.NodePool.Status.RUNNING  # type: ignore[assignment]

            op = self.model.start(
                project,
                location,
                "CREATE_NODE_POOL",
                f"{full}/nodePools/{pool.name}",
                "createNodePool",
                done,
            )
        return _ok(op)

    def pool_op(self, kind: str, apply: Any, seconds: str = "updateNodePool") -> Any:
        def act(req: Request, cluster: gke.Cluster, full: str) -> tuple[str, Any]:
            pool = self.pool_of(cluster, req.params["pool"])
            return f"{full}/nodePools/{pool.name}", apply(req, cluster, pool)

        return self.operation(kind, seconds, act)

    def update_pool(self, req: Request, cluster: gke.Cluster, pool: gke.NodePool) -> None:
        body = _parse(gke.UpdateNodePoolRequest, req)
        raw = json.loads(req.body or b"{}")
        cfg = pool.config
        if body.machine_type:
            cfg.machine_type = body.machine_type
        if body.disk_size_gb:
            cfg.disk_size_gb = body.disk_size_gb
        if body.image_type:
            cfg.image_type = body.image_type
        if "labels" in raw:
            cfg.labels = dict(body.labels.labels)
        if "taints" in raw:
            cfg.taints = list(body.taints.taints)
        if "upgradeSettings" in raw:
            pool.upgrade_settings = body.upgrade_settings
        if "workloadMetadataConfig" in raw:
            cfg.workload_metadata_config = body.workload_metadata_config
        if body.locations:
            pool.locations = list(body.locations)
        if "tags" in raw:
            cfg.tags = list(body.tags.tags)
        if "gcfsConfig" in raw:
            cfg.gcfs_config = body.gcfs_config
        if "gvnic" in raw:
            cfg.gvnic = body.gvnic
        if "kubeletConfig" in raw:
            cfg.kubelet_config = body.kubelet_config
        if "linuxNodeConfig" in raw:
            cfg.linux_node_config = body.linux_node_config
        # nodeVersion is required; "-" picks the master's version (UpdateNodePoolRequest)
        pool.version = resolve_version(
            body.node_version, "Node", cluster.current_master_version or VERSION
        )

    def set_autoscaling(self, req: Request, cluster: gke.Cluster, pool: gke.NodePool) -> None:
        pool.autoscaling = _parse(gke.SetNodePoolAutoscalingRequest, req).autoscaling

    def set_management(self, req: Request, cluster: gke.Cluster, pool: gke.NodePool) -> None:
        pool.management = _parse(gke.SetNodePoolManagementRequest, req).management

    def set_size(self, req: Request, cluster: gke.Cluster, pool: gke.NodePool) -> None:
        count = _parse(gke.SetNodePoolSizeRequest, req).node_count
        self.model.check_quota([(cluster, pool, count - pool.initial_node_count)])
        pool.initial_node_count = count

    def delete_pool(self, req: Request, cluster: gke.Cluster, pool: gke.NodePool) -> Any:
        pool.status = gke.NodePool.Status.STOPPING  # type: ignore[assignment]

        def done() -> None:
            cluster.node_pools = [p for p in cluster.node_pools if p.name != pool.name]

        return done

    def list_ops(self, req: Request) -> Response:
        """projects.locations.operations.list; `-` is every location ("Specified in the format
        projects/*/locations/*. Location "-" matches all zones and all regions.", container v1
        ListOperationsRequest.parent)."""
        assert req.principal
        project, location = req.params["project"], req.params["location"]
        if location != "-":
            self.model.check_location(project, location)
        self.model.require(req.principal, "container.operations.list")
        return _ok(self.model.list_operations(project, location))

    def server_config(self, req: Request) -> Response:
        assert req.principal
        self.names(req)
        return _ok(server_config())

    def get_op(self, req: Request) -> Response:
        assert req.principal
        _, _, base = self.names(req)
        return _ok(self.model.get_operation(req.principal, f"{base}/operations/{req.params['op']}"))


def _gclouds_autopilot_pool(cluster: gke.Cluster) -> bool:
    pools = list(cluster.node_pools)
    if len(pools) != 1 or pools[0].name != "default-pool":
        return False
    config = gke.NodeConfig(oauth_scopes=pools[0].config.oauth_scopes)
    return pools[0].config == config and pools[0] == gke.NodePool(
        name="default-pool", initial_node_count=pools[0].initial_node_count, config=config
    )


def _set_network(cluster: gke.Cluster, **fields: Any) -> None:
    """Fields of the cluster's networkConfig (proto-plus hands out a copy: it is set back)."""
    network = cluster.network_config
    for name, value in fields.items():
        setattr(network, name, value)
    cluster.network_config = network


def fill_endpoints(cluster: gke.Cluster) -> None:
    """The control plane's endpoints as GKE returns them: "Most of PrivateClusterConfig has
    moved to ControlPlaneEndpointsConfig" (the Google provider, resource_container_cluster.go,
    which reads global access and the public endpoint from there)."""
    endpoints = cluster.control_plane_endpoints_config
    ip = endpoints.ip_endpoints_config
    private = cluster.private_cluster_config
    ip.enabled = True
    ip.enable_public_endpoint = not private.enable_private_endpoint
    ip.global_access = private.master_global_access_config.enabled
    endpoints.ip_endpoints_config = ip
    cluster.control_plane_endpoints_config = endpoints


def update_endpoints(
    cluster: gke.Cluster, asked: gke.ControlPlaneEndpointsConfig, raw: dict[str, Any]
) -> None:
    """ClusterUpdate.desiredControlPlaneEndpointsConfig: the fields the request's JSON carries
    change; global access and the authorized networks are also where the older fields keep
    them (PrivateClusterConfig.masterGlobalAccessConfig, masterAuthorizedNetworksConfig)."""
    body = raw["desiredControlPlaneEndpointsConfig"]
    endpoints = cluster.control_plane_endpoints_config
    for part in ("dns_endpoint_config", "ip_endpoints_config"):
        json_name = {"dns_endpoint_config": "dnsEndpointConfig"}.get(part, "ipEndpointsConfig")
        given = body.get(json_name, {})
        have, new = getattr(endpoints, part), getattr(asked, part)
        for f in type(have).pb().DESCRIPTOR.fields:
            if f.json_name in given:
                setattr(have, f.name, getattr(new, f.name))
        setattr(endpoints, part, have)
    cluster.control_plane_endpoints_config = endpoints
    ip = endpoints.ip_endpoints_config
    private = cluster.private_cluster_config
    private.master_global_access_config = gke.PrivateClusterMasterGlobalAccessConfig(
        enabled=ip.global_access
    )
    cluster.private_cluster_config = private
    if "authorizedNetworksConfig" in body.get("ipEndpointsConfig", {}):
        cluster.master_authorized_networks_config = ip.authorized_networks_config


def stamp_maintenance(cluster: gke.Cluster) -> None:
    """A new resourceVersion for the policy as it now is ("A hash identifying the version of
    this policy", container v1 MaintenancePolicy.resourceVersion)."""
    policy = cluster.maintenance_policy
    policy.resource_version = ""
    text = gke.MaintenancePolicy.to_json(policy, sort_keys=True)
    policy.resource_version = f"{zlib.crc32(text.encode()):08x}"
    cluster.maintenance_policy = policy


def _update_kind(req: Request) -> str:
    update = json.loads(req.body or b"{}").get("update", {})
    return "UPGRADE_MASTER" if "desiredMasterVersion" in update else "UPDATE_CLUSTER"


# The route table: (gRPC method, handler of a ContainerApi, the name the log and fault rules
# know it by). Each method is served at its first binding (projects/*/locations/*); the two
# list calls at their zonal binding too (projects/{project_id}/zones/{zone}, which
# googleapiclient-based samples use), under names of their own.
ROWS: tuple[tuple[str, Callable[[ContainerApi], Handler], str], ...] = (
    ("CreateCluster", lambda api: api.create_cluster, "container.createCluster"),
    ("ListClusters", lambda api: api.list_clusters, "container.listClusters"),
    ("GetCluster", lambda api: api.get_cluster, "container.getCluster"),
    (
        "UpdateCluster",
        lambda api: api.cluster_op(_update_kind, api.update_cluster),
        "container.updateCluster",
    ),
    ("DeleteCluster", lambda api: api.delete_cluster, "container.deleteCluster"),
    (
        "SetLabels",
        lambda api: api.cluster_op("SET_LABELS", api.set_labels),
        "container.setResourceLabels",
    ),
    (
        "SetAddonsConfig",
        lambda api: api.cluster_op("UPDATE_CLUSTER", api.set_addons),
        "container.setAddons",
    ),
    (
        "SetMaintenancePolicy",
        lambda api: api.cluster_op("SET_MAINTENANCE_POLICY", api.set_maintenance_policy),
        "container.setMaintenancePolicy",
    ),
    (
        "SetLegacyAbac",
        lambda api: api.cluster_op("SET_LEGACY_ABAC", api.set_abac),
        "container.setLegacyAbac",
    ),
    (
        "SetNetworkPolicy",
        lambda api: api.cluster_op("SET_NETWORK_POLICY", api.set_network_policy),
        "container.setNetworkPolicy",
    ),
    ("CreateNodePool", lambda api: api.create_pool, "container.createNodePool"),
    ("ListNodePools", lambda api: api.list_pools, "container.listNodePools"),
    ("GetNodePool", lambda api: api.get_pool, "container.getNodePool"),
    (
        "UpdateNodePool",
        lambda api: api.pool_op("UPGRADE_NODES", api.update_pool),
        "container.updateNodePool",
    ),
    (
        "SetNodePoolAutoscaling",
        lambda api: api.pool_op("SET_NODE_POOL_SIZE", api.set_autoscaling),
        "container.setNodePoolAutoscaling",
    ),
    (
        "SetNodePoolManagement",
        lambda api: api.pool_op("SET_NODE_POOL_MANAGEMENT", api.set_management),
        "container.setNodePoolManagement",
    ),
    (
        "SetNodePoolSize",
        lambda api: api.pool_op("SET_NODE_POOL_SIZE", api.set_size),
        "container.setNodePoolSize",
    ),
    (
        "DeleteNodePool",
        lambda api: api.pool_op("DELETE_NODE_POOL", api.delete_pool, "deleteNodePool"),
        "container.deleteNodePool",
    ),
    ("GetOperation", lambda api: api.get_op, "container.getOperation"),
    ("ListOperations", lambda api: api.list_ops, "container.listOperations"),
    ("GetServerConfig", lambda api: api.server_config, "container.getServerConfig"),
)
ZONAL = {
    "ListClusters": "container.zones.listClusters",
    "ListNodePools": "container.zones.listNodePools",
}
# the variables of the mappings, as the handlers read them
_NAMES = {
    "nodePool": "pool",
    "operation": "op",
    "project_id": "project",
    "zone": "location",
    "cluster_id": "cluster",
}


def _methods() -> dict[str, Method]:
    return gapic(
        "google.cloud.container_v1.services.cluster_manager.transports.rest:"
        "ClusterManagerRestTransport"
    )


def routes(backend: Backend) -> list[Route]:
    api = ContainerApi(backend)
    rows = [Serve(rpc, handler(api), name, names=_NAMES) for rpc, handler, name in ROWS]
    zonal = [
        Serve(rpc, handler(api), ZONAL[rpc], names=_NAMES, skip=1)
        for rpc, handler, _ in ROWS
        if rpc in ZONAL
    ]
    return routes_for(_methods(), [*rows, *zonal])


# The same methods over gRPC, transcoded along the same mappings.
GRPC = grpc_for("google.container.v1.ClusterManager", _methods(), [rpc for rpc, _, _ in ROWS])

SERVICE = ServiceSpec(
    "container",
    ContainerModel,
    routes,
    transcoded=GRPC,
    api="container.googleapis.com",
    needs=("projects", "iam"),  # the project's number, the nodes' service accounts,
    # gcloud default https://container.googleapis.com/; Terraform ContainerBasePathKey
    # "https://container.googleapis.com/v1/"
    endpoint=ClientEndpoint(
        "container", "container", "/", (("container_custom_endpoint", "/v1/"),)
    ),
)
