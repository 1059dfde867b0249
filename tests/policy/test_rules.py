"""Each rule firing and not firing, with its exact message."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import EXAMPLE, edit, findings

REGIONAL_SURGE = edit(
    "    location: us-central1-c",
    "    location: us-central1",
    edit(
        "upgradeSettings: {maxSurge: 0, maxUnavailable: 1}",
        "upgradeSettings: {maxSurge: 1, maxUnavailable: 0}",
    ),
)


def test_quota_regional_with_surge_shows_the_issue_arithmetic(tmp_path: Path) -> None:
    got = findings(tmp_path, REGIONAL_SURGE, rules=("FT001",))
    assert got[0] == (
        "FT001",
        "error",
        "nodePool.sd-cluster.sd-node-pool",
        "cluster sd-cluster is regional (us-central1): node pool sd-node-pool starts 1 node x "
        "3 zones = 3 x n2-standard-4 (4 vCPUs) = 12 N2 vCPUs; quota N2_CPUS in us-central1 is "
        "8: GKE refuses the create",
    )


def test_quota_override_in_the_spec_lifts_the_limit(tmp_path: Path) -> None:
    text = edit(
        "  packs: [free-trial, least-privilege, security-baseline]",
        "  packs: [free-trial]\n  quotas: {N2_CPUS: 48, SSD_TOTAL_GB: 500, CPUS_ALL_REGIONS: 48}",
        REGIONAL_SURGE,
    )
    assert findings(tmp_path, text, rules=("FT001",)) == []


def test_quota_sums_clusters_in_a_region(tmp_path: Path) -> None:
    second = (
        "  second:\n    location: us-central1-b\n    nodePools:\n      p:\n"
        "        machineType: n2-standard-2\n        serviceAccount: gke-node\n"
        "        upgradeSettings: {maxSurge: 0, maxUnavailable: 1}\n\nbuckets:"
    )
    text = edit("\nbuckets:", "\n" + second)
    (got,) = findings(tmp_path, text, rules=("FT001",))
    assert got[1] == "warning"  # both pools are created within the quota; scaling out is not
    assert got[3].endswith(
        "; together 10; quota N2_CPUS in us-central1 is 8: the apply works, but the "
        "autoscaler cannot reach maxNodeCount"
    )


def test_budget(tmp_path: Path) -> None:
    text = edit(
        "  packs: [free-trial, least-privilege, security-baseline]",
        "  packs: [free-trial]\n  parameters: {maxMonthlyUsd: 50}",
    )
    (got,) = findings(tmp_path, text, rules=("FT002",))
    assert got[3].startswith(
        "at maximum scale this spec costs $144.70 a month, over maxMonthlyUsd "
        "$50.00; the largest item is sd-cluster/sd-node-pool"
    )
    assert (
        findings(
            tmp_path, text.replace("maxMonthlyUsd: 50", "maxMonthlyUsd: 150"), rules=("FT002",)
        )
        == []
    )


@pytest.mark.parametrize(
    ("old", "new", "rule", "message"),
    [
        (
            "    roles: [roles/iam.serviceAccountUser]\n    on: serviceAccount:gke-node",
            "    roles: [roles/iam.serviceAccountUser]",
            "LP001",
            "serviceAccount:gke-admin gets roles/iam.serviceAccountUser on the whole project: "
            "it can act as every service account in it, present and future",
        ),
        (
            "    roles: [roles/storage.objectViewer]\n    on: bucket:models",
            "    roles: [roles/editor]",
            "LP002",
            "serviceAccount:gke-node gets the basic role roles/editor (11979 permissions)",
        ),
        (
            "  - member: serviceAccount:gke-node\n    roles: [roles/storage.objectViewer]",
            "  - member: allUsers\n    roles: [roles/storage.objectViewer]",
            "LP003",
            "roles/storage.objectViewer is granted to allUsers on bucket.models",
        ),
        (
            "        serviceAccount: gke-node\n",
            "",
            "LP004",
            "node pool sd-node-pool runs as the Compute Engine default service account",
        ),
        (
            "    roles: [roles/storage.objectViewer]\n    on: bucket:models",
            "    roles: [roles/storage.admin]",
            "LP005",
            "serviceAccount:gke-node gets the admin role roles/storage.admin on the whole project, "
            "and nothing gkeplan does as it needs that role",
        ),
        (
            "    roles: [roles/container.clusterAdmin]",
            "    roles: [roles/container.viewer]",
            "LP006",
            "createAs account gke-admin cannot create cluster.sd-cluster: it lacks "
            "container.clusters.create, container.clusters.delete, container.clusters.update on "
            "project",
        ),
        (
            "    roles: [roles/iam.serviceAccountUser]\n    on: serviceAccount:gke-node",
            "    roles: [roles/iam.serviceAccountUser]\n    on: serviceAccount:gke-admin",
            "LP006",
            "createAs account gke-admin cannot create cluster.sd-cluster: it lacks "
            "iam.serviceAccounts.actAs on serviceAccount.gke-node",
        ),
        (
            '    impersonators: ["user:${USER_EMAIL}"]\n',
            "",
            "LP006",
            "cluster sd-cluster is created as gke-admin, but no one may impersonate it: that "
            "needs iam.serviceAccounts.getAccessToken on gke-admin, which impersonators grants; "
            "apply would otherwise retry it for minutes",
        ),
        (
            "    roles: [roles/container.clusterAdmin]",
            "    roles: [roles/container.admin]",
            "LP007",
            "roles/container.admin grants 434 permissions; roles/container.clusterAdmin (15) "
            "covers what serviceAccount:gke-admin uses (container.clusters.create, "
            "container.clusters.delete, container.clusters.update, container.operations.get)",
        ),
        (
            "  - member: serviceAccount:gke-node\n    roles: [roles/storage.objectViewer]",
            "  - member: serviceAccount:123456789012-compute@developer.gserviceaccount.com\n"
            "    roles: [roles/monitoring.viewer]\n"
            "  - member: serviceAccount:gke-node\n    roles: [roles/storage.objectViewer]",
            "LP008",
            "roles/monitoring.viewer is granted on the whole project to the default service "
            "account 123456789012-compute@developer.gserviceaccount.com",
        ),
        (
            "  - member: serviceAccount:gke-node\n    roles: [roles/storage.objectViewer]",
            "  - member: serviceAccount:${PROJECT_ID}@appspot.gserviceaccount.com\n"
            "    roles: [roles/monitoring.viewer]\n"
            "  - member: serviceAccount:gke-node\n    roles: [roles/storage.objectViewer]",
            "LP008",
            "roles/monitoring.viewer is granted on the whole project to the default service "
            "account demo-project@appspot.gserviceaccount.com",
        ),
        (
            "  - member: serviceAccount:gke-node\n    roles: [roles/storage.objectViewer]",
            "  - member: group:ml-admins@example.com\n"
            "    roles: [roles/iam.serviceAccountKeyAdmin]\n"
            "  - member: serviceAccount:gke-node\n    roles: [roles/storage.objectViewer]",
            "LP009",
            "group:ml-admins@example.com gets roles/iam.serviceAccountKeyAdmin on the whole "
            "project: with it, it can impersonate or manage every service account of the project",
        ),
        (
            "  - member: serviceAccount:gke-node\n    roles: [roles/storage.objectViewer]",
            '  - member: "serviceAccount:${PROJECT_ID}.svc.id.goog[serving/tf-serving]"\n'
            "    roles: [roles/iam.workloadIdentityUser]\n"
            "  - member: serviceAccount:gke-node\n    roles: [roles/storage.objectViewer]",
            "LP009",
            "serviceAccount:demo-project.svc.id.goog[serving/tf-serving] gets "
            "roles/iam.workloadIdentityUser on the whole project: with it, it can impersonate "
            "or manage every service account of the project",
        ),
    ],
)
def test_least_privilege_rule_fires(
    tmp_path: Path, old: str, new: str, rule: str, message: str
) -> None:
    got = findings(tmp_path, edit(old, new), rules=(rule,))
    assert message in [g[3] for g in got]


def test_least_privilege_rules_stay_quiet_on_the_example(tmp_path: Path) -> None:
    rules = ("LP001", "LP002", "LP003", "LP004", "LP005", "LP006", "LP007", "LP008", "LP009")
    assert findings(tmp_path, EXAMPLE, rules=rules) == []


@pytest.mark.parametrize(
    ("grant", "rule"),
    [
        # a default account granted on one resource, not the project
        (
            "  - member: serviceAccount:123456789012-compute@developer.gserviceaccount.com\n"
            "    roles: [roles/storage.objectViewer]\n    on: bucket:models\n",
            "LP008",
        ),
        # an impersonation role granted on one account is what LP009 asks for
        (
            "  - member: group:ml-admins@example.com\n"
            "    roles: [roles/iam.serviceAccountKeyAdmin]\n    on: serviceAccount:gke-node\n",
            "LP009",
        ),
        # the shorthand grants roles/iam.workloadIdentityUser on the account, never the project
        ("", "LP009"),
        # the act-as roles at project level are LP001's (reported once, with its fix)
        (
            "  - member: group:ml-admins@example.com\n    roles: [roles/iam.serviceAccountUser]\n",
            "LP009",
        ),
    ],
)
def test_default_account_and_impersonation_rules_stay_quiet(
    tmp_path: Path, grant: str, rule: str
) -> None:
    text = edit(
        "  gke-node:\n    displayName: GKE Node Service Account\n",
        "  gke-node:\n    displayName: GKE Node Service Account\n"
        "    workloadIdentityUsers: [serving/tf-serving]\n",
    )
    text = edit("    on: bucket:models\n", "    on: bucket:models\n" + grant, text)
    assert findings(tmp_path, text, rules=(rule,)) == []


@pytest.mark.parametrize(
    ("old", "new", "rule", "message"),
    [
        (
            "    releaseChannel: REGULAR",
            "    releaseChannel: REGULAR\n    workloadIdentity: false",
            "SB001",
            "workload identity is off: pods use the node's service account",
        ),
        (
            "        preemptible: true",
            "        preemptible: true\n        workloadMetadata: GCE_METADATA",
            "SB002",
            "nodes expose the Compute Engine metadata server (and its token) to pods",
        ),
        (
            "    releaseChannel: REGULAR",
            "    releaseChannel: REGULAR\n    shieldedNodes: false",
            "SB003",
            "shielded GKE nodes are off",
        ),
        (
            "        preemptible: true",
            "        preemptible: true\n        shieldedInstanceConfig: {enableSecureBoot: false}",
            "SB004",
            "secure boot is off",
        ),
        (
            "    releaseChannel: REGULAR",
            "    releaseChannel: UNSPECIFIED",
            "SB006",
            "no release channel: the control plane is not kept patched",
        ),
        (
            "    releaseChannel: REGULAR",
            "    releaseChannel: REGULAR\n    privateCluster: null",
            "SB007",
            "nodes have public IP addresses",
        ),
        (
            "    releaseChannel: REGULAR",
            "    releaseChannel: REGULAR\n    enableLegacyAbac: true",
            "SB010",
            "legacy ABAC is on: it bypasses RBAC",
        ),
        (
            "        preemptible: true",
            "        preemptible: true\n        management: {autoUpgrade: false}",
            "SB013",
            "auto-upgrade is off: nodes miss security patches",
        ),
        (
            "    forceDestroy: true",
            "    forceDestroy: true\n    uniformBucketLevelAccess: false",
            "SB016",
            "uniform bucket-level access is off: object ACLs can grant access IAM does not show",
        ),
        (
            "        preemptible: true",
            "        preemptible: true\n"
            "        shieldedInstanceConfig: {enableIntegrityMonitoring: false}",
            "SB005",
            "integrity monitoring is off",
        ),
        (
            "    releaseChannel: REGULAR",
            "    releaseChannel: REGULAR\n    issueClientCertificate: true",
            "SB011",
            "a client certificate is issued: a credential that cannot be revoked",
        ),
        (
            "        preemptible: true",
            "        preemptible: true\n        management: {autoRepair: false}",
            "SB012",
            "auto-repair is off",
        ),
        (
            "        preemptible: true",
            "        preemptible: true\n        imageType: UBUNTU_CONTAINERD",
            "SB014",
            "nodes do not run Container-Optimized OS",
        ),
        (
            "    forceDestroy: true",
            "    forceDestroy: true\n    publicAccessPrevention: inherited",
            "SB017",
            "public access prevention is not enforced",
        ),
        (
            "    releaseChannel: REGULAR",
            "    releaseChannel: REGULAR\n    masterAuthorizedNetworks:\n"
            "      - {cidrBlock: 203.0.113.0/24, displayName: office}\n"
            "      - {cidrBlock: 0.0.0.0/0, displayName: anywhere}",
            "SB027",
            "an authorized network of 0.0.0.0/0 lets every address reach the control plane",
        ),
    ],
)
def test_security_baseline_rule_fires(
    tmp_path: Path, old: str, new: str, rule: str, message: str
) -> None:
    assert findings(tmp_path, EXAMPLE, rules=(rule,)) == []  # quiet on secure defaults
    got = findings(tmp_path, edit(old, new), rules=(rule,))
    assert [g[3] for g in got] == [message]


def test_waiver_needs_a_reason_and_still_shows(tmp_path: Path) -> None:
    text = edit(
        "  packs: [free-trial, least-privilege, security-baseline]",
        "  packs: [free-trial, least-privilege, security-baseline]\n  exceptions:\n"
        "    - {rule: FT001, resource: nodePool.sd-cluster.sd-node-pool, "
        "reason: quota raised to 48 N2 CPUs (ticket 123)}",
        REGIONAL_SURGE,
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    from gkeplan.validation.pipeline import validate

    result = validate(spec, {"PROJECT_ID": "demo-project"}, environ={})
    assert result.policy is not None
    ft = [f for f in result.policy.findings if f.rule == "FT001"]
    assert ft and all(
        f.waived and f.waiver == "quota raised to 48 N2 CPUs (ticket 123)" for f in ft
    )
    assert result.passed()


def test_state_bucket_must_keep_versions(tmp_path: Path) -> None:
    text = edit(
        "region: us-central1",
        "region: us-central1\nstate: {backend: gcs, bucket: demo-project-models}",
    )
    (got,) = findings(tmp_path, text, rules=("SB020",))
    assert got[3] == (
        "bucket demo-project-models holds gkeplan's state but object versioning is off"
    )
    fixed = edit("    forceDestroy: true", "    forceDestroy: true\n    versioning: true", text)
    assert findings(tmp_path, fixed, rules=("SB020",)) == []


def test_the_example_gets_exactly_nine_notes(tmp_path: Path) -> None:
    assert findings(tmp_path, EXAMPLE, severity="info") == [
        (
            "SB018",
            "info",
            "bucket.models",
            "object versioning is off: an overwritten or deleted model cannot be recovered",
        ),
        ("SB019", "info", "bucket.models", "access logging is off"),
        (
            "SB008",
            "info",
            "cluster.sd-cluster",
            "the control plane accepts connections from any address",
        ),
        (
            "SB009",
            "info",
            "cluster.sd-cluster",
            "network policy enforcement is off: any pod can reach any pod",
        ),
        (
            "SB015",
            "info",
            "cluster.sd-cluster",
            "the cluster has no labels (cost and ownership reports cannot find it)",
        ),
        (
            "SB023",
            "info",
            "cluster.sd-cluster",
            "intranode visibility is off: pod-to-pod traffic on one node bypasses VPC flow "
            "logs and firewall rules",
        ),
        (
            "SB024",
            "info",
            "cluster.sd-cluster",
            "Google Groups for RBAC is off: Kubernetes roles are granted to people one by one",
        ),
        (
            "SB025",
            "info",
            "cluster.sd-cluster",
            "Binary Authorization is off: any image can run on the cluster",
        ),
        (
            "SB026",
            "info",
            "cluster.sd-cluster",
            "Dataplane V2 is off: kube-proxy and iptables route the pods, without built-in "
            "network policy or its logging",
        ),
    ]
    quiet = EXAMPLE.replace(
        "    forceDestroy: true",
        "    forceDestroy: true\n    versioning: true\n    logging: {logBucket: demo-logs}",
    ).replace(
        "    releaseChannel: REGULAR",
        # no networkPolicy: Dataplane V2 (in HARDENED) enforces it, and GKE refuses both
        "    releaseChannel: REGULAR\n"
        "    labels: {team: ml}\n    masterAuthorizedNetworks: [{cidrBlock: 203.0.113.0/24}]\n"
        + HARDENED,
    )
    assert findings(tmp_path, quiet) == []


REPOSITORY = (
    "\nartifactRepositories:\n  serving:\n    format: DOCKER\n"
    "    readers: [serviceAccount:gke-node]\n"
)


def test_public_repository_fires_on_all_users_and_not_on_an_account(tmp_path: Path) -> None:
    assert findings(tmp_path, EXAMPLE + REPOSITORY, rules=("SB022", "LP003")) == []
    public = REPOSITORY.replace("readers: [serviceAccount:gke-node]", "readers: [allUsers]")
    assert findings(tmp_path, EXAMPLE + public, rules=("SB022", "LP003")) == [
        (
            "SB022",
            "error",
            "iamMember.artifactRepository.serving/roles/artifactregistry.reader/allUsers",
            "roles/artifactregistry.reader is granted to allUsers on artifactRepository.serving",
        )
    ]
    grant = (
        "\n  - member: allAuthenticatedUsers\n    role: roles/artifactregistry.writer\n"
        "    on: artifactRepository:serving\n"
    )
    text = edit("\niam:\n", "\niam:" + grant, EXAMPLE + REPOSITORY)
    (got,) = findings(tmp_path, text, rules=("SB022", "LP003"))
    assert got[:2] == ("SB022", "error")


def test_repository_without_a_customer_managed_key_is_info(tmp_path: Path) -> None:
    assert findings(tmp_path, EXAMPLE + REPOSITORY, rules=("SB021",)) == [
        (
            "SB021",
            "info",
            "artifactRepository.serving",
            "the repository is encrypted with Google-managed keys, not a customer-managed key",
        )
    ]
    key = "projects/demo-project/locations/us-central1/keyRings/r/cryptoKeys/k"
    cmek = REPOSITORY + f"    kmsKeyName: {key}\n"
    assert findings(tmp_path, EXAMPLE + cmek, rules=("SB021",)) == []


HARDENED = (
    "    intranodeVisibility: true\n"
    "    authenticatorGroupsConfig: {securityGroup: gke-security-groups@example.com}\n"
    "    binaryAuthorization: {evaluationMode: PROJECT_SINGLETON_POLICY_ENFORCE}\n"
    "    datapathProvider: ADVANCED_DATAPATH"
)


@pytest.mark.parametrize(
    ("rule", "message", "fixed"),
    [
        (
            "SB023",
            "intranode visibility is off: pod-to-pod traffic on one node bypasses VPC flow logs "
            "and firewall rules",
            "    intranodeVisibility: true",
        ),
        (
            "SB024",
            "Google Groups for RBAC is off: Kubernetes roles are granted to people one by one",
            "    authenticatorGroupsConfig: {securityGroup: gke-security-groups@example.com}",
        ),
        (
            "SB025",
            "Binary Authorization is off: any image can run on the cluster",
            "    binaryAuthorization: {evaluationMode: project_singleton_policy_enforce}",
        ),
        (
            "SB026",
            "Dataplane V2 is off: kube-proxy and iptables route the pods, without built-in "
            "network policy or its logging",
            "    datapathProvider: ADVANCED_DATAPATH",
        ),
    ],
)
def test_cluster_hardening_notes_fire_until_the_spec_asks_for_it(
    tmp_path: Path, rule: str, message: str, fixed: str
) -> None:
    """CKV_GCP_61, CKV_GCP_65, CKV_GCP_66 and Dataplane V2: a note on a cluster without the
    hardening, none once the spec asks for it."""
    assert [g[3] for g in findings(tmp_path, EXAMPLE, rules=(rule,))] == [message]
    text = edit("    releaseChannel: REGULAR", "    releaseChannel: REGULAR\n" + fixed)
    assert findings(tmp_path, text, rules=(rule,)) == []


def test_binary_authorization_disabled_is_still_a_note(tmp_path: Path) -> None:
    text = edit(
        "    releaseChannel: REGULAR",
        "    releaseChannel: REGULAR\n    binaryAuthorization: {evaluationMode: DISABLED}",
    )
    assert [g[0] for g in findings(tmp_path, text, rules=("SB025",))] == ["SB025"]


def test_dataplane_v2_enforces_network_policy(tmp_path: Path) -> None:
    """SB009 is quiet on Dataplane V2, whose network policy is always on."""
    assert [g[0] for g in findings(tmp_path, EXAMPLE, rules=("SB009",))] == ["SB009"]
    text = edit(
        "    releaseChannel: REGULAR",
        "    releaseChannel: REGULAR\n    datapathProvider: ADVANCED_DATAPATH",
    )
    assert findings(tmp_path, text, rules=("SB009",)) == []


def test_authorized_networks_without_0_0_0_0_are_quiet(tmp_path: Path) -> None:
    text = edit(
        "    releaseChannel: REGULAR",
        "    releaseChannel: REGULAR\n    masterAuthorizedNetworks:\n"
        "      - {cidrBlock: 203.0.113.0/24, displayName: office}",
    )
    assert findings(tmp_path, text, rules=("SB027", "SB008")) == []
