"""Generate valid specs of N resources (service accounts, buckets, grants, clusters, each
cluster in its own VPC network with a subnetwork, a Cloud Router with NAT and a firewall rule),
and the Terraform equivalent of each, so a peer (checkov) can judge the same infrastructure.

Both writers read one description (`Infra`), so the YAML and the Terraform never drift apart.
`python benchmarks/generate.py N OUT.yaml [--terraform DIR] [--all-packs]`.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = "bench-project"
REGION = "us-central1"
PROJECT_ROLES = ("roles/logging.logWriter", "roles/monitoring.metricWriter")
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"


@dataclass
class Pool:
    name: str
    service_account: str
    machine_type: str = "e2-standard-2"
    disk_size_gb: int = 30


@dataclass
class ClusterSpec:
    name: str
    location: str = f"{REGION}-c"
    create_as: str | None = None
    pools: list[Pool] = field(default_factory=list)
    # index of its own VPC (network, subnetwork, router + NAT, firewall) and of its image
    # repository (Artifact Registry, readable by the nodes' account)
    vpc: int | None = None


# network, subnetwork, router (with its NAT), firewall, image repository and its reader grant
VPC_RESOURCES = 6


def vpc_names(i: int) -> dict[str, str]:
    return {
        "network": f"net-{i:03d}",
        "subnetwork": f"subnet-{i:03d}",
        "router": f"router-{i:03d}",
        "nat": f"nat-{i:03d}",
        "firewall": f"allow-iap-ssh-{i:03d}",
        "registry": f"images-{i:03d}",
        # one /16 per VPC: nodes, then pods and services as secondary ranges
        "primary": f"10.{i}.0.0/20",
        "pods": f"10.{i}.64.0/18",
        "services": f"10.{i}.128.0/20",
    }


@dataclass
class Grant:
    member: str  # a spec account name
    role: str
    on: str = "project"  # project | bucket:NAME | serviceAccount:NAME
    outside_member: bool = False  # member is a literal IAM member (user:...), not a spec account


@dataclass
class Infra:
    accounts: list[str] = field(default_factory=list)
    impersonators: dict[str, list[str]] = field(default_factory=dict)
    buckets: list[str] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    clusters: list[ClusterSpec] = field(default_factory=list)
    packs: list[str] | None = field(default_factory=list)  # None: every pack (the default)
    project: str = PROJECT

    def resources(self) -> int:
        pools = sum(len(c.pools) for c in self.clusters)
        imp = sum(len(v) for v in self.impersonators.values())
        return (
            len(self.accounts)
            + len(self.buckets)
            + len(self.grants)
            + len(self.clusters)
            + pools
            + imp
            + VPC_RESOURCES * sum(c.vpc is not None for c in self.clusters)
        )


def bucket_name(project: str, i: int) -> str:
    return f"{project}-data-{i:05d}"


def infra(
    n: int,
    *,
    clusters: int = 1,
    bucket_grants: int | None = None,
    all_packs: bool = False,
) -> Infra:
    """About n resources: a quarter accounts, a quarter buckets, half grants.

    `bucket_grants` caps how many grants target a bucket (each such policy costs one read at
    refresh: GCS has no batch IAM call); the rest are project-level grants. `all_packs` runs
    every policy pack (the spec's default); otherwise the spec runs none.
    """
    accounts = max(1, n // 4)
    buckets = max(1, n // 4)
    grants = max(0, n - accounts - buckets - (2 + VPC_RESOURCES) * clusters)
    on_bucket = grants // 2 if bucket_grants is None else min(bucket_grants, grants)
    out = Infra(packs=None if all_packs else [])
    out.accounts = [f"sa-{i:05d}" for i in range(accounts)]
    out.buckets = [f"b{i:05d}" for i in range(buckets)]
    for g in range(grants):
        sa = f"sa-{g % accounts:05d}"
        if g < on_bucket:
            out.grants.append(Grant(sa, "roles/storage.objectViewer", f"bucket:b{g % buckets:05d}"))
        else:
            out.grants.append(Grant(sa, PROJECT_ROLES[(g // accounts) % len(PROJECT_ROLES)]))
    for c in range(clusters):
        out.clusters.append(
            ClusterSpec(f"c{c:03d}", pools=[Pool("pool", f"sa-{c % accounts:05d}")], vpc=c)
        )
    return out


def deep_chains(clusters: int = 6, pools: int = 3, filler: int = 300) -> Infra:
    """Many deep chains where the order of work matters: per cluster its own createAs admin
    (impersonated by the applier, clusterAdmin on the project, actAs on the node account), a
    node account with its node role, and `pools` node pools; plus `filler` buckets with one
    grant each, short independent work that a poor scheduler lets go first."""
    out = Infra(packs=[])
    for c in range(clusters):
        admin, node = f"admin-{c:02d}", f"node-{c:02d}"
        out.accounts += [admin, node]
        out.impersonators[admin] = ["user:you@example.com"]
        out.grants += [
            Grant(admin, "roles/container.clusterAdmin"),
            Grant(admin, "roles/iam.serviceAccountUser", f"serviceAccount:{node}"),
            Grant(node, "roles/container.defaultNodeServiceAccount"),
        ]
        out.clusters.append(
            ClusterSpec(
                f"chain-{c:02d}",
                create_as=admin,
                pools=[Pool(f"pool-{p}", node) for p in range(pools)],
            )
        )
    reader = "reader"
    out.accounts.append(reader)
    for i in range(filler):
        out.buckets.append(f"f{i:04d}")
        out.grants.append(Grant(reader, "roles/storage.objectViewer", f"bucket:f{i:04d}"))
    return out


# -- gkeplan YAML ----------------------------------------------------------------------------


def to_yaml(spec: Infra) -> str:
    policy = "policy: {}" if spec.packs is None else f"policy: {{packs: {json.dumps(spec.packs)}}}"
    lines = ["version: 1", f"project: {spec.project}", f"region: {REGION}", policy]
    lines.append("serviceAccounts:")
    for i, name in enumerate(spec.accounts):
        lines += [f"  {name}:", f"    displayName: Bench account {i}"]
        if spec.impersonators.get(name):
            lines.append(f"    impersonators: {json.dumps(spec.impersonators[name])}")
    lines.append("buckets:")
    for i, name in enumerate(spec.buckets):
        lines += [
            f"  {name}:",
            f"    name: {bucket_name(spec.project, i)}",
            "    labels: {team: ml, env: bench}",
        ]
    lines.append("iam:")
    for g in spec.grants:
        member = g.member if g.outside_member else f"serviceAccount:{g.member}"
        lines += [f"  - member: {member}", f"    role: {g.role}"]
        if g.on != "project":
            lines.append(f"    on: {g.on}")
    vpcs = [vpc_names(c.vpc) for c in spec.clusters if c.vpc is not None]
    if vpcs:  # an empty section is YAML null, which the spec refuses
        lines.append("networks:")
    lines += [f"  {v['network']}: {{routingMode: REGIONAL}}" for v in vpcs]
    if vpcs:
        lines.append("subnetworks:")
    for v in vpcs:
        lines += [
            f"  {v['subnetwork']}:",
            f"    network: {v['network']}",
            f"    ipCidrRange: {v['primary']}",
            f"    secondaryIpRanges: [{{rangeName: pods, ipCidrRange: {v['pods']}}}, "
            f"{{rangeName: services, ipCidrRange: {v['services']}}}]",
            "    logConfig: {enable: true}",
        ]
    if vpcs:
        lines.append("routers:")
    for v in vpcs:
        lines += [
            f"  {v['router']}:",
            f"    network: {v['network']}",
            f"    nat: {{name: {v['nat']}}}",
        ]
    if vpcs:
        lines.append("firewalls:")
    for v in vpcs:
        lines += [
            f"  {v['firewall']}:",
            f"    network: {v['network']}",
            "    sourceRanges: [35.235.240.0/20]",
            '    allow: [{protocol: tcp, ports: ["22"]}]',
        ]
    if any(c.vpc is not None for c in spec.clusters):
        lines.append("artifactRepositories:")
    for c in spec.clusters:
        if c.vpc is not None:
            readers = sorted({f"serviceAccount:{p.service_account}" for p in c.pools})
            lines += [
                f"  {vpc_names(c.vpc)['registry']}:",
                "    format: DOCKER",
                f"    readers: {json.dumps(readers)}",
            ]
    lines.append("clusters:")
    for c in spec.clusters:
        lines += [f"  {c.name}:", f"    location: {c.location}"]
        if c.vpc is not None:
            v = vpc_names(c.vpc)
            lines += [
                f"    network: {v['network']}",
                f"    subnetwork: {v['subnetwork']}",
                "    ipAllocationPolicy: {clusterSecondaryRangeName: pods, "
                "servicesSecondaryRangeName: services}",
            ]
        if c.create_as:
            lines.append(f"    createAs: {c.create_as}")
        lines.append("    nodePools:")
        for p in c.pools:
            lines += [
                f"      {p.name}:",
                f"        machineType: {p.machine_type}",
                f"        diskSizeGb: {p.disk_size_gb}",
                f"        serviceAccount: {p.service_account}",
            ]
    return "\n".join(lines) + "\n"


def generate(
    n: int,
    *,
    clusters: int = 1,
    bucket_grants: int | None = None,
    all_packs: bool = False,
) -> str:
    """The gkeplan spec of `infra(...)` as YAML (no policy packs unless asked)."""
    return to_yaml(infra(n, clusters=clusters, bucket_grants=bucket_grants, all_packs=all_packs))


# -- Terraform (google provider) -------------------------------------------------------------


def _tf_id(name: str) -> str:
    return name.replace("-", "_")


def to_terraform(spec: Infra) -> str:
    """The same infrastructure with gkeplan's defaults written out, so checkov sees the same
    settings: private nodes, shielded nodes, Workload Identity, REGULAR channel, no legacy ABAC,
    no client certificate, default pool removed; buckets with uniform access and public access
    prevention; node pools with shielded instances, GKE metadata, auto repair and upgrade."""
    out: list[str] = [
        'provider "google" {',
        f'  project = "{spec.project}"',
        f'  region  = "{REGION}"',
        "}",
        "",
    ]
    for i, name in enumerate(spec.accounts):
        out += [
            f'resource "google_service_account" "{_tf_id(name)}" {{',
            f'  account_id   = "{name}"',
            f'  display_name = "Bench account {i}"',
            "}",
        ]
        for member in spec.impersonators.get(name, []):
            out += [
                f'resource "google_service_account_iam_member" "{_tf_id(name)}_token_creator" {{',
                f"  service_account_id = google_service_account.{_tf_id(name)}.name",
                '  role               = "roles/iam.serviceAccountTokenCreator"',
                f'  member             = "{member}"',
                "}",
            ]
    for i, name in enumerate(spec.buckets):
        out += [
            f'resource "google_storage_bucket" "{_tf_id(name)}" {{',
            f'  name                        = "{bucket_name(spec.project, i)}"',
            f'  location                    = "{REGION.upper()}"',
            '  storage_class               = "STANDARD"',
            "  uniform_bucket_level_access = true",
            '  public_access_prevention    = "enforced"',
            "  versioning {",
            "    enabled = false",
            "  }",
            "  labels = {",
            '    team = "ml"',
            '    env  = "bench"',
            "  }",
            "}",
        ]
    for k, g in enumerate(spec.grants):
        member = (
            g.member
            if g.outside_member
            else f"serviceAccount:${{google_service_account.{_tf_id(g.member)}.email}}"
        )
        if g.on == "project":
            out += [
                f'resource "google_project_iam_member" "g{k:05d}" {{',
                f'  project = "{spec.project}"',
            ]
        elif g.on.startswith("bucket:"):
            target = _tf_id(g.on.split(":", 1)[1])
            out += [
                f'resource "google_storage_bucket_iam_member" "g{k:05d}" {{',
                f"  bucket = google_storage_bucket.{target}.name",
            ]
        else:
            target = _tf_id(g.on.split(":", 1)[1])
            out += [
                f'resource "google_service_account_iam_member" "g{k:05d}" {{',
                f"  service_account_id = google_service_account.{target}.name",
            ]
        out += [f'  role   = "{g.role}"', f'  member = "{member}"', "}"]
    for c in spec.clusters:
        if c.vpc is not None:
            out += _tf_vpc(vpc_names(c.vpc))
            out += _tf_registry(vpc_names(c.vpc), sorted({p.service_account for p in c.pools}))
    for c in spec.clusters:
        cid = _tf_id(c.name)
        v = vpc_names(c.vpc) if c.vpc is not None else None
        net = f"google_compute_network.{_tf_id(v['network'])}.name" if v else '"default"'
        out += [
            f'resource "google_container_cluster" "{cid}" {{',
            f'  name                     = "{c.name}"',
            f'  location                 = "{c.location}"',
            f"  network                  = {net}",
        ]
        if v:
            subnet = f"google_compute_subnetwork.{_tf_id(v['subnetwork'])}.name"
            out.append(f"  subnetwork               = {subnet}")
        out += [
            "  remove_default_node_pool = true",
            "  initial_node_count       = 1",
            "  enable_shielded_nodes    = true",
            "  enable_legacy_abac       = false",
            "  release_channel {",
            '    channel = "REGULAR"',
            "  }",
            "  workload_identity_config {",
            f'    workload_pool = "{spec.project}.svc.id.goog"',
            "  }",
            "  private_cluster_config {",
            "    enable_private_nodes    = true",
            "    enable_private_endpoint = false",
            "  }",
            *(
                [
                    "  ip_allocation_policy {",
                    '    cluster_secondary_range_name  = "pods"',
                    '    services_secondary_range_name = "services"',
                    "  }",
                ]
                if v
                else ["  ip_allocation_policy {}"]
            ),
            "  network_policy {",
            "    enabled = false",
            "  }",
            "  master_auth {",
            "    client_certificate_config {",
            "      issue_client_certificate = false",
            "    }",
            "  }",
            "}",
        ]
        for p in c.pools:
            out += [
                f'resource "google_container_node_pool" "{cid}_{_tf_id(p.name)}" {{',
                f'  name               = "{p.name}"',
                f"  cluster            = google_container_cluster.{cid}.id",
                f'  location           = "{c.location}"',
                "  initial_node_count = 1",
                "  management {",
                "    auto_repair  = true",
                "    auto_upgrade = true",
                "  }",
                "  upgrade_settings {",
                "    max_surge       = 1",
                "    max_unavailable = 0",
                '    strategy        = "SURGE"',
                "  }",
                "  node_config {",
                f'    machine_type    = "{p.machine_type}"',
                f"    disk_size_gb    = {p.disk_size_gb}",
                '    disk_type       = "pd-balanced"',
                '    image_type      = "COS_CONTAINERD"',
                f"    service_account = google_service_account.{_tf_id(p.service_account)}.email",
                f'    oauth_scopes    = ["{CLOUD_PLATFORM}"]',
                "    shielded_instance_config {",
                "      enable_secure_boot          = true",
                "      enable_integrity_monitoring = true",
                "    }",
                "    workload_metadata_config {",
                '      mode = "GKE_METADATA"',
                "    }",
                "  }",
                "}",
            ]
    return "\n".join(out) + "\n"


def _tf_registry(v: dict[str, str], readers: list[str]) -> list[str]:
    """A cluster's image repository and its readers, as the Google provider writes them."""
    repo = _tf_id(v["registry"])
    out = [
        f'resource "google_artifact_registry_repository" "{repo}" {{',
        f'  repository_id = "{v["registry"]}"',
        f'  location      = "{REGION}"',
        '  format        = "DOCKER"',
        "}",
    ]
    for account in readers:
        out += [
            f'resource "google_artifact_registry_repository_iam_member" '
            f'"{repo}_{_tf_id(account)}" {{',
            f"  repository = google_artifact_registry_repository.{repo}.name",
            f'  location   = "{REGION}"',
            '  role       = "roles/artifactregistry.reader"',
            f'  member     = "serviceAccount:${{google_service_account.{_tf_id(account)}.email}}"',
            "}",
        ]
    return out


def _tf_vpc(v: dict[str, str]) -> list[str]:
    """A cluster's VPC as the Google provider writes it, gkeplan's defaults spelt out."""
    net, sub = _tf_id(v["network"]), _tf_id(v["subnetwork"])
    router = _tf_id(v["router"])
    return [
        f'resource "google_compute_network" "{net}" {{',
        f'  name                    = "{v["network"]}"',
        "  auto_create_subnetworks = false",
        '  routing_mode            = "REGIONAL"',
        "  mtu                     = 1460",
        "}",
        f'resource "google_compute_subnetwork" "{sub}" {{',
        f'  name                     = "{v["subnetwork"]}"',
        f'  region                   = "{REGION}"',
        f"  network                  = google_compute_network.{net}.id",
        f'  ip_cidr_range            = "{v["primary"]}"',
        "  private_ip_google_access = true",
        "  secondary_ip_range {",
        '    range_name    = "pods"',
        f'    ip_cidr_range = "{v["pods"]}"',
        "  }",
        "  secondary_ip_range {",
        '    range_name    = "services"',
        f'    ip_cidr_range = "{v["services"]}"',
        "  }",
        "  log_config {",
        '    aggregation_interval = "INTERVAL_5_SEC"',
        "    flow_sampling        = 0.5",
        '    metadata             = "EXCLUDE_ALL_METADATA"',
        "  }",
        "}",
        f'resource "google_compute_router" "{router}" {{',
        f'  name    = "{v["router"]}"',
        f'  region  = "{REGION}"',
        f"  network = google_compute_network.{net}.id",
        "}",
        f'resource "google_compute_router_nat" "{_tf_id(v["nat"])}" {{',
        f'  name                               = "{v["nat"]}"',
        f"  router                             = google_compute_router.{router}.name",
        f'  region                             = "{REGION}"',
        '  nat_ip_allocate_option             = "AUTO_ONLY"',
        '  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"',
        "}",
        f'resource "google_compute_firewall" "{_tf_id(v["firewall"])}" {{',
        f'  name          = "{v["firewall"]}"',
        f"  network       = google_compute_network.{net}.name",
        '  direction     = "INGRESS"',
        "  priority      = 1000",
        '  source_ranges = ["35.235.240.0/20"]',
        "  allow {",
        '    protocol = "tcp"',
        '    ports    = ["22"]',
        "  }",
        "}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--terraform", type=Path, help="Also write DIR/main.tf.")
    parser.add_argument("--all-packs", action="store_true", help="Run every policy pack.")
    args = parser.parse_args()
    spec = infra(args.n, all_packs=args.all_packs)
    args.out.write_text(to_yaml(spec))
    if args.terraform:
        args.terraform.mkdir(parents=True, exist_ok=True)
        (args.terraform / "main.tf").write_text(to_terraform(spec))


if __name__ == "__main__":
    main()
