"""secret.KEY: a Secret Manager secret, the container of a token (never its value).

gkeplan manages the secret (replication, labels, rotation, expiry, encryption keys); the
value is not infrastructure: a person or a workload adds versions (`gcloud secrets versions
add`), and nothing of them reaches the spec, the plan, the state or a log.

Field names and limits are Secret Manager v1's (the `Secret` schema of the secretmanager v1
discovery document shipped in google-api-python-client, and the installed
google-cloud-secret-manager types): each is cited where it is checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, cast

from pydantic import Discriminator, Field, Tag, field_validator

from gkeplan.errors import Path, Severity
from gkeplan.kinds import base
from gkeplan.spec.base import Document, Labels, Model, Resource
from gkeplan.spec.checks import Checker
from gkeplan.spec.refs import TargetRef

# The service its driver's client (google-cloud-secret-manager) calls.
SECRET_MANAGER_API = "secretmanager.googleapis.com"
# "roles/secretmanager.secretAccessor" holds secretmanager.versions.access and nothing else of
# Secret Manager (shared/reference/gcp-iam-roles); it is the role Terraform's secret IAM
# resources are tested with (allowed_iam_role in magic-modules mmv1/products/secretmanager/
# Secret.yaml).
ACCESSOR = "roles/secretmanager.secretAccessor"

# secretId: "A secret ID is a string with a maximum length of 255 characters and can contain
# uppercase and lowercase letters, numerals, and the hyphen (-) and underscore (_) characters"
# (secretmanager v1 discovery document, projects.secrets.create, parameter secretId).
_SECRET_ID = re.compile(r"[A-Za-z0-9_-]{1,255}\Z")
# Annotation keys "must be between 1 and 63 characters long ... begin and end with an
# alphanumeric character ([a-z0-9A-Z]), and may have dashes (-), underscores (_), dots (.), and
# alphanumerics in between"; "The total size of annotation keys and values must be less than
# 16KiB" (Secret.annotations, discovery document).
_ANNOTATION_KEY = re.compile(r"[a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?\Z")
MAX_ANNOTATIONS_BYTES = 16 * 1024
# "A list of up to 10 Pub/Sub topics", each "projects/*/topics/*" (Secret.topics, Topic.name).
MAX_TOPICS = 10
_TOPIC = re.compile(r"projects/[^/]+/topics/[^/]+\Z")
# CustomerManagedEncryption.kmsKeyName: "The expected format is
# projects/*/locations/*/keyRings/*/cryptoKeys/*"; "For secrets using the Automatic replication
# policy type, Cloud KMS CryptoKeys must reside in global"; for UserManaged, "must reside in the
# same location as the replica location" (discovery document).
_KMS_KEY = re.compile(
    r"projects/[^/]+/locations/(?P<location>[^/]+)/keyRings/[^/]+/cryptoKeys/[^/]+\Z"
)
# Rotation.rotationPeriod: "Must be in seconds and at least 3600s (1h) and at most 3153600000s
# (100 years)"; nextRotationTime: "Cannot be set to less than 300s (5 min) in the future"
# (discovery document).
MIN_ROTATION_S, MAX_ROTATION_S, MIN_NEXT_ROTATION_S = 3600, 3153600000, 300
# A google.protobuf.Duration in JSON: "A duration in seconds with up to nine fractional digits,
# terminated by 's'. Example: "3.5s"" (ttl, magic-modules Secret.yaml).
_DURATION = re.compile(r"(?P<seconds>\d+(\.\d{1,9})?)s\Z")
# A regional secret: "A Regional Secret is a logical secret whose value and versions can be
# created and accessed within a region only" (magic-modules mmv1/products/
# secretmanagerregional/RegionalSecret.yaml), named projects/P/locations/L/secrets/ID (its
# self_link). Its replication attribute reads REGIONAL, and its one key is kmsKeyNames[REGIONAL].
REGIONAL = "regional"
_LOCATION = re.compile(r"projects/[^/]+/locations/(?P<location>[^/]+)(/|\Z)")


class Replica(Model):
    location: str = Field(description="A region the secret's data is kept in, e.g. us-central1.")
    kms_key_name: str | None = Field(
        None,
        description="Cloud KMS key (in the replica's location) that encrypts its versions.",
    )


class UserManaged(Model):
    user_managed: list[Replica] = Field(
        description="The regions the secret's data is replicated into (not empty)."
    )


class Rotation(Model):
    period: str = Field(description="Seconds between rotation notifications, e.g. 2592000s.")
    next_rotation_time: str = Field(
        description="RFC 3339 time of the first notification, at least 5 minutes ahead."
    )


def _replication_kind(value: Any) -> str:
    # capitalised tags: the error formatter drops them from the path (spec/pydantic_errors.py)
    return "UserManaged" if isinstance(value, (dict, UserManaged)) else "Automatic"


# One branch per shape, so a wrong value gets that branch's message only.
Replication = Annotated[
    Annotated[Literal["automatic"], Tag("Automatic")] | Annotated[UserManaged, Tag("UserManaged")],
    Discriminator(_replication_kind),
]


class Secret(Resource):
    secret_id: str | None = Field(None, description="The secret's id; defaults to the key.")
    location: str | None = Field(
        None,
        description="A region: makes a regional secret (its data and versions stay there, "
        "served at secretmanager.LOCATION.rep.googleapis.com); no replication then.",
    )
    # "gcloud secrets create my-secret" creates "a secret with an automatic replication policy"
    # (gcloud secrets create --help, EXAMPLES): automatic is the default a person gets.
    replication: Replication = Field(
        "automatic",
        description="automatic (Google chooses where), or {userManaged: [{location, "
        "kmsKeyName?}]}. Cannot be changed once the secret exists.",
    )
    kms_key_name: str | None = Field(
        None,
        description="Cloud KMS key (location global) for automatic replication "
        "(customerManagedEncryption); applies to versions added after it is set.",
    )
    labels: Labels = Field(default_factory=dict)
    annotations: dict[str, str] = Field(
        default_factory=dict, description="Free-form metadata for tools (not labels)."
    )
    topics: list[str] = Field(
        default_factory=list,
        description="Pub/Sub topics (projects/P/topics/T) told of changes and rotations.",
    )
    rotation: Rotation | None = Field(
        None, description="Rotation notifications to the topics (needs topics)."
    )
    ttl: str | None = Field(None, description="Delete the secret this long after create: 86400s.")
    expire_time: str | None = Field(None, description="RFC 3339 time the secret is deleted.")
    accessors: list[str] = Field(
        default_factory=list,
        description="Members granted roles/secretmanager.secretAccessor on this secret.",
    )

    @field_validator("replication", mode="before")
    @classmethod
    def _one_of_two_shapes(cls, value: Any) -> Any:
        if value == "automatic" or isinstance(value, (dict, UserManaged)):
            return value
        raise ValueError(
            f"{value!r} is not a replication: write automatic or "
            "{userManaged: [{location: REGION}]}"
        )


def secrets(spec: Document) -> dict[str, Secret]:
    return cast(dict[str, Secret], spec.section("secrets"))


def secret_id(spec: Document, key: str) -> str:
    s = secrets(spec).get(key)
    return (s.secret_id if s else None) or key


def resource_name(spec: Document, key: str) -> str:
    """projects/P/secrets/ID, or projects/P/locations/L/secrets/ID for a regional secret: the
    secret's name in the API."""
    s = secrets(spec).get(key)
    where = f"locations/{s.location}/" if s and s.location else ""
    return f"projects/{spec.project}/{where}secrets/{secret_id(spec, key)}"


def location_of(name: str) -> str | None:
    """The location of a regional secret's (or its parent's) name; None for a global one."""
    m = _LOCATION.match(name)
    return m["location"] if m else None


def timestamp(value: str) -> str | None:
    """An RFC 3339 time in the one form the driver reports (UTC, 'Z', fractions only when
    there are any); None when it is not one."""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return utc(when)


def utc(when: datetime) -> str:
    when = when.astimezone(UTC)
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    if when.microsecond:
        text += f".{when.microsecond:06d}".rstrip("0")
    return text + "Z"


def seconds(duration: str) -> float | None:
    m = _DURATION.match(duration)
    return float(m["seconds"]) if m else None


def duration(value: float) -> str:
    """Seconds as a Duration's JSON ("3600s", "1.5s")."""
    return f"{int(value)}s" if value == int(value) else f"{value:.9f}".rstrip("0") + "s"


def replication_of(s: Secret) -> str | list[str]:
    """What cannot change: automatic, or the replicas' locations (in order); REGIONAL for a
    regional secret (its location is in its name)."""
    if s.location:
        return REGIONAL
    if isinstance(s.replication, UserManaged):
        return [r.location for r in s.replication.user_managed]
    return "automatic"


def kms_keys_of(s: Secret) -> dict[str, str]:
    """The customer-managed keys, by replica location ("automatic" for automatic, REGIONAL for
    a regional secret's own)."""
    if s.location:
        return {REGIONAL: s.kms_key_name} if s.kms_key_name else {}
    if isinstance(s.replication, UserManaged):
        return {r.location: r.kms_key_name for r in s.replication.user_managed if r.kms_key_name}
    return {"automatic": s.kms_key_name} if s.kms_key_name else {}


def _expand(spec: Document) -> Iterable[base.Node]:
    return base.section_nodes("secret", "secrets", secrets(spec))


# The permissions of the secrets methods (Secret Manager access control: roles/secretmanager.admin
# holds secretmanager.secrets.create/get/list/update/delete in shared/reference/gcp-iam-roles).
_NEEDS = {
    "read": ("secretmanager.secrets.get",),
    "create": ("secretmanager.secrets.create",),
    "update": ("secretmanager.secrets.update",),
    "delete": ("secretmanager.secrets.delete",),
}


_needs = base.resource_permissions(_NEEDS)


def _desired(spec: Document, node: base.Node) -> base.DesiredState:
    key = node.address.split(".", 1)[1]
    s: Secret = node.model
    expire: str | None
    if s.ttl is not None:
        expire = None  # GCP computes it from the ttl at create: follow what exists
    elif s.expire_time is not None:
        expire = timestamp(s.expire_time) or s.expire_time
    else:
        expire = ""  # no expiry
    period = seconds(s.rotation.period) if s.rotation else None
    return base.DesiredState(
        resource_name(spec, key),
        {
            "secretId": secret_id(spec, key),
            "replication": replication_of(s),
            "kmsKeyNames": kms_keys_of(s),
            "labels": dict(s.labels),
            "annotations": dict(s.annotations),
            "topics": list(s.topics),
            "rotationPeriod": duration(period) if period is not None else "",
            "expireTime": expire,
        },
        {
            "project": spec.project,
            # GCP moves nextRotationTime on by the period at every rotation, so it is sent (at
            # create, and with a changed period) but never diffed; a ttl is input-only
            # ("Input only. The TTL for the Secret.", discovery document).
            "nextRotationTime": (
                timestamp(s.rotation.next_rotation_time) or s.rotation.next_rotation_time
            )
            if s.rotation
            else None,
            "ttl": duration(seconds(s.ttl) or 0.0) if s.ttl is not None else None,
        },
    )


def _check_id(c: Checker, path: Path, ident: str, seen: dict[str, str], key: str) -> None:
    problem = None
    if not _SECRET_ID.match(ident):
        problem = (
            f"'{ident}' is not a secret id: at most 255 letters, digits, '-' and '_' "
            "(Secret Manager's secretId)"
        )
    c.named(path, ident, problem, seen, key, "secret id")


def _check_kms(
    c: Checker, path: Path, key: str, location: str, whose: str = "the replica's"
) -> None:
    m = _KMS_KEY.match(key)
    if m is None:
        c.error(
            path,
            f"'{key}' is not a Cloud KMS key name",
            "write projects/PROJECT/locations/LOCATION/keyRings/RING/cryptoKeys/KEY",
        )
    elif m["location"] != location:
        c.error(
            path,
            f"the key is in {m['location']}, but Secret Manager needs it in {location} "
            + ("for automatic replication" if location == "global" else f"({whose} location)"),
            f"use a key of a key ring in {location}",
        )


def _check_regional(c: Checker, path: Path, s: Secret) -> None:
    location = s.location or ""
    if not c.region(
        (*path, "location"), location, "a regional secret's location is a region, e.g. us-central1"
    ):
        return
    if "replication" in s.model_fields_set:
        # Terraform's google_secret_manager_regional_secret has no replication: its data stays
        # in its location ("value and versions can be created and accessed within a region
        # only", magic-modules mmv1/products/secretmanagerregional/RegionalSecret.yaml)
        c.error(
            (*path, "replication"),
            f"a regional secret (location set) has no replication: its data stays in {location}",
            "remove replication, or remove location for a global secret",
        )
    if s.kms_key_name is not None:
        # "The location of the CMEK key must be the same as the location of the regional
        # secret." (Secret Manager docs, regional-secrets/create-secret-cmek-encryption)
        _check_kms(c, (*path, "kmsKeyName"), s.kms_key_name, location, "the regional secret's")


def _check_replication(c: Checker, path: Path, s: Secret) -> None:
    if s.location is not None:
        _check_regional(c, path, s)
        return
    if not isinstance(s.replication, UserManaged):
        if s.kms_key_name is not None:
            _check_kms(c, (*path, "kmsKeyName"), s.kms_key_name, "global")
        return
    if s.kms_key_name is not None:
        c.error(
            (*path, "kmsKeyName"),
            "kmsKeyName applies to automatic replication; with userManaged each replica "
            "names its own key",
            "move it to replication.userManaged[].kmsKeyName, in the replica's location",
        )
    if not s.replication.user_managed:
        # UserManaged.replicas: "Required. The list of Replicas for this Secret. Cannot be
        # empty." (discovery document)
        c.error(
            (*path, "replication", "userManaged"),
            "userManaged replication needs at least one replica",
            "userManaged: [{location: us-central1}]",
        )
    seen: set[str] = set()
    for i, replica in enumerate(s.replication.user_managed):
        at: Path = (*path, "replication", "userManaged", i)
        fix = "replicas are regions, e.g. us-central1"
        if c.region((*at, "location"), replica.location, fix) and replica.location in seen:
            c.error((*at, "location"), f"{replica.location} is listed twice")
        seen.add(replica.location)
        if replica.kms_key_name is not None:
            _check_kms(c, (*at, "kmsKeyName"), replica.kms_key_name, replica.location)


def _check_annotations(c: Checker, path: Path, annotations: dict[str, str]) -> None:
    for name in annotations:
        if not _ANNOTATION_KEY.match(name):
            c.error(
                (*path, name),
                f"annotation key '{name}' must be 1-63 characters, start and end with a letter "
                "or digit, and use letters, digits, '-', '_' and '.' between",
            )
    size = sum(len(k.encode()) + len(v.encode()) for k, v in annotations.items())
    if size >= MAX_ANNOTATIONS_BYTES:
        c.error(path, f"annotations take {size} bytes; Secret Manager allows less than 16KiB")


def _check_time(c: Checker, path: Path, value: str, what: str) -> datetime | None:
    text = timestamp(value)
    if text is None:
        c.error(path, f"'{value}' is not an RFC 3339 time", f"{what}: 2030-01-01T00:00:00Z")
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _check_rotation(c: Checker, path: Path, s: Secret) -> None:
    if s.rotation is None:
        return
    at: Path = (*path, "rotation")
    if not s.topics:
        # "Secret.topics must be set to configure rotation" (Rotation, discovery document)
        c.error(at, "rotation needs topics: Secret Manager sends rotations to Pub/Sub topics")
    period = seconds(s.rotation.period)
    if period is None or period != int(period):
        c.error(
            (*at, "period"), f"'{s.rotation.period}' is not a whole number of seconds", "2592000s"
        )
    elif not MIN_ROTATION_S <= period <= MAX_ROTATION_S:
        c.error(
            (*at, "period"),
            f"rotation period {s.rotation.period} is outside 3600s (1 hour) to 3153600000s "
            "(100 years)",
        )
    when = _check_time(
        c, (*at, "nextRotationTime"), s.rotation.next_rotation_time, "nextRotationTime"
    )
    if when is not None and (when - datetime.now(UTC)).total_seconds() < MIN_NEXT_ROTATION_S:
        c.error(
            (*at, "nextRotationTime"),
            f"nextRotationTime {s.rotation.next_rotation_time} is less than 5 minutes from now: "
            "Secret Manager refuses it when the secret is created or its rotation changed",
            "set a later time",
            severity=Severity.WARNING,
        )


def _check_expiry(c: Checker, path: Path, s: Secret) -> None:
    if s.ttl is not None and s.expire_time is not None:
        # expiration is a oneof (Secret.ttl | Secret.expire_time, google-cloud-secret-manager);
        # "Only one of ttl or expire_time can be provided" (magic-modules Secret.yaml)
        c.error((*path, "ttl"), "give ttl or expireTime, not both")
    if s.ttl is not None and seconds(s.ttl) is None:
        c.error((*path, "ttl"), f"'{s.ttl}' is not a duration", "ttl: 86400s")
    if s.expire_time is not None:
        _check_time(c, (*path, "expireTime"), s.expire_time, "expireTime")


def _check(spec: Document, c: Checker) -> None:
    # ids are unique per parent: the project's global secrets, and each location's regional ones
    seen: dict[str | None, dict[str, str]] = {}
    for key, s in secrets(spec).items():
        path: Path = ("secrets", key)
        ident = s.secret_id or key
        at = (*path, "secretId") if s.secret_id else path
        _check_id(c, at, ident, seen.setdefault(s.location, {}), key)
        _check_replication(c, path, s)
        c.labels((*path, "labels"), s.labels)
        _check_annotations(c, (*path, "annotations"), s.annotations)
        if len(s.topics) > MAX_TOPICS:
            c.error((*path, "topics"), f"{len(s.topics)} topics; Secret Manager allows at most 10")
        for i, topic in enumerate(s.topics):
            if not _TOPIC.match(topic):
                c.error(
                    (*path, "topics", i), f"'{topic}' is not a topic name", "projects/P/topics/T"
                )
        _check_rotation(c, path, s)
        _check_expiry(c, path, s)
        c.depends_on(path, s)


def _check_target(c: Checker, path: Path, ref: TargetRef) -> None:
    if ref.name not in secrets(c.spec):
        c.error(
            path,
            f"target secret '{ref.name}' is not a secret of this spec",
            c.hint(ref.name, secrets(c.spec)),
        )


def _accessors(spec: Document) -> Iterable[base.Shorthand]:
    for key, s in secrets(spec).items():
        for j, text in enumerate(s.accessors):
            yield base.Shorthand(
                key, ACCESSOR, text, ("secrets", key, "accessors", j), ("secrets", key)
            )


GRANTS = base.GrantTarget(
    api=SECRET_MANAGER_API,
    # secretmanager.secrets.getIamPolicy / setIamPolicy (roles/secretmanager.admin in
    # shared/reference/gcp-iam-roles); projects.secrets.getIamPolicy / setIamPolicy on
    # v1/{+resource}, projects.locations.secrets.getIamPolicy / setIamPolicy for a regional
    # secret (secretmanager v1 discovery document)
    permissions="secretmanager.secrets",
    pattern=r"projects/[^/]+/(locations/[^/]+/)?secrets/[^/]+\Z",
    policies="gkeplan.kinds.secret.iam_policy:POLICIES",
    resource_name=lambda spec, ref: resource_name(spec, ref.name),
    check=_check_target,
    syntax="secret:KEY",
    shorthands=_accessors,
    listed=lambda project, name: name,
    written_on=base.written_by_key("secret"),
)


def _outputs(id: str, attributes: Any) -> dict[str, Any]:
    return {"name": id}


KIND = base.Kind(
    "secret",
    base.Section(
        "secrets",
        dict[str, Secret],
        dict,
        "Secret Manager secrets, by key (the secret id unless secretId is set); never values.",
    ),
    _expand,
    _needs,
    _desired,
    apis=base.uses(SECRET_MANAGER_API),
    driver="gkeplan.kinds.secret.driver:SecretDriver",
    check=_check,
    # secretId and replication are immutable: "The replication policy cannot be changed after
    # the Secret has been created" (Secret.replication, discovery document); both are
    # `immutable: true` (ForceNew) in magic-modules mmv1/products/secretmanager/Secret.yaml.
    # The keys inside it are not: "Updates to the Secret encryption configuration only apply to
    # SecretVersions added afterwards" (customerManagedEncryption), and Terraform sends a
    # changed replication with updateMask=replication (templates/terraform/pre_update/
    # secret_manager_secret.go.tmpl). Labels, annotations, topics, rotation and expiry are
    # updated in place (update_mask: true, Secret.yaml).
    immutable=frozenset({"secretId", "replication"}),
    expected_seconds=1.0,  # a scheduling guess, not a GCP figure: create is one synchronous call
    replace_loses_data=True,  # every version of the secret, i.e. its values
    rules="gkeplan.kinds.secret.rules:RULES",
    outputs=_outputs,
    grant_target=GRANTS,
    generate="gkeplan.kinds.secret.generate:GENERATOR",
)
