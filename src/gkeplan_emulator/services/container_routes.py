"""Kubernetes Engine v1 REST routes: parse with the library's own types, answer in its JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from google.cloud import container_v1 as gke

from gkeplan_emulator import facts
from gkeplan_emulator.errors import already_exists, invalid_argument
from gkeplan_emulator.http import Request, Response, Router
from gkeplan_emulator.services.container import _NAME, VERSION, ContainerModel, _stamp, to_json

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

_LOC = "/v1/projects/<seg:project>/locations/<seg:location>"
_CL = _LOC + "/clusters/<seg:cluster>"
_NP = _CL + "/nodePools/<seg:pool>"


def _parse(cls: Any, req: Request) -> Any:
    try:
        return cls.from_json(req.body or b"{}", ignore_unknown_fields=False)
    except Exception as exc:  # proto's ParseError names the unknown field
        raise invalid_argument(f"Invalid JSON payload received. {exc}") from None


def _ok(msg: Any) -> Response:
    return Response(body=to_json(msg))


def register(router: Router, backend: Backend) -> None:
    model: ContainerModel = backend.models["container"]

    def names(req: Request) -> tuple[str, str, str]:
        p = req.params
        model.check_location(p["project"], p["location"])
        base = f"projects/{p['project']}/locations/{p['location']}"
        return p["project"], p["location"], base

    def fill_pool(cluster: gke.Cluster, pool: gke.NodePool, base: str) -> None:
        pool.status = gke.NodePool.Status.PROVISIONING  # type: ignore[assignment]
        pool.version = VERSION
        pool.self_link = f"https://container.googleapis.com/v1/{base}/clusters/{cluster.name}/nodePools/{pool.name}"
        zones = model._zones(cluster, pool)
        pool.locations = zones
        pool.instance_group_urls = [
            f"https://www.googleapis.com/compute/v1/projects/{model.project}/zones/{z}/"
            f"instanceGroupManagers/gke-{cluster.name}-{pool.name}-grp"
            for z in zones
        ]
        if not pool.upgrade_settings.max_surge and not pool.upgrade_settings.max_unavailable:
            pool.upgrade_settings.max_surge = 1

    def create_cluster(req: Request) -> Response:
        assert req.principal
        project, location, base = names(req)
        body = _parse(gke.CreateClusterRequest, req)
        cluster: gke.Cluster = body.cluster
        model.require(req.principal, "container.clusters.create")
        if not _NAME.match(cluster.name or ""):
            raise invalid_argument(f'Invalid cluster name "{cluster.name}".')
        full = f"{base}/clusters/{cluster.name}"
        with model.lock:
            model.settle()
            if full in model.clusters:
                raise already_exists(f"Already exists: {full}.")
            cluster.location = location
            if not cluster.node_pools:
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
                cluster.locations = model._zones(cluster)
            for pool in cluster.node_pools:
                model.check_pool(req.principal, cluster, pool)
            model.check_quota([(cluster, p, p.initial_node_count) for p in cluster.node_pools])
            now = backend.clock.now()
            cluster.status = gke.Cluster.Status.PROVISIONING  # type: ignore[assignment]
            cluster.self_link = f"https://container.googleapis.com/v1/{full}"
            cluster.zone = location
            cluster.endpoint = "34.118.0." + str(len(model.clusters) + 10)
            cluster.initial_cluster_version = cluster.current_master_version = VERSION
            cluster.current_node_version = VERSION
            cluster.create_time = _stamp(now)
            cluster.label_fingerprint = (
                f"{abs(hash(json.dumps(dict(cluster.resource_labels)))) % 10**8:08x}"
            )
            if not cluster.network:
                cluster.network = "default"
            for pool in cluster.node_pools:
                fill_pool(cluster, pool, base)
            model.clusters[full] = cluster

            def done() -> None:
                cluster.status = gke.Cluster.Status.RUNNING  # type: ignore[assignment]
                for p in cluster.node_pools:
                    p.status = gke.NodePool.Status.RUNNING  # type: ignore[assignment]

            op = model.start(project, location, "CREATE_CLUSTER", full, "createCluster", done)
        return _ok(op)

    def get_cluster(req: Request) -> Response:
        assert req.principal
        _, _, base = names(req)
        model.require(req.principal, "container.clusters.get")
        return _ok(model.cluster(f"{base}/clusters/{req.params['cluster']}"))

    def list_clusters(req: Request) -> Response:
        assert req.principal
        project, location = req.params["project"], req.params["location"]
        if location != "-":
            model.check_location(project, location)
        model.require(req.principal, "container.clusters.list")
        model.settle()
        with model.lock:
            found = [
                c
                for n, c in sorted(model.clusters.items())
                if location in ("-", c.location) and n.startswith(f"projects/{project}/")
            ]
        return _ok(gke.ListClustersResponse(clusters=found))

    def delete_cluster(req: Request) -> Response:
        assert req.principal
        project, location, base = names(req)
        model.require(req.principal, "container.clusters.delete")
        full = f"{base}/clusters/{req.params['cluster']}"
        with model.lock:
            cluster = model.cluster(full)
            model.busy(full)
            cluster.status = gke.Cluster.Status.STOPPING  # type: ignore[assignment]
            op = model.start(
                project,
                location,
                "DELETE_CLUSTER",
                full,
                "deleteCluster",
                lambda: model.forget(full),
            )
        return _ok(op)

    def operation(kind: str, seconds: str, act: Any) -> Any:
        """An update-like call on a cluster: checked, refused while another operation runs,
        applied by `act(req, cluster, name) -> (target, on_done)`, finished by clock time."""

        def handler(req: Request) -> Response:
            assert req.principal
            project, location, base = names(req)
            model.require(req.principal, "container.clusters.update")
            full = f"{base}/clusters/{req.params['cluster']}"
            with model.lock:
                cluster = model.cluster(full)
                model.busy(full)
                target, done = act(req, cluster, full)
                op = model.start(project, location, kind, target, seconds, done or (lambda: None))
            return _ok(op)

        return handler

    def cluster_op(kind: str, apply: Any, seconds: str = "updateCluster") -> Any:
        def act(req: Request, cluster: gke.Cluster, full: str) -> tuple[str, None]:
            apply(req, cluster)
            return full, None

        return operation(kind, seconds, act)

    def update_cluster(req: Request, cluster: gke.Cluster) -> None:
        u = _parse(gke.UpdateClusterRequest, req).update
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
        if u.desired_addons_config and u.desired_addons_config.network_policy_config:
            enabled = not u.desired_addons_config.network_policy_config.disabled
            cluster.network_policy = gke.NetworkPolicy(enabled=enabled)

    def set_labels(req: Request, cluster: gke.Cluster) -> None:
        body = _parse(gke.SetLabelsRequest, req)
        if body.label_fingerprint != cluster.label_fingerprint:
            raise invalid_argument("Labels could not be set due to fingerprint mismatch.")
        cluster.resource_labels = dict(body.resource_labels)
        cluster.label_fingerprint = (
            f"{abs(hash(json.dumps(dict(cluster.resource_labels)))) % 10**8:08x}"
        )

    def set_abac(req: Request, cluster: gke.Cluster) -> None:
        cluster.legacy_abac = gke.LegacyAbac(enabled=_parse(gke.SetLegacyAbacRequest, req).enabled)

    # -- node pools ------------------------------------------------------------------------
    def pool_of(cluster: gke.Cluster, name: str) -> gke.NodePool:
        for pool in cluster.node_pools:
            if pool.name == name:
                return pool
        from gkeplan_emulator.errors import not_found

        raise not_found(f'Not found: node pool "{name}".')

    def get_pool(req: Request) -> Response:
        assert req.principal
        _, _, base = names(req)
        model.require(req.principal, "container.clusters.get")
        cluster = model.cluster(f"{base}/clusters/{req.params['cluster']}")
        return _ok(pool_of(cluster, req.params["pool"]))

    def list_pools(req: Request) -> Response:
        assert req.principal
        _, _, base = names(req)
        model.require(req.principal, "container.clusters.get")
        cluster = model.cluster(f"{base}/clusters/{req.params['cluster']}")
        return _ok(gke.ListNodePoolsResponse(node_pools=list(cluster.node_pools)))

    def create_pool(req: Request) -> Response:
        assert req.principal
        project, location, base = names(req)
        model.require(req.principal, "container.clusters.update")
        full = f"{base}/clusters/{req.params['cluster']}"
        pool = _parse(gke.CreateNodePoolRequest, req).node_pool
        with model.lock:
            cluster = model.cluster(full)
            model.busy(full)
            if any(p.name == pool.name for p in cluster.node_pools):
                raise already_exists(f"Already exists: {full}/nodePools/{pool.name}.")
            model.check_pool(req.principal, cluster, pool)
            model.check_quota([(cluster, pool, pool.initial_node_count)])
            fill_pool(cluster, pool, base)
            cluster.node_pools.append(pool)
            stored = cluster.node_pools[-1]

            def done() -> None:
                stored.status = gke.NodePool.Status.RUNNING  # type: ignore[assignment]

            op = model.start(
                project,
                location,
                "CREATE_NODE_POOL",
                f"{full}/nodePools/{pool.name}",
                "createNodePool",
                done,
            )
        return _ok(op)

    def pool_op(kind: str, apply: Any, seconds: str = "updateNodePool") -> Any:
        def act(req: Request, cluster: gke.Cluster, full: str) -> tuple[str, Any]:
            pool = pool_of(cluster, req.params["pool"])
            return f"{full}/nodePools/{pool.name}", apply(req, cluster, pool)

        return operation(kind, seconds, act)

    def update_pool(req: Request, cluster: gke.Cluster, pool: gke.NodePool) -> None:
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

    def set_autoscaling(req: Request, cluster: gke.Cluster, pool: gke.NodePool) -> None:
        pool.autoscaling = _parse(gke.SetNodePoolAutoscalingRequest, req).autoscaling

    def set_management(req: Request, cluster: gke.Cluster, pool: gke.NodePool) -> None:
        pool.management = _parse(gke.SetNodePoolManagementRequest, req).management

    def set_size(req: Request, cluster: gke.Cluster, pool: gke.NodePool) -> None:
        count = _parse(gke.SetNodePoolSizeRequest, req).node_count
        model.check_quota([(cluster, pool, count - pool.initial_node_count)])
        pool.initial_node_count = count

    def delete_pool(req: Request, cluster: gke.Cluster, pool: gke.NodePool) -> Any:
        pool.status = gke.NodePool.Status.STOPPING  # type: ignore[assignment]

        def done() -> None:
            cluster.node_pools = [p for p in cluster.node_pools if p.name != pool.name]

        return done

    def get_op(req: Request) -> Response:
        assert req.principal
        _, _, base = names(req)
        return _ok(model.get_operation(req.principal, f"{base}/operations/{req.params['op']}"))

    router.add("POST", _LOC + "/clusters", create_cluster, "container.createCluster")
    router.add("GET", _LOC + "/clusters", list_clusters, "container.listClusters")
    router.add("GET", _CL, get_cluster, "container.getCluster")
    router.add("PUT", _CL, cluster_op("UPDATE_CLUSTER", update_cluster), "container.updateCluster")
    router.add("DELETE", _CL, delete_cluster, "container.deleteCluster")
    router.add(
        "POST",
        _CL + ":setResourceLabels",
        cluster_op("SET_LABELS", set_labels),
        "container.setResourceLabels",
    )
    router.add(
        "POST",
        _CL + ":setLegacyAbac",
        cluster_op("SET_LEGACY_ABAC", set_abac),
        "container.setLegacyAbac",
    )
    router.add("POST", _CL + "/nodePools", create_pool, "container.createNodePool")
    router.add("GET", _CL + "/nodePools", list_pools, "container.listNodePools")
    router.add("GET", _NP, get_pool, "container.getNodePool")
    router.add("PUT", _NP, pool_op("UPGRADE_NODES", update_pool), "container.updateNodePool")
    router.add(
        "POST",
        _NP + ":setAutoscaling",
        pool_op("SET_NODE_POOL_SIZE", set_autoscaling),
        "container.setNodePoolAutoscaling",
    )
    router.add(
        "POST",
        _NP + ":setManagement",
        pool_op("SET_NODE_POOL_MANAGEMENT", set_management),
        "container.setNodePoolManagement",
    )
    router.add(
        "POST",
        _NP + ":setSize",
        pool_op("SET_NODE_POOL_SIZE", set_size),
        "container.setNodePoolSize",
    )
    router.add(
        "DELETE",
        _NP,
        pool_op("DELETE_NODE_POOL", delete_pool, "deleteNodePool"),
        "container.deleteNodePool",
    )
    router.add("GET", _LOC + "/operations/<seg:op>", get_op, "container.getOperation")
