"""cluster.NAME: a GKE cluster, created together with its node pools in one request."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from typing import Any

from gkeplan import catalog
from gkeplan.errors import Path, Severity
from gkeplan.kinds import base
from gkeplan.kinds import service_account as sa
from gkeplan.kinds.gke import maintenance, shared
from gkeplan.kinds.gke.models import Cluster, clusters, node_accounts
from gkeplan.kinds.network import network_dep, network_name
from gkeplan.kinds.subnetwork import subnetwork_dep, subnetwork_name
from gkeplan.lifecycle import Journaled, Lifecycle
from gkeplan.spec import names
from gkeplan.spec.base import Document
from gkeplan.spec.checks import Checker


def _expand(spec: Document) -> Iterable[base.Node]:
    for name, cluster in clusters(spec).items():
        path: Path = ("clusters", name)
        yield base.Node(
            f"cluster.{name}",
            "cluster",
            path,
            cluster,
            tuple(base.explicit_deps(path, cluster.depends_on)),
        )


def _link(spec: Document, node: base.Node, nodes: Mapping[str, base.Node]) -> Iterable[base.Dep]:
    cluster: Cluster = node.model
    pools = [
        (pool.service_account, (*node.path, "nodePools", key, "serviceAccount"))
        for key, pool in cluster.node_pools.items()
        if pool.service_account is not None
    ]
    nap = _nap_account(cluster)
    if nap is not None:  # auto-provisioned nodes run as it, as a pool's nodes do
        path = (*node.path, "nodeAutoProvisioning", "autoProvisioningDefaults", "serviceAccount")
        pools.append((nap, path))
    deps = list(
        shared.creator_deps(spec, cluster.create_as, (*node.path, "createAs"), nodes, pools)
    )
    # the network and subnetwork it names, when the spec creates them
    deps += network_dep(spec, cluster.network, (*node.path, "network"), nodes)
    if cluster.subnetwork:
        deps += subnetwork_dep(spec, cluster.subnetwork, (*node.path, "subnetwork"), nodes)
    return deps


def _nap_account(cluster: Cluster) -> str | None:
    nap = cluster.node_auto_provisioning
    if nap is None or not nap.enabled:
        return None
    return nap.auto_provisioning_defaults.service_account


_NEEDS = {
    "read": ("container.clusters.get",),
    "create": ("container.clusters.create", "container.operations.get"),
    "update": ("container.clusters.update", "container.operations.get"),
    "delete": ("container.clusters.delete", "container.operations.get"),
}


def _needs(spec: Document, node: base.Node, action: base.Verb) -> tuple[base.Permission, ...]:
    needs = [base.Permission(p) for p in _NEEDS[action]]
    if action == "create":  # node pools are created inline, so the cluster needs their actAs
        cluster: Cluster = node.model
        refs: list[str | None] = [p.service_account for p in cluster.node_pools.values()]
        if not cluster.remove_default_node_pool and not cluster.autopilot:
            refs.append(None)
        needs.extend(dict.fromkeys(shared.act_as(spec, r) for r in refs))
    nap = node.model.node_auto_provisioning
    if action in ("create", "update") and nap is not None and nap.enabled:
        # GKE creates nodes as the auto-provisioning account: actAs on it, as for a pool's
        needs.append(shared.act_as(spec, _nap_account(node.model)))
    return tuple(dict.fromkeys(needs))


def _autopilot_account(spec: Document, c: Cluster) -> str | None:
    """An Autopilot cluster's node account: set through cluster_autoscaling's
    auto_provisioning_defaults.service_account, which the Google provider accepts with
    enable_autopilot (GoogleCloudPlatform/magic-modules#6733, "Allow passing node
    service_account when autopilot enabled"). None: whatever GKE chose (the default account)."""
    nap = c.node_auto_provisioning
    ref = nap.auto_provisioning_defaults.service_account if nap else None
    return sa.email_of(spec, ref) if c.autopilot and ref else None


def _nap(spec: Document, c: Cluster) -> dict[str, object] | None:
    nap = c.node_auto_provisioning
    if nap is None or c.autopilot:  # Autopilot: GKE provisions; its account is apart
        return None
    if not nap.enabled:
        return {"enabled": False}
    defaults = nap.auto_provisioning_defaults
    return {
        "enabled": True,
        "resourceLimits": sorted(
            (r.model_dump(by_alias=True) for r in nap.resource_limits),
            key=lambda r: str(r["resourceType"]),
        ),
        "serviceAccount": sa.email_of(spec, defaults.service_account)
        if defaults.service_account
        else shared.DEFAULT_SERVICE_ACCOUNT,
        "oauthScopes": sorted(
            defaults.oauth_scopes or ["https://www.googleapis.com/auth/cloud-platform"]
        ),
        # the rest only as the spec sets it: unset follows GKE (driver._settled_nap)
        **defaults.model_dump(
            by_alias=True, exclude_none=True, exclude={"service_account", "oauth_scopes"}
        ),
        **(
            {"autoprovisioningLocations": sorted(nap.autoprovisioning_locations)}
            if nap.autoprovisioning_locations is not None
            else {}
        ),
    }


def _fields(spec: Document, c: Cluster) -> dict[str, object]:
    """The fields of the cluster-fields issue; unset (None) follows what GKE chose."""
    addons = c.addons.model_dump(by_alias=True)
    groups = c.authenticator_groups_config
    return {
        "autopilot": c.autopilot,
        **{f"addons.{k}": v for k, v in addons.items()},
        "masterVersion": c.min_master_version,
        "loggingComponents": sorted(set(c.logging_components))
        if c.logging_components is not None
        else None,
        "monitoringComponents": sorted(set(c.monitoring_components))
        if c.monitoring_components is not None
        else None,
        "binaryAuthorization": c.binary_authorization.evaluation_mode
        if c.binary_authorization
        else None,
        "intranodeVisibility": c.intranode_visibility,
        "authenticatorGroup": groups.security_group if groups else None,
        "datapathProvider": c.datapath_provider,
        "nodeAutoProvisioning": _nap(spec, c),
        "autopilotServiceAccount": _autopilot_account(spec, c),
        **_service_settings(c),
    }


def _service_settings(c: Cluster) -> dict[str, object]:
    """Service settings (docs/gke-fields.md); unset (None) follows what GKE chose."""
    posture = c.security_posture
    private = c.private_cluster
    auto = c.node_pool_auto_config
    return {
        "masterGlobalAccess": private.master_global_access if private else None,
        "clusterDns": c.cluster_dns.model_dump(by_alias=True, exclude_none=True)
        if c.cluster_dns
        else None,
        "verticalPodAutoscaling": c.vertical_pod_autoscaling,
        # Autopilot picks its own profile (the Google provider's suppressDiffForAutopilot)
        "autoscalingProfile": None if c.autopilot else c.autoscaling_profile,
        "defaultMaxPodsPerNode": c.default_max_pods_per_node,
        "dnsEndpointExternalTraffic": c.dns_endpoint.allow_external_traffic
        if c.dns_endpoint
        else None,
        "secretManager": c.secret_manager,
        "securityPostureMode": posture.mode if posture else None,
        "vulnerabilityMode": posture.vulnerability_mode if posture else None,
        "managedPrometheus": c.managed_prometheus,
        "costAllocation": c.cost_allocation,
        "gatewayApi": c.gateway_api,
        "maintenancePolicy": maintenance.to_attribute(c.maintenance_policy)
        if c.maintenance_policy
        else None,
        "autoConfigNetworkTags": auto.network_tags if auto else None,
        "autoConfigResourceManagerTags": auto.resource_manager_tags if auto else None,
    }


def _desired(spec: Document, node: base.Node) -> base.DesiredState:
    key = node.address.split(".", 1)[1]
    c: Cluster = node.model
    private = c.private_cluster
    cid = shared.cluster_id(spec, key)
    # Autopilot: GKE configures the nodes (shielded, RBAC only, Dataplane V2's network
    # policy), and the Google provider lets none of these be set with enable_autopilot
    # (ConflictsWith, resource_container_cluster.go): they follow what GKE chose.
    standard = None if c.autopilot else True
    return base.DesiredState(
        cid,
        {
            "name": c.name or key,
            "location": c.location,
            "nodeLocations": sorted(c.node_locations) if c.node_locations else None,
            "description": c.description or "",
            "releaseChannel": c.release_channel,
            "workloadIdentity": c.workload_identity,
            "privateNodes": bool(private and private.enable_private_nodes),
            "privateEndpoint": bool(private and private.enable_private_endpoint),
            "masterAuthorizedNetworks": (
                [
                    n.model_dump(by_alias=True, exclude_none=True)
                    for n in c.master_authorized_networks
                ]
                if c.master_authorized_networks is not None
                else None
            ),
            "networkPolicy": c.network_policy if standard else None,
            "shieldedNodes": c.shielded_nodes if standard else None,
            "legacyAbac": c.enable_legacy_abac if standard else None,
            "issueClientCertificate": c.issue_client_certificate,
            "network": network_name(spec, c.network),
            "subnetwork": subnetwork_name(spec, c.subnetwork) if c.subnetwork else None,
            "labels": dict(c.labels),
            **_fields(spec, c),
        },
        {
            "createAs": sa.email_of(spec, c.create_as) if c.create_as else None,
            "removeDefaultNodePool": c.remove_default_node_pool,
            "masterIpv4CidrBlock": private.master_ipv4_cidr_block if private else None,
            # sent on create only: GKE cannot change a cluster's IP allocation in place
            "ipAllocationPolicy": (
                c.ip_allocation_policy.model_dump(by_alias=True, exclude_none=True)
                if c.ip_allocation_policy
                else None
            ),
            # The pools are created inline, in the cluster's own request.
            "nodePools": [
                {
                    **shared.pool_attributes(spec, c, pool, pool.name or pkey),
                    "initialNodeCount": pool.initial_node_count,
                }
                for pkey, pool in c.node_pools.items()
            ],
            "autopilotOauthScopes": (
                sorted(c.node_auto_provisioning.auto_provisioning_defaults.oauth_scopes)
                if c.autopilot
                and c.node_auto_provisioning
                and c.node_auto_provisioning.auto_provisioning_defaults.oauth_scopes
                else None
            ),
        },
        Lifecycle(
            deletion_protection=c.deletion_protection,
            # Journaled with the cluster's create: these pools are gkeplan's own.
            also_creates=tuple(
                Journaled(f"nodePool.{key}.{k}", "nodePool", f"{cid}/nodePools/{p.name or k}")
                for k, p in c.node_pools.items()
            ),
        ),
    )


def _check(spec: Document, c: Checker) -> None:
    for key, cluster in clusters(spec).items():
        path: Path = ("clusters", key)
        c.check_name(
            (*path, "name") if cluster.name else path,
            names.gke_name(cluster.name or key, "cluster"),
        )
        valid_location = c.location((*path, "location"), cluster.location)
        region = catalog.region_of(cluster.location) if valid_location else None
        c.zones((*path, "nodeLocations"), cluster.node_locations, region)
        if cluster.create_as is not None:
            sa.check_ref(c, (*path, "createAs"), cluster.create_as, "createAs")
        if cluster.autopilot:
            _check_autopilot(c, path, cluster, zonal=valid_location and region != cluster.location)
        elif cluster.remove_default_node_pool and not cluster.node_pools:
            c.error(
                path,
                "the cluster has no node pools and removes the default one",
                "add a pool under nodePools, or set removeDefaultNodePool: false",
            )
        if cluster.node_auto_provisioning is not None and not cluster.autopilot:
            _check_nap(c, (*path, "nodeAutoProvisioning"), cluster)
            at = (*path, "nodeAutoProvisioning", "autoprovisioningLocations")
            c.zones(at, cluster.node_auto_provisioning.autoprovisioning_locations, region)
        elif cluster.node_auto_provisioning is not None:
            _check_nap_account(c, (*path, "nodeAutoProvisioning"), cluster)
        if cluster.network_policy and cluster.datapath_provider == "ADVANCED_DATAPATH":
            # "If you try to explicitly enable or disable network policy enforcement in a
            # cluster that uses GKE Dataplane V2, the request will fail with the error message
            # Enabling NetworkPolicy for clusters with DatapathProvider=ADVANCED_DATAPATH is not
            # allowed." (GKE docs, concepts/dataplane-v2); "network_policy = true conflicts
            # with dataplane v2" (terraform-google-modules/terraform-google-kubernetes-engine#1085)
            c.error(
                (*path, "networkPolicy"),
                "Dataplane V2 enforces network policy itself: GKE refuses networkPolicy: true "
                'with it ("Enabling NetworkPolicy for clusters with '
                'DatapathProvider=ADVANCED_DATAPATH is not allowed.")',
                "remove networkPolicy (Dataplane V2 enforces NetworkPolicy objects)",
            )
        groups = cluster.authenticator_groups_config
        if groups is not None and not groups.security_group.startswith("gke-security-groups@"):
            # "Group name must be in format gke-security-groups@yourdomain.com."
            # (Google provider, authenticator_groups_config.security_group)
            c.error(
                (*path, "authenticatorGroupsConfig", "securityGroup"),
                f"Google Groups for RBAC reads the group gke-security-groups@DOMAIN, "
                f"not {groups.security_group}",
                "securityGroup: gke-security-groups@YOUR-DOMAIN",
                severity=Severity.WARNING,
            )
        if cluster.secret_manager and not cluster.workload_identity and not cluster.autopilot:
            # The Secret Manager provider of the Secrets Store CSI driver "will use the
            # workload identity of the pod that a secret is mounted onto" and asks for "a new
            # GKE cluster with Workload Identity" (GoogleCloudPlatform/
            # secrets-store-csi-driver-provider-gcp README); GKE's answer without it is not
            # sourced: a warning.
            c.error(
                (*path, "secretManager"),
                "the Secret Manager add-on reads secrets as the pod's Workload Identity, which "
                "this cluster has off (workloadIdentity: false)",
                "workloadIdentity: true",
                severity=Severity.WARNING,
            )
        if cluster.autopilot and cluster.autoscaling_profile is not None:
            # the Google provider ignores autoscaling_profile on Autopilot
            # (resource_container_cluster.go, DiffSuppressFunc suppressDiffForAutopilot)
            c.error(
                (*path, "autoscalingProfile"),
                "an Autopilot cluster's autoscaling profile is GKE's: it is not sent",
                "remove autoscalingProfile",
                severity=Severity.WARNING,
            )
        auto = cluster.node_pool_auto_config
        nap = cluster.node_auto_provisioning
        if auto and auto.network_tags and not cluster.autopilot and not (nap and nap.enabled):
            # "node_pool_auto_config network tags can only be set if enable_autopilot or
            # cluster_autoscaling is enabled" (resource_container_cluster.go,
            # validateNodePoolAutoConfig)
            c.error(
                (*path, "nodePoolAutoConfig", "networkTags"),
                "network tags of auto-created node pools need Autopilot or node "
                "auto-provisioning, and this cluster has neither",
                "set autopilot: true or nodeAutoProvisioning: {enabled: true, ...}, or put the "
                "tags on each pool (nodePools.KEY.tags)",
            )
        if cluster.maintenance_policy is not None:
            _check_maintenance(c, (*path, "maintenancePolicy"), cluster.maintenance_policy)
        c.labels((*path, "labels"), cluster.labels)
        c.depends_on(path, cluster)


def _check_maintenance(c: Checker, path: Path, policy: maintenance.MaintenancePolicy) -> None:
    if policy.daily_window_start_time is not None and policy.recurring_window is not None:
        # one of the two: they are the oneof `policy` of GKE's MaintenanceWindow (container
        # v1 cluster_service.proto), ExactlyOneOf in the Google provider
        c.error(
            (*path, "recurringWindow"),
            "a maintenance policy has one window: dailyWindowStartTime or recurringWindow, "
            "not both",
            "keep one of them",
        )
    elif policy.daily_window_start_time is None and policy.recurring_window is None:
        # the Google provider requires one (ExactlyOneOf); GKE's answer to exclusions alone
        # is not sourced, so it warns
        c.error(
            path,
            "the maintenance policy has no window (the Google provider requires one)",
            "add dailyWindowStartTime: '03:00' or a recurringWindow",
            severity=Severity.WARNING,
        )
    recurring = policy.recurring_window
    if recurring is not None and recurring.end_time <= recurring.start_time:
        # TimeWindow.endTime: "The end time should take place after the start time."
        c.error((*path, "recurringWindow", "endTime"), "the window ends before it starts")
    if len(policy.exclusions) > maintenance.MAX_EXCLUSIONS:
        c.error(
            (*path, "exclusions"),
            f"{len(policy.exclusions)} maintenance exclusions; the Google provider takes at "
            f"most {maintenance.MAX_EXCLUSIONS}",
            severity=Severity.WARNING,
        )
    seen: set[str] = set()
    for i, exclusion in enumerate(policy.exclusions):
        at = (*path, "exclusions", i)
        if exclusion.name in seen:  # GKE keeps them in a map by name
            c.error((*at, "name"), f"a second exclusion named {exclusion.name}")
        seen.add(exclusion.name)
        if exclusion.end_time <= exclusion.start_time:
            c.error((*at, "endTime"), f"exclusion {exclusion.name} ends before it starts")


def _check_autopilot(c: Checker, path: Path, cluster: Cluster, *, zonal: bool) -> None:
    if zonal:
        # GKE: "Error 400: Autopilot clusters must be regional clusters."
        # (GoogleCloudPlatform/ai-on-gke#628)
        c.error(
            (*path, "location"),
            f"Autopilot clusters are regional: GKE refuses the zone {cluster.location} "
            '("Autopilot clusters must be regional clusters.")',
            f"location: {catalog.region_of(cluster.location)}",
        )
    if cluster.node_pools:
        # GKE runs an Autopilot cluster's nodes itself: "Error 400: Autopilot node pools
        # cannot be accessed or modified." (turbot/steampipe-plugin-gcp#591,
        # gke-labs/kube-agents#920)
        c.error(
            (*path, "nodePools"),
            "an Autopilot cluster has no node pools of its own: GKE refuses them "
            '("Autopilot node pools cannot be accessed or modified.")',
            "remove nodePools (Autopilot sizes nodes from the pods' requests), "
            "or set autopilot: false",
        )
    # The Google provider refuses this with enable_autopilot (ConflictsWith,
    # resource_container_cluster.go; "see .../autopilot-overview#comparison"); GKE's own answer
    # is not sourced here, so it warns.
    if cluster.intranode_visibility is not None:
        c.error(
            (*path, "intranodeVisibility"),
            "intranodeVisibility is not for Autopilot clusters (GKE manages it; the Google "
            "provider refuses it with enable_autopilot)",
            "remove intranodeVisibility",
            severity=Severity.WARNING,
        )
    nap = cluster.node_auto_provisioning
    if nap is None:
        return
    at = (*path, "nodeAutoProvisioning")
    if not nap.enabled:
        # magic-modules#6733: passing cluster_autoscaling.enabled = false for an Autopilot
        # cluster "will be caught by server side validation": GKE refuses it.
        c.error(
            (*path, "nodeAutoProvisioning", "enabled"),
            "Autopilot clusters always provision their nodes: GKE refuses enabled: false",
            "remove enabled: false (autoProvisioningDefaults still names the nodes' account)",
        )
    if nap.resource_limits:
        # Autopilot sizes nodes itself; limits are a Standard cluster's (GKE's answer to
        # them on Autopilot is not sourced: a warning)
        c.error(
            (*at, "resourceLimits"),
            "resourceLimits are not for Autopilot clusters (GKE sizes the nodes from the pods)",
            "remove resourceLimits; keep autoProvisioningDefaults for the nodes' account",
            severity=Severity.WARNING,
        )
    # the Google provider ignores these on Autopilot (DiffSuppressFunc
    # suppressDiffForAutopilot on each, resource_container_cluster.go): gkeplan does not send them
    ignored = nap.auto_provisioning_defaults.model_dump(
        by_alias=True, exclude_none=True, exclude={"service_account", "oauth_scopes"}
    )
    for name in ignored:
        c.error(
            (*at, "autoProvisioningDefaults", name),
            f"an Autopilot cluster's {name} is GKE's: it is not sent",
            f"remove {name}",
            severity=Severity.WARNING,
        )


def _check_nap(c: Checker, path: Path, cluster: Cluster) -> None:
    nap = cluster.node_auto_provisioning
    assert nap is not None
    types = {r.resource_type for r in nap.resource_limits}
    if nap.enabled and not {"cpu", "memory"} <= types:
        # GKE: "Error 400: Resource limits for cpu, memory must be specified when enabling
        # node autoprovisioning." (hashicorp/terraform-provider-google#24232)
        missing = " and ".join(sorted({"cpu", "memory"} - types))
        c.error(
            (*path, "resourceLimits"),
            f"node auto-provisioning needs resource limits for cpu and memory; {missing} "
            "has none (GKE refuses it)",
            "add {resourceType: cpu, maximum: N} and {resourceType: memory, maximum: GB}",
        )
    if not nap.enabled and nap.resource_limits:
        # GKE: "Error 400: Resource limits are supported only with node autoprovisioning."
        # (aptos-labs/aptos-core#5645)
        c.error(
            (*path, "resourceLimits"),
            "resource limits are for node auto-provisioning, which enabled: false turns off "
            "(GKE refuses them)",
            "remove resourceLimits, or set enabled: true",
        )
    for i, limit in enumerate(nap.resource_limits):
        if limit.minimum > limit.maximum:
            c.error(
                (*path, "resourceLimits", i),
                f"{limit.resource_type}: minimum {limit.minimum} is above maximum {limit.maximum}",
            )
    _check_nap_account(c, path, cluster)


def _check_nap_account(c: Checker, path: Path, cluster: Cluster) -> None:
    nap = cluster.node_auto_provisioning
    assert nap is not None
    ref = nap.auto_provisioning_defaults.service_account
    if ref is not None:
        sa.check_ref(
            c, (*path, "autoProvisioningDefaults", "serviceAccount"), ref, "serviceAccount"
        )


def _external(spec: Document) -> Iterable[base.ExternalRef]:
    """Outside accounts the clusters name (a pool's, auto-provisioning's or Autopilot's node
    account, createAs): checked to exist before anything is created. Otherwise GKE's create
    fails after the resources before it exist ("Service account X does not exist.", a 400 that
    reads like a missing permission)."""
    from gkeplan.kinds.service_account import sa_project

    seen: set[str] = set()
    for key, cluster in clusters(spec).items():
        refs = [(ref, ("clusters", key, *at)) for _, ref, at in node_accounts(cluster)]
        if cluster.autopilot and cluster.node_auto_provisioning:
            ref = cluster.node_auto_provisioning.auto_provisioning_defaults.service_account
            at = ("nodeAutoProvisioning", "autoProvisioningDefaults", "serviceAccount")
            refs.append((ref, ("clusters", key, *at)))
        refs.append((cluster.create_as, ("clusters", key, "createAs")))
        for ref, path in refs:
            if not ref or "@" not in ref or sa.own_account(spec, ref) or ref in seen:
                continue
            seen.add(ref)
            name = f"projects/{sa_project(spec, ref)}/serviceAccounts/{ref}"
            yield base.ExternalRef("serviceAccount", name, path, f"service account {ref}")


CONTAINER_API = "container.googleapis.com"  # the service its driver's client calls
# a createAs cluster is created with a token minted by generateAccessToken
IAM_CREDENTIALS_API = "iamcredentials.googleapis.com"


def _apis(spec: Document, node: base.Node) -> tuple[str, ...]:
    return (CONTAINER_API, IAM_CREDENTIALS_API) if node.model.create_as else (CONTAINER_API,)


def _outputs(id: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
    # id: projects/P/locations/L/clusters/N (container v1 resource name)
    _, project, _, location, _, name = id.split("/")[:6]
    out: dict[str, Any] = {}
    if attributes.get("endpoint"):
        out["endpoint"] = attributes["endpoint"]
    if attributes.get("clusterCaCertificate"):
        out["ca_certificate"] = attributes["clusterCaCertificate"]
    # cloud.google.com/sdk/gcloud/reference/container/clusters/get-credentials:
    # `get-credentials NAME [--location=LOCATION]` with the project a gcloud-wide flag.
    out["get_credentials"] = shlex.join(
        [
            "gcloud",
            "container",
            "clusters",
            "get-credentials",
            name,
            f"--location={location}",
            f"--project={project}",
        ]
    )
    return out


def _catalog_names(spec: Document, node: base.Node) -> Iterable[base.CatalogName]:
    cluster: Cluster = node.model
    yield base.CatalogName("location", cluster.location, (*node.path, "location"))
    for i, zone in enumerate(cluster.node_locations or []):
        yield base.CatalogName("location", zone, (*node.path, "nodeLocations", i))


def _identities(spec: Document, node: base.Node) -> Iterable[base.Identity]:
    cluster: Cluster = node.model
    name = str(node.path[1])
    if cluster.create_as:
        yield base.Identity(
            "createAs", cluster.create_as, (*node.path, "createAs"), f"cluster {name}"
        )
    nap = cluster.node_auto_provisioning
    if nap is not None and nap.enabled:
        at = ("nodeAutoProvisioning", "autoProvisioningDefaults", "serviceAccount")
        ref = nap.auto_provisioning_defaults.service_account
        holder = f"nodes of {name}/nodeAutoProvisioning"
        yield base.Identity(
            "runsAs", ref, (*node.path, *at), holder, shared.NODE_ROLE, shared.NODE_ROLE_PURPOSE
        )


KIND = base.Kind(
    "cluster",
    base.Section(
        "clusters", dict[str, Cluster], dict, "GKE clusters, by key, each with its node pools."
    ),
    _expand,
    _needs,
    _desired,
    driver="gkeplan.kinds.gke.driver:ClusterDriver",
    generate="gkeplan.kinds.gke.generate:GENERATOR",
    apis=_apis,
    link=_link,
    check=_check,
    external=_external,
    immutable=frozenset(
        {
            "name",
            "location",
            "description",
            "privateNodes",
            "privateEndpoint",
            "issueClientCertificate",
            "network",
            "subnetwork",
            # ForceNew in the Google provider (resource_container_cluster.go,
            # `enable_autopilot` and `datapath_provider`: ForceNew: true)
            "autopilot",
            "datapathProvider",
            # GKE's answer to changing an Autopilot cluster's node account in place is not
            # sourced (the emulator refuses desiredClusterAutoscaling on Autopilot): replace
            "autopilotServiceAccount",
            # ForceNew in the Google provider (resource_container_cluster.go,
            # `default_max_pods_per_node`)
            "defaultMaxPodsPerNode",
        }
    ),
    expected_seconds=300.0,
    replace_loses_data=True,  # its workloads and everything they keep in the cluster
    rules="gkeplan.kinds.gke.rules:RULES",
    outputs=_outputs,
    usage="gkeplan.kinds.gke.usage:usage",
    cost="gkeplan.kinds.gke.cost:PRICED",
    catalog_names=_catalog_names,
    identities=_identities,
)
