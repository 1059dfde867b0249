"""cluster (with its nodePools) for `import --generate`: every GKE cluster of the project, from
the one list call refresh makes, written back as the spec entry whose desired state is the
cluster as it runs."""

from __future__ import annotations

from typing import Any

from google.cloud import container_v1 as gke
from pydantic import ValidationError

from gkeplan import catalog
from gkeplan.kinds import generating as gen
from gkeplan.kinds.driver import CallContext
from gkeplan.kinds.gke.cluster import CONTAINER_API
from gkeplan.kinds.gke.convert import cluster_from_proto, pool_from_proto
from gkeplan.kinds.gke.driver import list_clusters
from gkeplan.kinds.gke.models import Cluster, NodePool, boot_disk_type
from gkeplan.kinds.gke.shared import DEFAULT_SERVICE_ACCOUNT, LEGACY_ENDPOINTS
from gkeplan.kinds.network import network_id

# "Autopilot ... GKE manages your nodes" (https://cloud.google.com/kubernetes-engine/docs/
# concepts/autopilot-overview); GKE refuses node pools in a spec of one: "Autopilot node pools
# cannot be accessed or modified." (kinds/gke/cluster.py)
AUTOPILOT_DOC = "https://cloud.google.com/kubernetes-engine/docs/concepts/autopilot-overview"


class ClusterGenerator:
    kind = "cluster"
    reads: tuple[str, ...] = ("network", "subnetwork", "serviceAccount")
    holds: tuple[str, ...] = ("nodePool",)
    apis: tuple[str, ...] = (CONTAINER_API,)

    def list(self, ctx: CallContext, listing: gen.Listing) -> list[gen.Found]:
        out = []
        for cid, c in sorted(list_clusters(ctx).items()):
            pools = tuple(
                gen.Found(
                    "nodePool",
                    f"{cid}/nodePools/{p.name}",
                    pool_from_proto(p),
                )
                for p in c.node_pools
            )
            out.append(gen.Found(self.kind, cid, cluster_from_proto(c), pools, _raw(c)))
        return out

    def region(self, found: gen.Found) -> str | None:
        return catalog.region_of(found.attributes["location"])

    def write(self, found: gen.Found, listing: gen.Listing) -> gen.Written:
        a = found.attributes
        if a.get("_error"):
            return gen.LeftOut(
                self.kind,
                found.id,
                f"GKE reports it in ERROR ({a['_error']}); a plan would replace it",
                managed=False,
            )
        region = catalog.region_of(a["location"])
        try:
            value = gen.compact(Cluster, _cluster(a, found.extra, region, listing))
        except ValidationError as exc:
            return gen.inexpressible(self.kind, found.id, exc)
        pools: dict[str, Any] = {}
        left_out: tuple[gen.LeftOut, ...] = ()
        if a["autopilot"]:
            left_out = tuple(
                gen.LeftOut(
                    "nodePool",
                    p.id,
                    "a node pool of an Autopilot cluster: GKE's own",
                    AUTOPILOT_DOC,
                )
                for p in found.parts
            )
        else:
            for pool in found.parts:
                written = _pool(pool, a, found.extra, listing)
                if isinstance(
                    written, gen.LeftOut
                ):  # the cluster's spec says what all its pools are
                    why = f"its node pool {pool.attributes['name']}: {written.why}"
                    return gen.LeftOut(self.kind, found.id, why, written.source, written.managed)
                pools[pool.attributes["name"]] = written
        if pools:
            value["nodePools"] = pools
        key = listing.claim("clusters", a["name"], f"{a['name']}-{a['location']}")
        if key != a["name"]:
            value = {"name": a["name"], **value}
        listing.keys[(self.kind, found.id)] = key
        comment = (
            "deletionProtection (gkeplan's guard, true by default) keeps destroy from deleting "
            "it; set it false to let destroy delete it"
        )
        return gen.Entry("clusters", key, value, found, comment, left_out)


def _raw(c: gke.Cluster) -> dict[str, Any]:
    ip = c.ip_allocation_policy
    names = {
        "clusterSecondaryRangeName": ip.cluster_secondary_range_name,
        "servicesSecondaryRangeName": ip.services_secondary_range_name,
    }
    blocks = {
        "clusterIpv4CidrBlock": ip.cluster_ipv4_cidr_block,
        "servicesIpv4CidrBlock": ip.services_ipv4_cidr_block,
    }
    chosen = names if any(names.values()) else blocks
    return {
        "masterIpv4CidrBlock": c.private_cluster_config.master_ipv4_cidr_block or None,
        "ipAllocationPolicy": {k: v for k, v in chosen.items() if v} or None,
        "initialNodeCounts": {p.name: p.initial_node_count for p in c.node_pools},
    }


def _account(email: str, listing: gen.Listing) -> str | None:
    """A node account as the spec names it: the key of a generated account, else its email;
    None for the Compute Engine default."""
    if email in ("", DEFAULT_SERVICE_ACCOUNT):
        return None
    return listing.ref("serviceAccount", email, email)


def _cluster(
    a: dict[str, Any], raw: dict[str, Any], region: str, listing: gen.Listing
) -> dict[str, Any]:
    zonal = a["location"] != region
    nodes = a["nodeLocations"]
    nap = a["nodeAutoProvisioning"] or {}
    autopilot_sa = a["autopilotServiceAccount"]
    standard = not a["autopilot"]
    return {
        "location": a["location"],
        # a zonal cluster's nodes are in its zone unless told otherwise
        "nodeLocations": None if nodes is None or (zonal and nodes == [a["location"]]) else nodes,
        "description": a["description"] or None,
        "releaseChannel": a["releaseChannel"],
        "workloadIdentity": a["workloadIdentity"],
        "privateCluster": {
            "enablePrivateNodes": a["privateNodes"],
            "enablePrivateEndpoint": a["privateEndpoint"],
            "masterIpv4CidrBlock": raw["masterIpv4CidrBlock"] if a["privateNodes"] else None,
            "masterGlobalAccess": a["masterGlobalAccess"] or None,
        },
        "dnsEndpoint": {"allowExternalTraffic": True} if a["dnsEndpointExternalTraffic"] else None,
        "masterAuthorizedNetworks": a["masterAuthorizedNetworks"],
        "networkPolicy": a["networkPolicy"] if standard else False,
        "shieldedNodes": a["shieldedNodes"] if standard else True,
        "enableLegacyAbac": a["legacyAbac"] if standard else False,
        "issueClientCertificate": a["issueClientCertificate"],
        "network": listing.ref("network", network_id(listing.project, a["network"]), a["network"]),
        "subnetwork": listing.ref(
            "subnetwork",
            f"projects/{listing.project}/regions/{region}/subnetworks/{a['subnetwork']}",
            a["subnetwork"],
        )
        if a["subnetwork"]
        else None,
        "ipAllocationPolicy": raw["ipAllocationPolicy"],
        "labels": a["labels"],
        "autopilot": a["autopilot"],
        "addons": {k.split(".", 1)[1]: v for k, v in a.items() if k.startswith("addons.")},
        "loggingComponents": a["loggingComponents"],
        "monitoringComponents": a["monitoringComponents"],
        "binaryAuthorization": {"evaluationMode": a["binaryAuthorization"]}
        if a["binaryAuthorization"] != "DISABLED"
        else None,
        "intranodeVisibility": a["intranodeVisibility"] or None,
        "authenticatorGroupsConfig": {"securityGroup": a["authenticatorGroup"]}
        if a["authenticatorGroup"]
        else None,
        "datapathProvider": a["datapathProvider"]
        if a["datapathProvider"] != "LEGACY_DATAPATH"
        else None,
        "nodeAutoProvisioning": _nap(nap, listing)
        if nap.get("enabled")
        else (
            {"autoProvisioningDefaults": {"serviceAccount": _account(autopilot_sa, listing)}}
            if autopilot_sa and autopilot_sa != DEFAULT_SERVICE_ACCOUNT
            else None
        ),
        # issue 24's fields: what is on is written; off is GKE's default (unset follows it)
        "secretManager": a["secretManager"] or None,
        "securityPosture": {
            "mode": a["securityPostureMode"],
            "vulnerabilityMode": a["vulnerabilityMode"],
        }
        if a["securityPostureMode"] or a["vulnerabilityMode"]
        else None,
        "managedPrometheus": a["managedPrometheus"] or None,
        "costAllocation": a["costAllocation"] or None,
        "gatewayApi": a["gatewayApi"],
        "maintenancePolicy": _maintenance(a["maintenancePolicy"]),
        "clusterDns": a["clusterDns"],
        "verticalPodAutoscaling": a["verticalPodAutoscaling"] or None,
        "autoscalingProfile": a["autoscalingProfile"] if standard else None,
        "defaultMaxPodsPerNode": a["defaultMaxPodsPerNode"],
        "nodePoolAutoConfig": {
            "networkTags": a["autoConfigNetworkTags"] or None,
            "resourceManagerTags": a["autoConfigResourceManagerTags"] or None,
        }
        if a["autoConfigNetworkTags"] or a["autoConfigResourceManagerTags"]
        else None,
        # a cluster with no pool of its own keeps the default pool GKE makes with it
        "removeDefaultNodePool": bool(raw["initialNodeCounts"]) or a["autopilot"],
    }


def _autoscaling(auto: dict[str, Any], location_policy: str | None) -> dict[str, Any]:
    if "totalMaxNodeCount" in auto:  # limits for the whole pool
        limits = {
            "totalMinNodeCount": auto["totalMinNodeCount"],
            "totalMaxNodeCount": auto["totalMaxNodeCount"],
        }
    else:
        limits = {"minNodeCount": auto["minNodeCount"], "maxNodeCount": auto["maxNodeCount"]}
    return {**limits, "locationPolicy": location_policy}


def _maintenance(policy: dict[str, Any]) -> dict[str, Any] | None:
    if not (policy["dailyStartTime"] or policy["recurring"] or policy["exclusions"]):
        return None  # no policy: GKE maintains the cluster at any time
    return {
        "dailyWindowStartTime": policy["dailyStartTime"],
        "recurringWindow": policy["recurring"],
        "exclusions": policy["exclusions"],
    }


def _nap(nap: dict[str, Any], listing: gen.Listing) -> dict[str, Any]:
    return {
        "enabled": True,
        "resourceLimits": nap["resourceLimits"],
        "autoProvisioningDefaults": {
            "serviceAccount": _account(nap["serviceAccount"], listing),
            "oauthScopes": nap["oauthScopes"],
            # the disk, image, management, upgrade and shielded settings as they run
            **{k: v for k, v in nap.items() if k not in _NAP_OWN},
        },
        "autoprovisioningLocations": nap.get("autoprovisioningLocations"),
    }


# node auto-provisioning's keys written above, outside its defaults
_NAP_OWN = frozenset(
    {"enabled", "resourceLimits", "serviceAccount", "oauthScopes", "autoprovisioningLocations"}
)


def _pool(
    found: gen.Found, cluster: dict[str, Any], raw: dict[str, Any], listing: gen.Listing
) -> dict[str, Any] | gen.LeftOut:
    p = found.attributes
    metadata = dict(p["metadata"])
    # gkeplan sends disable-legacy-endpoints: "true" itself (kinds/gke/shared.py)
    if metadata.get(LEGACY_ENDPOINTS) == "true":
        metadata.pop(LEGACY_ENDPOINTS)
    auto = p["autoscaling"]
    data: dict[str, Any] = {
        "machineType": p["machineType"],
        "initialNodeCount": raw["initialNodeCounts"].get(p["name"]) or 1,
        "autoscaling": _autoscaling(auto, p["locationPolicy"]) if auto["enabled"] else None,
        "nodeLocations": p["nodeLocations"]
        if p["nodeLocations"] not in (None, cluster["nodeLocations"])
        else None,
        "spot": p["spot"],
        "preemptible": p["preemptible"],
        "diskSizeGb": p["diskSizeGb"],
        "imageType": p["imageType"],
        "accelerators": p["accelerators"],
        "labels": p["labels"],
        "taints": p["taints"],
        "serviceAccount": _account(p["serviceAccount"], listing),
        "oauthScopes": p["oauthScopes"],
        "upgradeSettings": p["upgradeSettings"],
        "management": {"autoRepair": p["autoRepair"], "autoUpgrade": p["autoUpgrade"]},
        "shieldedInstanceConfig": {
            "enableSecureBoot": p["secureBoot"],
            "enableIntegrityMonitoring": p["integrityMonitoring"],
        },
        "maxPodsPerNode": p["maxPodsPerNode"],
        "tags": p["tags"],
        "metadata": metadata,
        "imageStreaming": p["imageStreaming"],
        "localSsdCount": p["localSsdCount"],
        "ephemeralStorageLocalSsdCount": p["ephemeralStorageLocalSsdCount"],
        "gvnic": p["gvnic"] or None,
        "reservationAffinity": p["reservationAffinity"],
        "queuedProvisioning": p["queuedProvisioning"] or None,
        "placementPolicy": p["placementPolicy"],
        "sandbox": p["sandbox"],
        "kubeletConfig": p["kubeletConfig"] or None,
        "linuxNodeConfig": p["linuxNodeConfig"] or None,
    }
    try:
        bare = NodePool.model_validate(data)
    except ValidationError as exc:
        return gen.inexpressible("nodePool", found.id, exc)
    # what gkeplan would choose on its own is left out; anything else is written
    if boot_disk_type(bare) != p["diskType"]:
        data["diskType"] = p["diskType"]
    wi_default = "GKE_METADATA" if cluster["workloadIdentity"] else "GCE_METADATA"
    if p["workloadMetadata"] != wi_default:
        data["workloadMetadata"] = p["workloadMetadata"]
    try:
        value = gen.compact(NodePool, data)
    except ValidationError as exc:
        return gen.inexpressible("nodePool", found.id, exc)
    if data["autoscaling"] is not None:  # its bounds say what it does, defaults or not
        value["autoscaling"] = {k: v for k, v in data["autoscaling"].items() if v is not None}
    return value


GENERATOR = ClusterGenerator()
