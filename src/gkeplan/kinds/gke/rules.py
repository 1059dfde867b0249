"""security-baseline for clusters and node pools: checkov's GKE and node-pool checks as they
apply to a spec (source: bridgecrewio/checkov, checkov/terraform/checks/resource/gcp/).

Each check names the spec setting, the insecure value and the YAML that fixes it. Settings
whose default is already secure produce nothing unless a spec turns them off; the checks of
fields whose unset value follows GKE's default (off) are notes on every cluster that does not
ask for the hardening.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gkeplan.errors import Severity
from gkeplan.kinds.gke.models import clusters
from gkeplan.kinds.gke.shared import NODE_ROLE
from gkeplan.policy.baseline import E, N, W, baseline
from gkeplan.policy.model import Finding, Rule, RuleContext


def _dataplane_v2(cluster: Any) -> bool:
    """Dataplane V2 runs: asked for, or an Autopilot cluster ("enabled by default in Autopilot
    clusters", GKE "Dataplane version support")."""
    return bool(cluster.autopilot or cluster.datapath_provider == "ADVANCED_DATAPATH")


RULES: list[type[Rule]] = [
    baseline(
        "SB001",
        "cluster",
        "workloadIdentity",
        lambda c: not c.workload_identity,
        "workload identity is off: pods use the node's service account",
        "workloadIdentity: true",
        W,
        None,
        "Workload Identity is enabled",
        "Pods should get their own identities, not the node's.",
    ),
    baseline(
        "SB002",
        "nodePool",
        "workloadMetadata",
        lambda p: p.workload_metadata == "GCE_METADATA",
        "nodes expose the Compute Engine metadata server (and its token) to pods",
        "workloadMetadata: GKE_METADATA",
        W,
        "CKV_GCP_69",
        "The GKE metadata server is enabled",
        "It hides node credentials from pods.",
    ),
    baseline(
        "SB003",
        "cluster",
        "shieldedNodes",
        lambda c: not c.shielded_nodes,
        "shielded GKE nodes are off",
        "shieldedNodes: true",
        W,
        "CKV_GCP_71",
        "Shielded GKE nodes are enabled",
        "They prove node identity and boot integrity.",
    ),
    baseline(
        "SB004",
        "nodePool",
        "shieldedInstanceConfig",
        lambda p: not p.shielded_instance_config.enable_secure_boot,
        "secure boot is off",
        "shieldedInstanceConfig: {enableSecureBoot: true}",
        W,
        "CKV_GCP_68",
        "Secure boot is enabled",
        "It stops unsigned kernels and rootkits.",
    ),
    baseline(
        "SB005",
        "nodePool",
        "shieldedInstanceConfig",
        lambda p: not p.shielded_instance_config.enable_integrity_monitoring,
        "integrity monitoring is off",
        "shieldedInstanceConfig: {enableIntegrityMonitoring: true}",
        W,
        "CKV_GCP_72",
        "Integrity monitoring is enabled",
        "It reports a tampered boot sequence.",
    ),
    baseline(
        "SB006",
        "cluster",
        "releaseChannel",
        lambda c: c.release_channel == "UNSPECIFIED",
        "no release channel: the control plane is not kept patched",
        "releaseChannel: REGULAR",
        W,
        "CKV_GCP_70",
        "A release channel is set",
        "Channels deliver security patches automatically.",
    ),
    baseline(
        "SB007",
        "cluster",
        "privateCluster",
        lambda c: c.private_cluster is None or not c.private_cluster.enable_private_nodes,
        "nodes have public IP addresses",
        "privateCluster: {enablePrivateNodes: true}",
        W,
        "CKV_GCP_25",
        "Nodes are private",
        "Public nodes are reachable from the internet.",
    ),
    baseline(
        "SB008",
        "cluster",
        "masterAuthorizedNetworks",
        lambda c: c.master_authorized_networks is None,
        "the control plane accepts connections from any address",
        "masterAuthorizedNetworks: [{cidrBlock: 203.0.113.0/24, displayName: office}]",
        N,
        "CKV_GCP_20",
        "Master authorized networks are set",
        "Limit who can reach the Kubernetes API; IAM still guards it.",
    ),
    baseline(
        "SB009",
        "cluster",
        "networkPolicy",
        # "Kubernetes Network policy is always on in clusters with Dataplane V2", which
        # Autopilot clusters use by default (GKE docs, Dataplane V2 concepts and "Dataplane
        # version support": https://cloud.google.com/kubernetes-engine/docs/concepts/dataplane-v2)
        lambda c: not (c.network_policy or _dataplane_v2(c)),
        "network policy enforcement is off: any pod can reach any pod",
        "networkPolicy: true",
        N,
        "CKV_GCP_12",
        "Network policy is enabled",
        "It lets the serving pods accept traffic only from where it should come.",
    ),
    baseline(
        "SB010",
        "cluster",
        "enableLegacyAbac",
        lambda c: c.enable_legacy_abac,
        "legacy ABAC is on: it bypasses RBAC",
        "enableLegacyAbac: false",
        E,
        "CKV_GCP_7",
        "Legacy ABAC is off",
        "ABAC grants broad, unaudited access.",
    ),
    baseline(
        "SB011",
        "cluster",
        "issueClientCertificate",
        lambda c: c.issue_client_certificate,
        "a client certificate is issued: a credential that cannot be revoked",
        "issueClientCertificate: false",
        E,
        "CKV_GCP_13",
        "Client certificate authentication is off",
        "Such certificates never expire.",
    ),
    baseline(
        "SB012",
        "nodePool",
        "management",
        lambda p: not p.management.auto_repair,
        "auto-repair is off",
        "management: {autoRepair: true}",
        W,
        "CKV_GCP_9",
        "Node auto-repair is on",
        "Broken nodes stay broken without it.",
    ),
    baseline(
        "SB013",
        "nodePool",
        "management",
        lambda p: not p.management.auto_upgrade,
        "auto-upgrade is off: nodes miss security patches",
        "management: {autoUpgrade: true}",
        W,
        "CKV_GCP_10",
        "Node auto-upgrade is on",
        "Upgrades carry security fixes.",
    ),
    baseline(
        "SB014",
        "nodePool",
        "imageType",
        lambda p: not p.image_type.startswith("COS"),
        "nodes do not run Container-Optimized OS",
        "imageType: COS_CONTAINERD",
        N,
        "CKV_GCP_22",
        "Nodes run Container-Optimized OS",
        "COS is minimal and hardened.",
    ),
    baseline(
        "SB015",
        "cluster",
        "labels",
        lambda c: not c.labels,
        "the cluster has no labels (cost and ownership reports cannot find it)",
        "labels: {team: ml, app: stable-diffusion}",
        N,
        "CKV_GCP_21",
        "Clusters are labelled",
        "Labels drive billing reports and ownership.",
    ),
    baseline(
        "SB023",
        "cluster",
        "intranodeVisibility",
        # Autopilot: GKE manages the setting (the Google provider refuses it with
        # enable_autopilot), so nothing for the spec to fix.
        lambda c: not c.autopilot and not c.intranode_visibility,
        "intranode visibility is off: pod-to-pod traffic on one node bypasses VPC flow logs "
        "and firewall rules",
        "intranodeVisibility: true",
        N,
        # bridgecrewio/checkov checkov/terraform/checks/resource/gcp/GKEEnableVPCFlowLogs.py:
        # "Enable VPC Flow Logs and Intranode Visibility", enable_intranode_visibility == True
        "CKV_GCP_61",
        "Intranode visibility is enabled",
        "Traffic between pods of one node is then seen, logged and filtered by the VPC.",
    ),
    baseline(
        "SB024",
        "cluster",
        "authenticatorGroupsConfig",
        lambda c: c.authenticator_groups_config is None,
        "Google Groups for RBAC is off: Kubernetes roles are granted to people one by one",
        "authenticatorGroupsConfig: {securityGroup: gke-security-groups@YOUR-DOMAIN}",
        N,
        # checkov .../gcp/GKEKubernetesRBACGoogleGroups.py: "Manage Kubernetes RBAC users with
        # Google Groups for GKE", authenticator_groups_config present
        "CKV_GCP_65",
        "Kubernetes RBAC users are managed with Google Groups",
        "Access granted to groups is reviewed and revoked in one place.",
    ),
    baseline(
        "SB025",
        "cluster",
        "binaryAuthorization",
        lambda c: (
            c.binary_authorization is None
            or c.binary_authorization.evaluation_mode != "PROJECT_SINGLETON_POLICY_ENFORCE"
        ),
        "Binary Authorization is off: any image can run on the cluster",
        "binaryAuthorization: {evaluationMode: PROJECT_SINGLETON_POLICY_ENFORCE}",
        N,
        # checkov .../gcp/GKEBinaryAuthorization.py: "Ensure use of Binary Authorization"
        "CKV_GCP_66",
        "Binary Authorization is enforced",
        "Only images the project's policy admits (e.g. from the spec's registry) can run.",
    ),
    baseline(
        "SB026",
        "cluster",
        "datapathProvider",
        lambda c: not _dataplane_v2(c),
        "Dataplane V2 is off: kube-proxy and iptables route the pods, without built-in "
        "network policy or its logging",
        "datapathProvider: ADVANCED_DATAPATH   # on a new cluster: it cannot change in place",
        N,
        # checkov has no Dataplane V2 check. Google's own GKE policy library asks for it:
        # google/gke-policy-automation gke-policies-v2/policy/network_policies.rego, "GKE
        # cluster should have Network Policies or Dataplane V2 enabled" (CIS GKE 1.2, 5.6.7);
        # "Kubernetes Network policy is always on in clusters with Dataplane V2" (GKE docs,
        # https://cloud.google.com/kubernetes-engine/docs/concepts/dataplane-v2).
        None,
        "Dataplane V2 is used",
        "eBPF enforces and logs network policy on every node, with no add-on to keep.",
    ),
    baseline(
        "SB027",
        "cluster",
        "masterAuthorizedNetworks",
        # checkov/terraform/checks/resource/gcp/GKEPublicControlPlane.py: FAILED when a
        # cidr_block of master_authorized_networks_config contains '0.0.0.0/0'
        lambda c: any("0.0.0.0/0" in n.cidr_block for n in c.master_authorized_networks or ()),
        "an authorized network of 0.0.0.0/0 lets every address reach the control plane",
        "masterAuthorizedNetworks: [{cidrBlock: 203.0.113.0/24, displayName: office}]",
        W,
        "CKV_GCP_18",
        "The control plane is not open to every address",
        "0.0.0.0/0 as an authorized network turns the restriction off while looking like one.",
    ),
]


class DefaultComputeServiceAccount(Rule):
    id = "LP004"
    title = "Nodes do not run as the Compute Engine default service account"
    rationale = (
        "The default account often holds roles/editor; every pod on the node can use its token."
    )
    severity = Severity.ERROR
    # checkov's GKE check is the graph check CKV2_GCP_1 ("Ensure GKE clusters are not running
    # using the Compute Engine default service account"); CKV_GCP_30 covers
    # google_compute_instance and passes instances named gke-* (checkov 03d5fdad).
    checkov = "CKV2_GCP_1"

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        for cname, cluster in clusters(ctx.spec).items():
            pools = [
                (p, pool) for p, pool in cluster.node_pools.items() if not pool.service_account
            ]
            for pname, _ in pools:
                yield self.finding(
                    ctx,
                    f"nodePool.{cname}.{pname}",
                    ("clusters", cname, "nodePools", pname),
                    f"node pool {pname} runs as the Compute Engine default service account",
                    f"serviceAccount: gke-node   # an account with {NODE_ROLE} only",
                )
            if not cluster.remove_default_node_pool and not cluster.autopilot:
                yield self.finding(
                    ctx,
                    f"cluster.{cname}",
                    ("clusters", cname),
                    f"cluster {cname} keeps GKE's default node pool, which runs "
                    "as the Compute Engine default service account",
                    "removeDefaultNodePool: true",
                )
            nap = cluster.node_auto_provisioning
            if cluster.autopilot and not (nap and nap.auto_provisioning_defaults.service_account):
                # Autopilot nodes run as the account of cluster_autoscaling's
                # auto_provisioning_defaults (GoogleCloudPlatform/magic-modules#6733), the
                # Compute Engine default when none is named
                # (hashicorp/terraform-provider-google#8918: "GKE autopilot is always created
                # with default service account")
                yield self.finding(
                    ctx,
                    f"cluster.{cname}",
                    ("clusters", cname, "autopilot"),
                    f"Autopilot cluster {cname} runs its nodes as the Compute Engine default "
                    "service account",
                    "nodeAutoProvisioning: {autoProvisioningDefaults: {serviceAccount: gke-node}}",
                )
            elif nap and nap.enabled and not nap.auto_provisioning_defaults.service_account:
                # Auto-provisioned nodes run as it too; Google's GKE policy library forbids it
                # (google/gke-policy-automation gke-policies-v2/policy/nap_forbid_default_sa.rego)
                yield self.finding(
                    ctx,
                    f"cluster.{cname}",
                    ("clusters", cname, "nodeAutoProvisioning"),
                    f"node auto-provisioning in {cname} runs nodes as the Compute Engine "
                    "default service account",
                    "autoProvisioningDefaults: {serviceAccount: gke-node}",
                )


RULES.append(DefaultComputeServiceAccount)
