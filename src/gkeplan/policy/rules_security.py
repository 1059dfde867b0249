"""security-baseline: checkov's GKE, node-pool, bucket and Artifact Registry checks, as they
apply to a spec.

Each check names the spec setting, the insecure value and the YAML that fixes it. Settings
whose default is already secure produce nothing unless a spec turns them off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from gkeplan.errors import Path, Severity
from gkeplan.kinds.bucket import buckets
from gkeplan.policy.grants import grants
from gkeplan.policy.model import Context, Finding, Rule

Check = Callable[[Any], bool]  # True: the resource is insecure


def _dataplane_v2(cluster: Any) -> bool:
    """Dataplane V2 runs: asked for, or an Autopilot cluster ("enabled by default in Autopilot
    clusters", GKE "Dataplane version support")."""
    return bool(cluster.autopilot or cluster.datapath_provider == "ADVANCED_DATAPATH")


def _items(ctx: Context, kind: str) -> Iterable[tuple[str, Path, Any]]:
    """The spec's resources of `kind`, with the spec model each node carries."""

    def by_kind() -> dict[str, list[tuple[str, Path, Any]]]:
        out: dict[str, list[tuple[str, Path, Any]]] = {}
        for address in sorted(ctx.graph):
            node = ctx.graph.nodes[address]["node"]
            out.setdefault(node.kind, []).append((address, node.path, node.config))
        return out

    return ctx.spec.memo("policy.resources_by_kind", by_kind).get(kind, [])


def baseline(
    rule_id: str,
    kind: str,
    key: str,
    check: Check,
    message: str,
    fix: str,
    severity: Severity,
    checkov: str | None,
    title: str,
    rationale: str,
) -> type[Rule]:
    def run(self: Rule, ctx: Context) -> Iterable[Finding]:
        for address, path, obj in _items(ctx, kind):
            if check(obj):
                at = (*path, key) if key else path
                where = at if ctx.source and ctx.source.values.get(at) else path
                yield self.finding(ctx, address, where, message, fix)

    attrs = {
        "id": rule_id,
        "title": title,
        "rationale": rationale,
        "severity": severity,
        "checkov": checkov,
        "check": run,
    }
    return type(f"Baseline{rule_id}", (Rule,), attrs)


W, E, N = Severity.WARNING, Severity.ERROR, Severity.INFO
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
        "SB016",
        "bucket",
        "uniformBucketLevelAccess",
        lambda b: not b.uniform_bucket_level_access,
        "uniform bucket-level access is off: object ACLs can grant access IAM does not show",
        "uniformBucketLevelAccess: true",
        E,
        "CKV_GCP_29",
        "Uniform bucket-level access is on",
        "IAM alone decides who reads the model.",
    ),
    baseline(
        "SB017",
        "bucket",
        "publicAccessPrevention",
        lambda b: b.public_access_prevention != "enforced",
        "public access prevention is not enforced",
        "publicAccessPrevention: enforced",
        E,
        "CKV_GCP_114",
        "Public access prevention is enforced",
        "One wrong grant must not publish the model.",
    ),
    baseline(
        "SB018",
        "bucket",
        "versioning",
        lambda b: not b.versioning,
        "object versioning is off: an overwritten or deleted model cannot be recovered",
        "versioning: true",
        N,
        "CKV_GCP_78",
        "Object versioning is on",
        "Versions let you roll back a bad model upload.",
    ),
    baseline(
        "SB019",
        "bucket",
        "logging",
        lambda b: b.logging is None,
        "access logging is off",
        "logging: {logBucket: my-project-logs}",
        N,
        "CKV_GCP_62",
        "Bucket access is logged",
        "Data access logs show who read the model.",
    ),
    # checkov CKV_GCP_84 (ArtifactRegsitryEncryptedWithCMK.py): google_artifact_registry_repository
    # without kms_key_name fails. Google-managed keys encrypt it anyway, so: info.
    baseline(
        "SB021",
        "artifactRepository",
        "kmsKeyName",
        lambda r: not r.kms_key_name,
        "the repository is encrypted with Google-managed keys, not a customer-managed key",
        "kmsKeyName: projects/PROJECT/locations/LOCATION/keyRings/RING/cryptoKeys/KEY",
        N,
        "CKV_GCP_84",
        "Artifact Registry repositories use a customer-managed encryption key",
        "A key you manage lets you revoke access to the images and audit its use.",
    ),
]


# The checks of issue 13's cluster fields. Each reads the spec's cluster; unset follows GKE's
# default (off), so they are notes on every cluster that does not ask for the hardening.
RULES += [
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
]


class StateBucketVersioning(Rule):
    id = "SB020"
    title = "The GCS state bucket keeps every state version"
    rationale = (
        "gkeplan's remote state relies on object versioning to keep each version; "
        "without it a bad write cannot be rolled back."
    )
    severity = Severity.ERROR
    checkov = "CKV_GCP_78"

    def check(self, ctx: Context) -> Iterable[Finding]:
        state = ctx.spec.state
        if state.backend != "gcs" or not state.bucket:
            return
        for name, bucket in buckets(ctx.spec).items():
            if (bucket.name or name) == state.bucket and not bucket.versioning:
                yield self.finding(
                    ctx,
                    f"bucket.{name}",
                    ("buckets", name),
                    f"bucket {state.bucket} holds gkeplan's state but object versioning is off",
                    "versioning: true",
                )


RULES.append(StateBucketVersioning)


class PublicRepository(Rule):
    # checkov CKV_GCP_101 (ArtifactRegistryPrivateRepo.py): a google_artifact_registry_repository
    # IAM member or binding naming allUsers or allAuthenticatedUsers fails.
    id = "SB022"
    title = "Artifact Registry repositories are not public"
    rationale = (
        "allUsers or allAuthenticatedUsers on a repository let anyone pull (or push) its images."
    )
    severity = Severity.ERROR
    checkov = "CKV_GCP_101"

    def check(self, ctx: Context) -> Iterable[Finding]:
        for g in grants(ctx.spec, ctx.graph):
            if g.target.startswith("artifactRepository.") and g.member in (
                "allUsers",
                "allAuthenticatedUsers",
            ):
                yield self.finding(
                    ctx,
                    g.address,
                    g.path,
                    f"{g.role} is granted to {g.member} on {g.target}",
                    "grant it to the service accounts and groups that pull or push images",
                )


RULES.append(PublicRepository)
