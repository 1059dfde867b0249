"""bucket.NAME: a Cloud Storage bucket."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, cast

from pydantic import Field

from gkeplan.errors import Path, Severity
from gkeplan.kinds import base
from gkeplan.lifecycle import Lifecycle
from gkeplan.spec import names
from gkeplan.spec.base import Document, Labels, Model, Name, Resource
from gkeplan.spec.checks import REGION, Checker, name_at
from gkeplan.spec.limits import NonNegInt32
from gkeplan.spec.refs import TargetRef


class LifecycleAction(Model):
    type: Literal["Delete", "SetStorageClass", "AbortIncompleteMultipartUpload"]
    storage_class: str | None = None


class LifecycleCondition(Model):
    # int32 in the Cloud Storage JSON API's lifecycle condition
    age: NonNegInt32 | None = None
    created_before: str | None = None
    num_newer_versions: NonNegInt32 | None = None
    is_live: bool | None = None
    matches_storage_class: list[str] | None = None
    matches_prefix: list[str] | None = None
    matches_suffix: list[str] | None = None
    days_since_noncurrent_time: NonNegInt32 | None = None


class LifecycleRule(Model):
    action: LifecycleAction
    condition: LifecycleCondition


class BucketLogging(Model):
    log_bucket: Name
    log_object_prefix: str | None = None


# Bucket.storageClass: "Values include MULTI_REGIONAL, REGIONAL, STANDARD, NEARLINE, COLDLINE,
# ARCHIVE, and DURABLE_REDUCED_AVAILABILITY" (storage v1 discovery document; the installed
# google-cloud-storage names the three *_LEGACY_STORAGE_CLASS in google.cloud.storage.constants);
# "Legacy Multi-regional storage class, use STANDARD instead" (googleapis/java-storage,
# StorageClass.java, #267). GCS takes them, so they are not refused.
LEGACY_STORAGE_CLASSES = ("MULTI_REGIONAL", "REGIONAL", "DURABLE_REDUCED_AVAILABILITY")


class Bucket(Resource):
    name: str | None = Field(None, description="Globally unique bucket name; defaults to the key.")
    location: str | None = Field(None, description="Defaults to the spec's region.")
    storage_class: Literal[
        "STANDARD",
        "NEARLINE",
        "COLDLINE",
        "ARCHIVE",
        # LEGACY_STORAGE_CLASSES, accepted with a warning
        "MULTI_REGIONAL",
        "REGIONAL",
        "DURABLE_REDUCED_AVAILABILITY",
    ] = "STANDARD"
    uniform_bucket_level_access: bool = True
    public_access_prevention: Literal["enforced", "inherited"] = "enforced"
    versioning: bool = False
    lifecycle_rules: list[LifecycleRule] = Field(default_factory=list)
    labels: Labels = Field(default_factory=dict)
    logging: BucketLogging | None = None
    force_destroy: bool = Field(False, description="destroy empties the bucket first.")
    keep_on_destroy: bool = Field(False, description="destroy leaves the bucket in place.")


def buckets(spec: Document) -> dict[str, Bucket]:
    return cast(dict[str, Bucket], spec.section("buckets"))


def bucket_name(spec: Document, key: str) -> str:
    """The GCS name of the spec's bucket `key`, or `key` itself for an outside bucket."""
    bucket = buckets(spec).get(key)
    return (bucket.name if bucket else None) or key


def _expand(spec: Document) -> Iterable[base.Node]:
    return base.section_nodes("bucket", "buckets", buckets(spec))


_NEEDS = {
    "read": ("storage.buckets.get",),
    "create": ("storage.buckets.create",),
    "update": ("storage.buckets.update",),
    "delete": ("storage.buckets.delete",),
}


def _needs(spec: Document, node: base.Node, action: base.Verb) -> tuple[base.Permission, ...]:
    needs = [
        base.Permission(p, node.address if action != "create" else "project")
        for p in _NEEDS[action]
    ]
    if action == "delete" and node.model.force_destroy:  # emptied first
        needs += [
            base.Permission(p, node.address)
            for p in ("storage.objects.list", "storage.objects.delete")
        ]
    return tuple(needs)


def _desired(spec: Document, node: base.Node) -> base.DesiredState:
    b: Bucket = node.model
    name = b.name or node.address.split(".", 1)[1]
    return base.DesiredState(
        name,
        {
            "name": name,
            "location": (b.location or spec.region).upper(),
            "storageClass": b.storage_class,
            "uniformBucketLevelAccess": b.uniform_bucket_level_access,
            "publicAccessPrevention": b.public_access_prevention,
            "versioning": b.versioning,
            "lifecycleRules": [
                r.model_dump(by_alias=True, exclude_none=True) for r in b.lifecycle_rules
            ],
            "labels": dict(b.labels),
            "logging": b.logging.model_dump(by_alias=True, exclude_none=True)
            if b.logging
            else None,
        },
        {"project": spec.project, "forceDestroy": b.force_destroy},
        Lifecycle(keep_on_destroy=b.keep_on_destroy),
    )


MULTI_REGIONS = {"US", "EU", "ASIA", "NAM4", "EUR4", "EUR5", "EUR7", "EUR8", "ASIA1"}


def _check(spec: Document, c: Checker) -> None:
    seen: dict[str, str] = {}
    for key, bucket in buckets(spec).items():
        path: Path = ("buckets", key)
        name, name_path = name_at(path, bucket.name, key)
        c.named(name_path, name, names.bucket_name(name), seen, key, "bucket name")
        if bucket.storage_class in LEGACY_STORAGE_CLASSES:
            c.error(
                (*path, "storageClass"),
                f"{bucket.storage_class} is a legacy storage class, not priced by gkeplan",
                "use STANDARD (the same storage, current pricing)",
                severity=Severity.WARNING,
            )
        location = bucket.location or spec.region
        if location.upper() not in MULTI_REGIONS and not REGION.match(location.lower()):
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
        c.depends_on(path, bucket)


STORAGE_API = "storage.googleapis.com"  # the service its driver's client calls


def _outputs(id: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {"url": f"gs://{id}"}


# A bucket outside the spec is named by its URL; plain bucket:NAME is a key under `buckets:`.
GS_PREFIX = "gs://"


def _resolve_target(spec: Document, ref: TargetRef) -> TargetRef | None:
    """bucket:KEY is the spec's bucket KEY; bucket:gs://NAME is the spec's bucket of that name
    when it has one (as an email of one of its accounts is that account), else one outside."""
    if not ref.name.startswith(GS_PREFIX):
        return ref
    name = ref.name[len(GS_PREFIX) :].rstrip("/")
    if not name:
        return None
    by_name = spec.memo("bucket.by_name", lambda: {bucket_name(spec, k): k for k in buckets(spec)})
    own = by_name.get(name)
    if own is not None:
        return TargetRef(ref.kind, own)
    return TargetRef(ref.kind, f"{GS_PREFIX}{name}", external=True)


def _outside_name(ref: TargetRef) -> str:
    return ref.name[len(GS_PREFIX) :]


def _target_name(spec: Document, ref: TargetRef) -> str:
    if ref.external:
        return f"buckets/{_outside_name(ref)}"
    return f"buckets/{bucket_name(spec, ref.name)}"


def _check_target(c: Checker, path: Path, ref: TargetRef) -> None:
    if ref.external:
        c.check_name(path, names.bucket_name(_outside_name(ref)))
    elif ref.name not in buckets(c.spec):
        c.error(
            path,
            f"target bucket '{ref.name}' is not a bucket of this spec",
            c.hint(ref.name, buckets(c.spec))
            or f"for a bucket the spec does not create, write bucket:{GS_PREFIX}NAME",
        )


def _outside_target(spec: Document, ref: TargetRef, path: Path) -> base.ExternalRef | None:
    if not ref.external:
        return None
    return base.ExternalRef("bucket", _outside_name(ref), path, f"bucket {ref.name}")


def _written_on(resource: str, listing: Any) -> str:
    """A grant on a bucket: by its spec key when generated, else as gs://NAME."""
    name = resource.split("/", 1)[1]
    key = listing.keys.get(("bucket", name))
    return f"bucket:{key}" if key else f"bucket:{GS_PREFIX}{name}"


GRANTS = base.GrantTarget(
    api=STORAGE_API,
    permissions="storage.buckets",
    pattern=r"buckets/[^/]+\Z",
    policies="gkeplan.kinds.bucket.iam_policy:POLICIES",
    resource_name=_target_name,
    check=_check_target,
    syntax=f"bucket:KEY (a bucket of the spec) or bucket:{GS_PREFIX}NAME (one outside it)",
    resolve=_resolve_target,
    where=lambda spec, ref: ref.name,  # an outside bucket: its gs:// URL
    external=_outside_target,
    listed=lambda project, name: f"buckets/{name}",
    written_on=_written_on,
)


def _catalog_names(spec: Document, node: base.Node) -> Iterable[base.CatalogName]:
    location = (node.model.location or spec.region).lower()
    if "-" in location:  # multi-regions (US, EU, ...) are fixed names
        yield base.CatalogName("location", location, (*node.path, "location"))


KIND = base.Kind(
    "bucket",
    base.Section(
        "buckets",
        dict[str, Bucket],
        dict,
        "Cloud Storage buckets, by key (the bucket name unless name is set).",
    ),
    _expand,
    _needs,
    _desired,
    apis=base.uses(STORAGE_API),
    driver="gkeplan.kinds.bucket.driver:BucketDriver",
    generate="gkeplan.kinds.bucket.generate:GENERATOR",
    check=_check,
    immutable=frozenset({"name", "location"}),
    replace_loses_data=True,  # its objects
    rules="gkeplan.kinds.bucket.rules:RULES",
    outputs=_outputs,
    grant_target=GRANTS,
    cost="gkeplan.kinds.bucket.cost:PRICED",
    catalog_names=_catalog_names,
)
