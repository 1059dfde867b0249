"""What every resource kind provides, in one declaration the whole of gkeplan reads.

A kind is one module (or package) under `gkeplan.kinds` exporting its `Kind`; the registry in
`gkeplan.kinds` lists them. Edges point from a dependency to its dependent:
`(serviceAccount.gke-node, nodePool.c.p)` means the account must exist before the pool.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from gkeplan.errors import Path
from gkeplan.lifecycle import Lifecycle
from gkeplan.spec.base import Document
from gkeplan.spec.checks import Checker
from gkeplan.spec.refs import TargetRef


@dataclass(frozen=True)
class Dep:
    address: str
    reason: str
    path: Path  # the spec value that creates this dependency


@dataclass(frozen=True)
class Node:
    address: str
    kind: str
    path: Path  # where the resource is defined in the spec
    model: Any  # the spec model of the desired resource (for an IAM member: a view of its grant)
    deps: tuple[Dep, ...] = field(default=())


# What a permission is needed for: the driver call it lets through (a plan's actions are
# gkeplan.plan.model.Action).
Verb = Literal["read", "create", "update", "delete"]


@dataclass(frozen=True)
class Permission:
    """An IAM permission an action needs, and the resource GCP checks it on.

    `on` is "project", a spec address (serviceAccount.gke-node, bucket.models) or, for resources
    outside the spec, a service account email.
    """

    name: str
    on: str = "project"


# `Permission.on` for the Compute Engine default service account, whose email the spec cannot
# know (PROJECT_NUMBER-compute@developer.gserviceaccount.com).
DEFAULT_COMPUTE_SA = "default-compute-service-account"


@dataclass(frozen=True)
class Identity:
    """A service account a resource is made as (`createAs`: gkeplan calls its create and delete
    as that account) or runs as (`runsAs`: a node pool's nodes)."""

    use: Literal["createAs", "runsAs"]
    ref: str | None  # a spec key or an email as written; None: the Compute Engine default
    path: Path  # where the spec names it
    holder: str  # who uses it, in words: "cluster c", "nodes of c/p"
    needs: str = ""  # runsAs: the role GCP documents the account needs (a GKE node's)
    purpose: str = ""  # what that role is for, and what happens without it


@dataclass(frozen=True)
class DesiredState:
    """What the spec wants of one resource, in the same shape drivers report what exists.

    `id` is the GCP identity (an email, a full resource name, a bucket name): two resources
    with the same id are the same resource. `attributes` are compared field by field.
    `inputs` travel with the change to its driver and into the state but are never diffed:
    create-only values (initialNodeCount), the identity to act as (createAs), gkeplan's own
    switches (forceDestroy). A plan thereby carries everything its driver needs. `lifecycle`
    is what the planner and executor read (keep it on destroy, guard it, what its create
    makes with it); no driver reads it.
    """

    id: str
    attributes: dict[str, Any]
    inputs: dict[str, Any] = field(default_factory=dict)
    lifecycle: Lifecycle = field(default_factory=Lifecycle)


@dataclass(frozen=True)
class Section:
    """The spec section that holds a kind's resources, e.g. `clusters: {NAME: Cluster}`."""

    name: str  # the Python name; the YAML key is its camelCase (service_accounts: serviceAccounts)
    annotation: Any  # dict[str, Model] or list[Model]
    default_factory: Callable[[], Any]
    description: str = ""


@dataclass(frozen=True)
class ExternalRef:
    """Something the spec refers to but does not create (a bucket or service account that a
    grant is on): the plan asks the driver of `kind` whether `id` exists, and refuses the plan
    naming `path` when it does not."""

    kind: str
    id: str  # what the kind's driver `exists` takes: a bucket name, an account's resource name
    path: Path
    what: str  # for the message: "bucket gs://x"


@dataclass(frozen=True)
class CatalogName:
    """A name a resource takes from GCP's catalog (a region or zone, a machine type, an
    accelerator type, a role): CT001 looks it up in gkeplan's dated catalog."""

    what: Literal["location", "machineType", "accelerator", "role"]
    value: str
    path: Path
    region: str = ""  # a machine or accelerator type must be offered in this region


@dataclass(frozen=True)
class Shorthand:
    """A grant written on the target itself (a repository's `readers`): one member of one role
    on the resource `key` of the kind, the member `text` at `path` of the spec."""

    key: str
    role: str
    text: str
    path: Path
    target_path: Path  # the resource it is on, for messages and dependencies


def _as_written(spec: Document, ref: TargetRef) -> TargetRef | None:
    return ref


def _own_address(spec: Document, ref: TargetRef) -> str | None:
    return None if ref.external else ref.address


def _no_external_ref(spec: Document, ref: TargetRef, path: Path) -> ExternalRef | None:
    return None


def _no_shorthands(spec: Document) -> Iterable[Shorthand]:
    return ()


@dataclass(frozen=True)
class GrantTarget:
    """What a kind offers as the target of IAM grants (`on: KIND:NAME`): one IAM member engine
    (the iamMember kind), one adapter per target, as the Google provider has one IAM updater
    per resource type.

    `resolve` reads what NAME means (a key of the spec's section, or a resource outside it,
    `external`); `own` is the spec address the grant waits for and GCP checks permissions on
    (None: outside the spec, where `where` names it); `pattern` matches the IAM resource names
    of the kind, by which the member driver picks the adapter (`policies`, "module:NAME" of a
    `gkeplan.kinds.iam_member.policies.Policies`, imported on the paths that call GCP).
    """

    api: str  # the service whose getIamPolicy / setIamPolicy the grant calls
    permissions: str  # "storage.buckets": PREFIX.getIamPolicy and PREFIX.setIamPolicy
    pattern: str  # a regular expression matching the kind's IAM resource names
    policies: str
    resource_name: Callable[[Document, TargetRef], str]
    check: Callable[[Checker, Path, TargetRef], None]
    syntax: str  # how to write it, for the message on a target that does not parse
    # None: NAME names nothing this kind could hold (the message says `syntax`)
    resolve: Callable[[Document, TargetRef], TargetRef | None] = _as_written
    own: Callable[[Document, TargetRef], str | None] = _own_address
    where: Callable[[Document, TargetRef], str] | None = None  # outside the spec: its name
    external: Callable[[Document, TargetRef, Path], ExternalRef | None] = _no_external_ref
    shorthands: Callable[[Document], Iterable[Shorthand]] = _no_shorthands
    # the rule that reports allUsers / allAuthenticatedUsers on it, when one of its own does
    # (a repository's, checkov's CKV_GCP_101) instead of the general LP003
    public_members_rule: str = ""
    # `import --generate`: the IAM resource name of a resource its kind's generator listed
    # (project, the listed id), and the `on:` a grant on such a name is written back with
    # (the name, the generation's Listing; None when a spec cannot name it). No `listed`: the
    # kind's grants are not generated.
    listed: Callable[[str, str], str] | None = None
    written_on: Callable[[str, Any], str | None] | None = None


def written_by_key(kind: str) -> Callable[[str, Any], str | None]:
    """The `written_on` of a kind whose grants `import --generate` writes on a generated
    resource's spec key only: one outside the spec has no `on:` a spec could write."""

    def written_on(resource: str, listing: Any) -> str | None:
        key = listing.keys.get((kind, resource))
        return f"{kind}:{key}" if key else None

    return written_on


Expand = Callable[[Document], Iterable[Node]]
Link = Callable[[Document, Node, Mapping[str, Node]], Iterable[Dep]]
Needs = Callable[[Document, Node, Verb], tuple[Permission, ...]]
Desired = Callable[[Document, Node], DesiredState]
Check = Callable[[Document, Checker], None]
# The Google APIs (service names) a node's driver calls: each must be enabled in the project.
Apis = Callable[[Document, Node], Iterable[str]]


# What a user needs of one resource after apply (an endpoint, a URL, an email), from its id and
# the attributes its driver read: `gkeplan output` names each `<address>.<name>`.
Outputs = Callable[[str, Mapping[str, Any]], dict[str, Any]]


def no_outputs(id: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {}


def no_catalog_names(spec: Document, node: Node) -> Iterable[CatalogName]:
    return ()


def no_identities(spec: Document, node: Node) -> Iterable[Identity]:
    return ()


def no_links(spec: Document, node: Node, nodes: Mapping[str, Node]) -> Iterable[Dep]:
    return ()


def no_checks(spec: Document, checker: Checker) -> None:
    return None


def no_external(spec: Document) -> Iterable[ExternalRef]:
    return ()


def no_apis(spec: Document, node: Node) -> Iterable[str]:
    return ()


def uses(*apis: str) -> Apis:
    """A kind's `apis` when every node of it calls the same APIs."""

    def apis_of(spec: Document, node: Node) -> Iterable[str]:
        return apis

    return apis_of


@dataclass(frozen=True)
class Kind:
    """One kind of resource.

    `needs` is the single declaration of the IAM permissions each action takes: drivers and
    the least-privilege preflight both read it. `driver` names the class that calls GCP
    ("module:Class"); it is imported only on the paths that call GCP, so `validate` never
    loads Google's clients.
    """

    name: str
    section: Section | None  # None: the resources live inside another kind's section
    expand: Expand  # the nodes this kind contributes
    needs: Needs
    desired: Desired
    driver: str
    link: Link = no_links  # implicit dependencies of one node, given every node by address
    check: Check = no_checks  # semantic checks of its section (names, references, catalog)
    # what it refers to outside the spec, checked to exist at plan time (Driver.exists)
    external: Callable[[Document], Iterable[ExternalRef]] = no_external
    # the APIs its driver calls for a node (their client's service names): the run checks they
    # are enabled before anything else (a disabled one fails every call with 403)
    apis: Apis = no_apis
    # the APIs a node turns on (a project service): it comes before every node calling them,
    # and the run does not stop for them being off
    enables: Apis = no_apis
    immutable: frozenset[str] = frozenset()  # fields whose change forces a replacement
    updatable: bool = True  # False: every change is a replacement (IAM members)
    expected_seconds: float = 1.0  # a change's rough seconds on GCP: the slowest chain starts first
    merged: bool = False  # concurrent changes share one write (IAM members of one policy)
    # A replacement creates the new resource (under a suffixed name) before deleting the old,
    # so what it serves never stops (node pools).
    create_before_destroy: bool = False
    # A replacement (delete, then create) loses what the resource holds (a bucket's objects, a
    # repository's images, a cluster's workloads): apply makes it only by name (--allow-replace).
    replace_loses_data: bool = False
    # One that exists already is taken over as it is, without `adopt: true` (an API that is on:
    # what the spec asks for, in the state it asks for). No person adopted it, so gkeplan never
    # deletes it: it is recorded as taken over and only forgotten (plan.diff TAKEN_OVER).
    takes_over_existing: bool = False
    # Its policy rules, "module:NAME" of a list of gkeplan.policy.Rule classes: imported when
    # policies run (a kind's rules read the policy model, which reads the graph of every kind).
    rules: str = ""
    outputs: Outputs = no_outputs
    grant_target: GrantTarget | None = None  # grants on its resources: `on: NAME:KEY`
    # Its quota use, "module:NAME" of a function from the spec to `policy.usage` Loads and
    # Notes (a cluster's: its pools'); imported when policies run, as `rules` is.
    usage: str = ""
    # the names its resources take from GCP's catalog, checked by CT001
    catalog_names: Callable[[Document, Node], Iterable[CatalogName]] = no_catalog_names
    # the service accounts its resources are made as or run as, for the least-privilege rules
    identities: Callable[[Document, Node], Iterable[Identity]] = no_identities
    # Its monthly cost, "module:NAME" of a `policy.cost.Priced` (lines per resource, and the
    # spec as the resources are now, for a plan's cost delta); imported as `rules` is.
    cost: str = ""
    # `gkeplan import --generate`: "module:GENERATOR", what lists this kind and writes what
    # exists back as spec (gkeplan.kinds.generating); None: another kind's generator holds it
    generate: str | None = None


def imported(path: str) -> Any:
    """What a kind names as "module:NAME" (its driver class, its rules), imported on use."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def explicit_deps(path: Path, depends_on: list[str]) -> list[Dep]:
    return [Dep(a, "dependsOn", (*path, "dependsOn", i)) for i, a in enumerate(depends_on)]


def section_nodes(kind: str, section: str, resources: Mapping[str, Any]) -> Iterator[Node]:
    """One node per resource of a spec section keyed by name (`KIND.KEY`), with its dependsOn."""
    for key, resource in resources.items():
        path: Path = (section, key)
        deps = tuple(explicit_deps(path, resource.depends_on))
        yield Node(f"{kind}.{key}", kind, path, resource, deps)


def project_permissions(
    table: Mapping[str, tuple[str, ...]],
) -> Callable[[Any, Node, Verb], tuple[Permission, ...]]:
    """A kind's `needs`: the permissions of each action, all checked on the project."""

    def needs(spec: Any, node: Node, action: Verb) -> tuple[Permission, ...]:
        return tuple(Permission(p) for p in table[action])

    return needs


def resource_permissions(
    table: Mapping[str, tuple[str, ...]],
) -> Callable[[Any, Node, Verb], tuple[Permission, ...]]:
    """A kind's `needs` for a resource that takes IAM on itself: a create is checked on the
    project (the resource does not exist yet), every other action on the resource."""

    def needs(spec: Any, node: Node, action: Verb) -> tuple[Permission, ...]:
        on = "project" if action == "create" else node.address
        return tuple(Permission(p, on) for p in table[action])

    return needs
