"""Checks beyond types: references resolve, names follow GCP's rules, catalog entries exist."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from gkeplan import catalog
from gkeplan.diagnostics import Diagnostic, Path
from gkeplan.spec import names, strings
from gkeplan.spec.models import NodePool, Resource, Spec
from gkeplan.spec.refs import parse_member, parse_target
from gkeplan.spec.suggest import Suggestions

# A removed role fails at apply, but the rest of the spec can still be checked and planned.
REMOVED_ROLE = "removed-role"
NON_FATAL = frozenset({REMOVED_ROLE})

BUCKET_MULTI_REGIONS = {"US", "EU", "ASIA", "NAM4", "EUR4", "EUR5", "EUR7", "EUR8", "ASIA1"}


@cache
def _known_locations() -> tuple[str, ...]:
    return (*catalog.regions(), *(z for zs in catalog.regions().values() for z in zs))


class _Checker:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.problems: list[Diagnostic] = []
        self.suggestions = Suggestions()  # one index per candidate collection, for this run

    def hint(self, value: str, candidates: Iterable[str]) -> str | None:
        """Did you mean ...? in O(log n) per call once the candidates are indexed."""
        near = self.suggestions.closest(value, candidates)
        return f"did you mean '{near[0]}'?" if near else None

    def error(
        self, path: Path, message: str, hint: str | None = None, code: str = "reference"
    ) -> None:
        source = self.spec.source
        loc = source.value(path) if source else None
        if source is not None and source.origins:
            message += source.origin_note(path)  # name the variables the value came from
        self.problems.append(Diagnostic(message, loc, path, hint, code=code))

    def check_name(self, path: Path, problem: str | None) -> None:
        if problem:
            self.error(path, problem)

    def labels(self, path: Path, labels: dict[str, str]) -> None:
        if len(labels) > names.MAX_LABELS:
            self.error(path, f"{len(labels)} labels; GCP allows at most {names.MAX_LABELS}")
        for key, value in labels.items():
            self.check_name((*path, key), names.label(key, value))

    def account_ref(self, path: Path, ref: str, what: str) -> None:
        if ref in self.spec.service_accounts or "@" in ref:
            return
        self.error(
            path,
            f"{what} '{ref}' is not a service account of this spec",
            self.hint(ref, self.spec.service_accounts)
            or "use a name under serviceAccounts or an email",
        )

    def member(self, path: Path, text: str) -> None:
        member = parse_member(self.spec, text)
        if member is None:
            self.error(
                path,
                f"'{text}' is not an IAM member",
                "write KIND:VALUE, e.g. user:ada@example.com or serviceAccount:gke-node",
            )
        elif member.kind in ("user", "group") and "@" not in member.value:
            self.error(path, f"'{text}' needs an email after '{member.kind}:'")
        elif (problem := strings.member_problem(member.kind, member.value)) is not None:
            self.error(path, f"'{member.kind}:...' member: {problem}")
        elif member.kind == "serviceAccount" and member.account is None:
            self.account_ref(path, member.value, "member")

    def role(self, path: Path, role: str) -> None:
        if role.startswith(("projects/", "organizations/")) and "/roles/" in role:
            return  # custom roles live in the project or organisation, not in the catalog
        successor = catalog.removed_role(role)
        if successor is not None:
            hint = f"use {successor}" if successor else "Google lists no successor; choose another"
            self.error(path, f"role {role} has been removed by Google", hint, REMOVED_ROLE)
        elif role not in catalog.role_names():
            if not role.startswith("roles/"):
                self.error(path, f"'{role}' is not a role", "predefined roles look like roles/x.y")
            else:
                self.error(path, f"unknown role {role}", self.hint(role, catalog.role_names()))

    def location(self, path: Path, location: str) -> bool:
        if catalog.is_region(location) or catalog.is_zone(location):
            return True
        self.error(path, f"unknown location '{location}'", self.hint(location, _known_locations()))
        return False

    def depends_on(self, path: Path, resource: Resource, addresses: set[str]) -> None:
        for i, address in enumerate(resource.depends_on):
            if address not in addresses:
                self.error(
                    (*path, "dependsOn", i),
                    f"dependsOn '{address}' is not a resource of this spec",
                    self.hint(address, addresses),
                )


def check(spec: Spec, addresses: set[str]) -> list[Diagnostic]:
    """Every semantic problem of `spec`; `addresses` are the graph addresses of its resources."""
    c = _Checker(spec)
    c.check_name(("project",), names.project_id(spec.project))
    if not catalog.is_region(spec.region):
        c.error(
            ("region",), f"unknown region '{spec.region}'", c.hint(spec.region, catalog.regions())
        )
    _service_accounts(c, addresses)
    _iam(c, addresses)
    _clusters(c, addresses)
    _buckets(c, addresses)
    return c.problems


def _service_accounts(c: _Checker, addresses: set[str]) -> None:
    seen: dict[str, str] = {}
    for key, sa in c.spec.service_accounts.items():
        path: Path = ("serviceAccounts", key)
        account_id = sa.account_id or key
        id_path = (*path, "accountId") if sa.account_id else path
        c.check_name(id_path, names.service_account_id(account_id))
        if account_id in seen:
            c.error(id_path, f"account id '{account_id}' is also used by '{seen[account_id]}'")
        seen[account_id] = key
        for i, member in enumerate(sa.impersonators):
            c.member((*path, "impersonators", i), member)
        c.depends_on(path, sa, addresses)


def _iam(c: _Checker, addresses: set[str]) -> None:
    for i, grant in enumerate(c.spec.iam):
        path: Path = ("iam", i)
        if grant.member is not None:
            c.member((*path, "member"), grant.member)
        for j, m in enumerate(grant.members or []):
            c.member((*path, "members", j), m)
        if grant.role is not None:
            c.role((*path, "role"), grant.role)
        for j, r in enumerate(grant.roles or []):
            c.role((*path, "roles", j), r)
        target = parse_target(grant.on)
        if target is None:
            c.error(
                (*path, "on"),
                f"'{grant.on}' is not a grant target",
                "write project, serviceAccount:NAME or bucket:NAME",
            )
        elif target.kind == "serviceAccount":
            c.account_ref((*path, "on"), target.name, "target")
        elif target.kind == "bucket" and target.name not in c.spec.buckets:
            c.error(
                (*path, "on"),
                f"target bucket '{target.name}' is not a bucket of this spec",
                c.hint(target.name, c.spec.buckets),
            )
        c.depends_on(path, grant, addresses)


def _clusters(c: _Checker, addresses: set[str]) -> None:
    for key, cluster in c.spec.clusters.items():
        path: Path = ("clusters", key)
        c.check_name(
            (*path, "name") if cluster.name else path,
            names.gke_name(cluster.name or key, "cluster"),
        )
        valid_location = c.location((*path, "location"), cluster.location)
        region = catalog.region_of(cluster.location) if valid_location else None
        _zones(c, (*path, "nodeLocations"), cluster.node_locations, region)
        if cluster.create_as is not None:
            c.account_ref((*path, "createAs"), cluster.create_as, "createAs")
        if cluster.remove_default_node_pool and not cluster.node_pools:
            c.error(
                path,
                "the cluster has no node pools and removes the default one",
                "add a pool under nodePools, or set removeDefaultNodePool: false",
            )
        c.labels((*path, "labels"), cluster.labels)
        c.depends_on(path, cluster, addresses)
        for pool_key, pool in cluster.node_pools.items():
            _node_pool(
                c,
                (*path, "nodePools", pool_key),
                pool_key,
                pool,
                cluster.location,
                valid_location,
                region,
                addresses,
            )


def _zones(c: _Checker, path: Path, zones: list[str] | None, region: str | None) -> None:
    for i, zone in enumerate(zones or []):
        if not catalog.is_zone(zone):
            c.error(
                (*path, i),
                f"'{zone}' is not a zone",
                c.hint(zone, catalog.regions().get(region or "", ())),
            )
        elif region and catalog.region_of(zone) != region:
            c.error((*path, i), f"zone {zone} is not in the cluster's region {region}")


def _node_pool(
    c: _Checker,
    path: Path,
    key: str,
    pool: NodePool,
    location: str,
    valid_location: bool,
    region: str | None,
    addresses: set[str],
) -> None:
    c.check_name(
        (*path, "name") if pool.name else path, names.gke_name(pool.name or key, "node pool")
    )
    _zones(c, (*path, "nodeLocations"), pool.node_locations, region)
    mt = catalog.machine_type(pool.machine_type)
    if mt is None:
        c.error(
            (*path, "machineType"),
            f"unknown machine type '{pool.machine_type}'",
            c.hint(pool.machine_type, catalog.machine_type_names()),
        )
    elif valid_location and not catalog.machine_available(pool.machine_type, location):
        c.error(
            (*path, "machineType"), f"machine type {pool.machine_type} is not offered in {location}"
        )
    for i, acc in enumerate(pool.accelerators):
        if catalog.accelerator(acc.type) is None:
            c.error((*path, "accelerators", i, "type"), f"unknown accelerator type '{acc.type}'")
    if pool.spot and pool.preemptible:
        c.error(
            (*path, "spot"),
            "a node pool is either spot or preemptible, not both",
            "use spot: true (preemptible VMs are the older form of spot VMs)",
        )
    auto = pool.autoscaling
    if auto is not None:
        if auto.min_node_count > auto.max_node_count:
            c.error(
                (*path, "autoscaling"),
                f"minNodeCount {auto.min_node_count} is greater than "
                f"maxNodeCount {auto.max_node_count}",
            )
        elif pool.initial_node_count > auto.max_node_count:
            c.error(
                (*path, "initialNodeCount"),
                f"initialNodeCount {pool.initial_node_count} is "
                f"above autoscaling.maxNodeCount {auto.max_node_count}",
            )
    if pool.service_account is not None:
        c.account_ref((*path, "serviceAccount"), pool.service_account, "serviceAccount")
    c.labels((*path, "labels"), pool.labels)
    c.depends_on(path, pool, addresses)


def _buckets(c: _Checker, addresses: set[str]) -> None:
    seen: dict[str, str] = {}
    for key, bucket in c.spec.buckets.items():
        path: Path = ("buckets", key)
        name = bucket.name or key
        name_path = (*path, "name") if bucket.name else path
        c.check_name(name_path, names.bucket_name(name))
        if name in seen:
            c.error(name_path, f"bucket name '{name}' is also used by bucket '{seen[name]}'")
        seen[name] = key
        location = bucket.location or c.spec.region
        if location.upper() not in BUCKET_MULTI_REGIONS and not catalog.is_region(location.lower()):
            c.error(
                (*path, "location"),
                f"'{location}' is not a bucket location",
                "use a region such as us-central1, or a multi-region: US, EU, ASIA",
            )
        for i, rule in enumerate(bucket.lifecycle_rules):
            if rule.action.type == "SetStorageClass" and not rule.action.storage_class:
                c.error(
                    (*path, "lifecycleRules", i, "action"), "SetStorageClass needs storageClass"
                )
        c.labels((*path, "labels"), bucket.labels)
        c.depends_on(path, bucket, addresses)
