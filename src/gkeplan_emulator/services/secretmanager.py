"""Secret Manager API v1, global and regional secrets: projects.secrets create, get, list,
patch, delete, addVersion, getIamPolicy, setIamPolicy, testIamPermissions, and projects.secrets.
versions get, list, access, disable, enable, destroy; over REST and, transcoded, over gRPC
(google.cloud.secretmanager.v1.SecretManagerService).

Paths, verbs and field names follow the secretmanager v1 discovery document shipped in
google-api-python-client (Secret, Replication, Rotation, Topic, SecretVersion, SecretPayload);
the gRPC methods' HTTP mappings are those of the installed google-cloud-secret-manager
(transports/rest_base.py). Every method is synchronous: none answers an operation.

Each method's second HTTP binding (`/v1/projects/*/locations/*/secrets/...`) is a regional
secret's: "A Regional Secret is a logical secret whose value and versions can be created and
accessed within a region only" (Terraform's google_secret_manager_regional_secret docs), served
at secretmanager.LOCATION.rep.googleapis.com (Secret Manager docs, "Create a regional secret":
"Regional endpoints use the following format: SERVICE_NAME.LOCATION.rep.googleapis.com"). A
sandbox answers every location at its one host. Regional secrets are kept apart by location:
the model keys one as "LOCATION/ID" (a location and a secret id hold no '/'), a global one as
"ID".
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re
import threading
from typing import TYPE_CHECKING, Any

from gkeplan_emulator.authz import project_resource
from gkeplan_emulator.calls import Request, Response, Route
from gkeplan_emulator.errors import (
    aborted,
    already_exists,
    failed_precondition,
    invalid_argument,
    not_found,
    permission_denied,
)
from gkeplan_emulator.mappings import Method, Serve, gapic, grpc_for, routes_for
from gkeplan_emulator.service import ClientEndpoint, ServiceSpec
from gkeplan_emulator.services.resourcemanager import decode_etag

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

# secretId: at most 255 letters, digits, '-' and '_' (projects.secrets.create, discovery doc).
_SECRET_ID = re.compile(r"[A-Za-z0-9_-]{1,255}\Z")
# What patch may change (Secret.yaml in magic-modules: update_mask: true; replication and
# secretId immutable, the encryption keys inside replication updatable, see MUTABLE_REPLICATION).
MUTABLE = {
    "labels": "labels",
    "annotations": "annotations",
    "topics": "topics",
    "rotation": "rotation",
    "rotation.rotation_period": "rotation",
    "rotation.rotationPeriod": "rotation",
    "rotation.next_rotation_time": "rotation",
    "rotation.nextRotationTime": "rotation",
    "expire_time": "expireTime",
    "expireTime": "expireTime",
    "ttl": "ttl",
    "version_aliases": "versionAliases",
    "versionAliases": "versionAliases",
    "replication": "replication",
    "customer_managed_encryption": "customerManagedEncryption",
    "customerManagedEncryption": "customerManagedEncryption",
}
# "Output only" fields of Secret (discovery document): never taken from a request.
OUTPUT_ONLY = ("name", "createTime", "etag", "policyMember")
# Rotation limits (Rotation, discovery document): rotationPeriod "at least 3600s (1h) and at
# most 3153600000s (100 years)"; nextRotationTime "Cannot be set to less than 300s (5 min) in
# the future"; "next_rotation_time MUST be set if rotation_period is set".
MIN_PERIOD, MAX_PERIOD, MIN_AHEAD = 3600.0, 3153600000.0, 300.0
MAX_TOPICS = 10  # "A list of up to 10 Pub/Sub topics" (Secret.topics)
MAX_PAYLOAD = 64 * 1024  # SecretPayload.data: "Must be no larger than 64KiB."


def key_of(params: dict[str, str]) -> str:
    """The model's key of the secret a request names: "ID", or "LOCATION/ID" when it came in
    through a method's regional binding."""
    location = params.get("location")
    return f"{location}/{params['secret']}" if location else params["secret"]


def relative(key: str) -> str:
    """secrets/ID or locations/L/secrets/ID: a key's name below its project."""
    location, _, sid = key.rpartition("/")
    return f"locations/{location}/secrets/{sid}" if location else f"secrets/{sid}"


def location_of(key: str) -> str | None:
    return key.rpartition("/")[0] or None


def secret_resource(project: str, key: str) -> str:
    return f"//secretmanager.googleapis.com/projects/{project}/{relative(key)}"


def _stamp(now: float) -> str:
    return datetime.datetime.fromtimestamp(now, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _time(value: str, field: str) -> float:
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise invalid_argument(
            f"Invalid value at '{field}' (type.googleapis.com/google.protobuf.Timestamp), {value}"
        ) from None


def _seconds(value: Any, field: str) -> float:
    text = str(value)
    if not text.endswith("s"):
        raise invalid_argument(
            f"Invalid value at '{field}' (type.googleapis.com/google.protobuf.Duration), {text}"
        )
    try:
        return float(text[:-1])
    except ValueError:
        raise invalid_argument(
            f"Invalid value at '{field}' (type.googleapis.com/google.protobuf.Duration), {text}"
        ) from None


def _etag(data: Any) -> str:
    # Secret.etag / SecretVersion.etag are opaque strings; GCP's are quoted (an HTTP entity tag)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:14]
    return f'"{digest}"'


def _crc32c(data: bytes) -> int:
    import google_crc32c

    return int(google_crc32c.value(data))


class SecretsModel:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        # by project id (a sandbox keeps every project it was given), then by secret id: the
        # Secret as GCP shows it, and its versions in order, each {"version": SecretVersion,
        # "data": base64}
        self.projects: dict[str, dict[str, Any]] = {}
        self.lock = threading.RLock()

    def _of_project(self) -> dict[str, Any]:
        return self.projects.setdefault(self.project, {"secrets": {}, "versions": {}})

    @property
    def secrets(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = self._of_project()["secrets"]
        return found

    @property
    def versions(self) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = self._of_project()["versions"]
        return found

    @property
    def project(self) -> str:
        return str(self.backend.config.project)

    @property
    def number(self) -> str:
        return str(self.backend.config.project_number)

    def name(self, key: str) -> str:
        # GCP names a secret by its project's number whatever the request named it by: a create
        # of projects/PROJECT_ID/secrets/csrf-token answers "Secret [projects/435468002770/
        # secrets/csrf-token] already exists." (google/exposure-notifications-verification-
        # server#456)
        return f"projects/{self.number}/{relative(key)}"

    # -- checks ------------------------------------------------------------------------------
    def in_project(self, principal: str, project: str, permission: str) -> None:
        if project not in (self.project, self.number) or not self.backend.authz.allowed(
            principal, permission, project_resource(self.project), self.project
        ):
            raise permission_denied(permission, f"projects/{project}")

    def require(self, principal: str, project: str, key: str, permission: str) -> None:
        resource = secret_resource(self.project, key)
        if project not in (self.project, self.number) or not self.backend.authz.allowed(
            principal, permission, resource, self.project
        ):
            raise permission_denied(permission, f"projects/{project}/{relative(key)}")

    def get(self, principal: str, project: str, key: str, permission: str) -> dict[str, Any]:
        self.require(principal, project, key, permission)
        with self.lock:
            self.expire()
            secret = self.secrets.get(key)
        if secret is None:
            # "404 Secret [projects/123/secrets/figma-secret-456] not found" (a public
            # troubleshooting guide quoting google.api_core.exceptions.NotFound); by number
            raise not_found(f"Secret [{self.name(key)}] not found.")
        return secret

    def expire(self) -> None:
        """Secrets past their expireTime are gone ("Timestamp in UTC when the Secret is
        scheduled to expire", Secret.expireTime)."""
        now = self.backend.clock.now()
        with self.lock:
            for sid, secret in list(self.secrets.items()):
                when = secret.get("expireTime")
                if when and _time(when, "expire_time") <= now:
                    self.drop(sid)

    def drop(self, sid: str) -> None:
        self.secrets.pop(sid, None)
        self.versions.pop(sid, None)
        self.backend.policies.delete(secret_resource(self.project, sid))

    def version(self, sid: str, vid: str) -> dict[str, Any]:
        """A version by number, or `latest`: "an alias to the most recently created
        SecretVersion" (projects.secrets.versions.access, discovery document), whatever its
        state (google-github-actions/get-secretmanager-secrets#268)."""
        versions = self.versions.get(sid) or []
        if vid == "latest" and versions:
            return versions[-1]
        for v in versions:
            if v["version"]["name"].rsplit("/", 1)[-1] == vid:
                return v
        # "404 Secret [projects/291176869049/secrets/BOT_TOKEN] not found or has no versions"
        # (quoted in public troubleshooting notes of google.api_core.exceptions.NotFound)
        if vid == "latest":
            raise not_found(f"Secret [{self.name(sid)}] not found or has no versions.")
        raise not_found(f"Secret Version [{self.name(sid)}/versions/{vid}] not found.")

    def dump(self) -> dict[str, Any]:
        with self.lock:
            return {"projects": self.projects}

    def load(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.projects = dict(data.get("projects") or {})


def _body(raw: dict[str, Any]) -> dict[str, Any]:
    """A Secret in canonical JSON: clients send proto names or JSON names, enums as numbers
    or names; a field the API does not have is a 400."""
    from google.cloud.secretmanager_v1 import types as sm

    try:
        msg = sm.Secret.from_json(json.dumps(raw), ignore_unknown_fields=False)
    except Exception as exc:  # json_format.ParseError: an unknown field or a wrong type
        raise invalid_argument(f"Invalid JSON payload received. {exc}") from None
    data: dict[str, Any] = json.loads(
        sm.Secret.to_json(
            msg, use_integers_for_enums=False, always_print_fields_with_no_presence=False
        )
    )
    return data


def _replication(rep: dict[str, Any]) -> dict[str, Any]:
    if ("automatic" in rep) == ("userManaged" in rep):
        raise invalid_argument(
            "Secret.replication must set exactly one of automatic or userManaged."
        )
    if "userManaged" in rep:
        replicas = (rep.get("userManaged") or {}).get("replicas") or []
        if not replicas:
            # UserManaged.replicas: "Required. The list of Replicas for this Secret. Cannot be
            # empty." (discovery document); the wording is the emulator's
            raise invalid_argument("Secret.replication.userManaged.replicas must not be empty.")
        for r in replicas:
            if not r.get("location"):
                raise invalid_argument("Replica.location is required.")
    for cme in _keys(rep):
        if not cme.get("kmsKeyName"):
            raise invalid_argument("CustomerManagedEncryption.kmsKeyName is required.")
    return rep


def _keys(rep: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    if "automatic" in rep and (rep["automatic"] or {}).get("customerManagedEncryption"):
        out.append(rep["automatic"]["customerManagedEncryption"])
    for r in (rep.get("userManaged") or {}).get("replicas") or []:
        if r.get("customerManagedEncryption"):
            out.append(r["customerManagedEncryption"])
    return out


def _shape(rep: dict[str, Any]) -> Any:
    """What of a replication cannot change: automatic, or the replicas' locations."""
    if "automatic" in rep:
        return "automatic"
    return [r.get("location") for r in (rep.get("userManaged") or {}).get("replicas") or []]


def _rotation(rotation: dict[str, Any], now: float) -> dict[str, Any]:
    period, nxt = rotation.get("rotationPeriod"), rotation.get("nextRotationTime")
    if period is not None:
        if nxt is None:
            raise invalid_argument(
                "next_rotation_time MUST be set if rotation_period is set."  # Rotation's text
            )
        p = _seconds(period, "rotation.rotation_period")
        if not MIN_PERIOD <= p <= MAX_PERIOD:
            raise invalid_argument(
                "Rotation period must be at least 3600s (1h) and at most 3153600000s (100 years)."
            )
    if nxt is not None and _time(nxt, "rotation.next_rotation_time") < now + MIN_AHEAD:
        raise invalid_argument("Next rotation time must be at least 300s (5 min) in the future.")
    return rotation


def _expiry(secret: dict[str, Any], body: dict[str, Any], now: float) -> None:
    if body.get("ttl") is not None:
        secret["expireTime"] = _stamp(now + _seconds(body["ttl"], "ttl"))
    elif body.get("expireTime"):
        _time(body["expireTime"], "expire_time")
        secret["expireTime"] = body["expireTime"]
    else:
        secret.pop("expireTime", None)


def _status(rep: dict[str, Any]) -> dict[str, Any]:
    """A version's replicationStatus: where its data is kept."""
    if "automatic" in rep:
        return {"automatic": {}}
    replicas = (rep.get("userManaged") or {}).get("replicas") or []
    return {"userManaged": {"replicas": [{"location": r["location"]} for r in replicas]}}


# A regional secret's data stays in its location: Terraform's google_secret_manager_
# regional_secret has no replication (its arguments: location, secret_id, labels, annotations,
# customer_managed_encryption, topics, rotation, expire_time/ttl, version_aliases,
# version_destroy_ttl; magic-modules mmv1/products/secretmanagerregional/RegionalSecret.yaml),
# and Secret.customerManagedEncryption is "The customer-managed encryption configuration of the
# regionalized secrets" (secretmanager v1 discovery document). The wording is ours.
_REGIONAL_REPLICATION = "A regional secret does not take a replication policy."


def _check_regional_key(location: str, cme: dict[str, Any]) -> None:
    key = str(cme.get("kmsKeyName") or "")
    if not key:
        raise invalid_argument("CustomerManagedEncryption.kmsKeyName is required.")
    # "The location of the CMEK key must be the same as the location of the regional secret."
    # (Secret Manager docs, regional-secrets/create-secret-cmek-encryption, Limitations);
    # the wording is ours
    if f"/locations/{location}/" not in key:
        raise invalid_argument(
            f"The Cloud KMS key {key} must be in the secret's location {location}."
        )


def _regional(location: str, body: dict[str, Any]) -> dict[str, Any]:
    if body.get("replication"):
        raise invalid_argument(_REGIONAL_REPLICATION)
    out: dict[str, Any] = {}
    if body.get("customerManagedEncryption"):
        _check_regional_key(location, body["customerManagedEncryption"])
        out["customerManagedEncryption"] = body["customerManagedEncryption"]
    return out


def _check_topics(topics: list[dict[str, Any]]) -> None:
    if len(topics) > MAX_TOPICS:
        raise invalid_argument("A secret can have at most 10 topics.")  # wording ours
    for t in topics:
        if not re.fullmatch(r"projects/[^/]+/topics/[^/]+", str(t.get("name") or "")):
            raise invalid_argument(f"Invalid topic name: {t.get('name')!r}.")  # wording ours


def routes(backend: Backend) -> list[Route]:
    model: SecretsModel = backend.models["secretmanager"]

    def create(req: Request) -> Response:
        assert req.principal
        p = req.params
        model.in_project(req.principal, p["project"], "secretmanager.secrets.create")
        # the JSON clients send secretId; the gRPC request's secret_id travels as secretId too
        sid = req.arg("secretId") or req.arg("secret_id") or ""
        if not _SECRET_ID.match(sid):
            # the wording is the emulator's; the rule is the discovery document's secretId
            raise invalid_argument(
                "Secret ID must be at most 255 characters of letters, numerals, '-' and '_'."
            )
        body = _body(req.json())
        location = p.get("location")
        key = f"{location}/{sid}" if location else sid
        now = backend.clock.now()
        secret: dict[str, Any] = {"name": model.name(key), "createTime": _stamp(now)}
        if location:
            secret.update(_regional(location, body))
        else:
            if not body.get("replication"):
                raise invalid_argument("Secret.replication is required.")  # Required (discovery)
            secret["replication"] = _replication(body["replication"])
        if body.get("ttl") is not None and body.get("expireTime"):
            raise invalid_argument("Only one of ttl or expire_time can be provided.")
        for field in ("labels", "annotations", "versionAliases"):
            if body.get(field):
                secret[field] = body[field]
        if body.get("topics"):
            _check_topics(body["topics"])
            secret["topics"] = body["topics"]
        if body.get("rotation"):
            if not body.get("topics"):
                # "Secret.topics must be set to configure rotation" (Rotation)
                raise invalid_argument("Secret.topics must be set to configure rotation.")
            secret["rotation"] = _rotation(body["rotation"], now)
        _expiry(secret, body, now)
        with model.lock:
            model.expire()
            if key in model.secrets:
                # "Error 409: Secret [projects/435468002770/secrets/csrf-token] already exists."
                # (google/exposure-notifications-verification-server#456)
                raise already_exists(f"Secret [{model.name(key)}] already exists.")
            secret["etag"] = _etag(secret)
            model.secrets[key] = secret
            model.versions[key] = []
        return Response(body=secret)

    def get(req: Request) -> Response:
        assert req.principal
        p = req.params
        return Response(
            body=model.get(req.principal, p["project"], key_of(p), "secretmanager.secrets.get")
        )

    def list_(req: Request) -> Response:
        assert req.principal
        model.in_project(req.principal, req.params["project"], "secretmanager.secrets.list")
        location = req.params.get("location")  # a regional list holds that location's alone
        with model.lock:
            model.expire()
            # "The list of Secrets sorted in reverse by create_time (newest first)"
            # (ListSecretsResponse.secrets)
            items = sorted(
                (s for k, s in model.secrets.items() if location_of(k) == location),
                key=lambda s: (s["createTime"], s["name"]),
                reverse=True,
            )
        # "If the number is greater than 25000, it is capped at 25000" (pageSize)
        size = min(int(req.arg("pageSize") or 0) or 25000, 25000)
        start = int(req.arg("pageToken") or 0)
        page = items[start : start + size]
        out: dict[str, Any] = {"secrets": page} if page else {}
        if start + size < len(items):
            out["nextPageToken"] = str(start + size)
        out["totalSize"] = len(items)
        return Response(body=out)

    def patch(req: Request) -> Response:
        assert req.principal
        p = req.params
        sid = key_of(p)
        body = _body(req.json())
        # updateMask: "Required. Specifies the fields to be updated." (projects.secrets.patch)
        mask = [m for m in (req.arg("updateMask") or "").split(",") if m]
        if not mask:
            raise invalid_argument("update_mask is required.")  # wording ours
        for f in mask:
            if f not in MUTABLE:
                raise invalid_argument(f"Invalid update_mask path: {f}.")  # wording ours
        with model.lock:
            secret = model.get(req.principal, p["project"], sid, "secretmanager.secrets.update")
            if body.get("etag") and body["etag"] != secret["etag"]:
                # an etag that is not current's: ABORTED, as AIP-154 asks of every API
                # (aip-dev/google.aip.dev#705); the wording is the emulator's
                raise aborted(f"The etag {body['etag']} does not match the current etag.")
            updated = dict(secret)
            now = backend.clock.now()
            for f in {MUTABLE[f] for f in mask}:
                if f == "customerManagedEncryption":
                    cme = body.get("customerManagedEncryption")
                    if cme and location_of(sid):
                        _check_regional_key(location_of(sid) or "", cme)
                        updated[f] = cme
                    else:
                        updated.pop(f, None)
                elif f == "replication":
                    if location_of(sid):
                        raise invalid_argument(_REGIONAL_REPLICATION)
                    rep = _replication(body.get("replication") or {})
                    if _shape(rep) != _shape(secret["replication"]):
                        # "The replication policy cannot be changed after the Secret has been
                        # created" (Secret.replication); only its encryption keys may change
                        raise invalid_argument(
                            "The replication policy of a secret cannot be changed."
                        )
                    updated["replication"] = rep
                elif f in ("expireTime", "ttl"):
                    _expiry(updated, body, now)
                elif f == "rotation":
                    if body.get("rotation"):
                        if not (body.get("topics") if "topics" in mask else updated.get("topics")):
                            raise invalid_argument(
                                "Secret.topics must be set to configure rotation."
                            )
                        updated["rotation"] = _rotation(body["rotation"], now)
                    else:
                        updated.pop("rotation", None)
                elif f == "topics":
                    _check_topics(body.get("topics") or [])
                    if body.get("topics"):
                        updated["topics"] = body["topics"]
                    else:
                        updated.pop("topics", None)
                elif body.get(f):
                    updated[f] = body[f]
                else:
                    updated.pop(f, None)
            updated.pop("etag", None)
            updated["etag"] = _etag(updated)
            model.secrets[sid] = updated
        return Response(body=updated)

    def delete(req: Request) -> Response:
        assert req.principal
        p = req.params
        with model.lock:
            secret = model.get(
                req.principal, p["project"], key_of(p), "secretmanager.secrets.delete"
            )
            # etag: "The request succeeds if it matches the etag of the currently stored secret
            # object. If the etag is omitted, the request succeeds." (projects.secrets.delete)
            etag = req.arg("etag")
            if etag and etag != secret["etag"]:
                raise aborted(f"The etag {etag} does not match the current etag.")
            model.drop(key_of(p))
        return Response(body={})

    # -- versions, for users' own code in tests ---------------------------------------------
    def add_version(req: Request) -> Response:
        assert req.principal
        p = req.params
        sid = key_of(p)
        payload = req.json().get("payload") or {}
        try:
            data = base64.b64decode(str(payload.get("data") or ""), validate=True)
        except ValueError:
            raise invalid_argument("Invalid value at 'payload.data' (TYPE_BYTES).") from None
        if len(data) > MAX_PAYLOAD:
            raise invalid_argument("Secret payload data must be no larger than 64KiB.")
        if payload.get("dataCrc32c") is not None and int(payload["dataCrc32c"]) != _crc32c(data):
            # SecretPayload.dataCrc32c: "SecretManagerService will verify the integrity of the
            # received data"; the wording is the emulator's
            raise invalid_argument("Checksum mismatch: data_crc32c does not match the data.")
        with model.lock:
            model.get(req.principal, p["project"], sid, "secretmanager.versions.add")
            versions = model.versions.setdefault(sid, [])
            number = len(versions) + 1  # "IDs in a Secret start at 1 and are incremented"
            v: dict[str, Any] = {
                "name": f"{model.name(sid)}/versions/{number}",
                "createTime": _stamp(backend.clock.now()),
                "state": "ENABLED",
                "clientSpecifiedPayloadChecksum": payload.get("dataCrc32c") is not None,
            }
            if "replication" in model.secrets[sid]:  # a regional secret has none to report
                v["replicationStatus"] = _status(model.secrets[sid]["replication"])
            v["etag"] = _etag(v)
            versions.append({"version": v, "data": base64.b64encode(data).decode()})
        return Response(body=v)

    def _version(req: Request, permission: str) -> dict[str, Any]:
        assert req.principal
        p = req.params
        model.get(req.principal, p["project"], key_of(p), permission)
        return model.version(key_of(p), p["version"])

    def get_version(req: Request) -> Response:
        with model.lock:
            return Response(body=_version(req, "secretmanager.versions.get")["version"])

    def list_versions(req: Request) -> Response:
        assert req.principal
        p = req.params
        with model.lock:
            model.get(req.principal, p["project"], key_of(p), "secretmanager.versions.list")
            # newest first, as the secrets list ("sorted in reverse by create_time")
            items = [v["version"] for v in reversed(model.versions.get(key_of(p)) or [])]
        size = min(int(req.arg("pageSize") or 0) or 25000, 25000)
        start = int(req.arg("pageToken") or 0)
        page = items[start : start + size]
        out: dict[str, Any] = {"versions": page} if page else {}
        if start + size < len(items):
            out["nextPageToken"] = str(start + size)
        out["totalSize"] = len(items)
        return Response(body=out)

    def access(req: Request) -> Response:
        with model.lock:
            v = _version(req, "secretmanager.versions.access")
            state = v["version"]["state"]
            if state != "ENABLED":
                # 400 FAILED_PRECONDITION "Secret Version [.../versions/4] is in DESTROYED
                # state." (google-github-actions/get-secretmanager-secrets#268; DISABLED in
                # external-secrets/external-secrets#4042)
                raise failed_precondition(
                    f"Secret Version [{v['version']['name']}] is in {state} state."
                )
            data = base64.b64decode(v["data"])
            return Response(
                body={
                    "name": v["version"]["name"],
                    "payload": {"data": v["data"], "dataCrc32c": str(_crc32c(data))},
                }
            )

    def transition(target: str, permission: str) -> Any:
        def run(req: Request) -> Response:
            with model.lock:
                v = _version(req, permission)
                version = v["version"]
                etag = req.json().get("etag")
                if etag and etag != version["etag"]:
                    raise aborted(f"The etag {etag} does not match the current etag.")
                if version["state"] == "DESTROYED":
                    # DESTROYED: "A version may not leave this state once entered" (State enum)
                    raise failed_precondition(
                        f"Secret Version [{version['name']}] is in DESTROYED state."
                    )
                version["state"] = target
                if target == "DESTROYED":
                    version["destroyTime"] = _stamp(backend.clock.now())
                    v["data"] = ""  # "the secret data is no longer stored" (State DESTROYED)
                version.pop("etag", None)
                version["etag"] = _etag(version)
                return Response(body=version)

        return run

    # -- IAM -------------------------------------------------------------------------------
    def get_policy(req: Request) -> Response:
        assert req.principal
        p = req.params
        model.get(req.principal, p["project"], key_of(p), "secretmanager.secrets.getIamPolicy")
        resource = secret_resource(model.project, key_of(p))
        return Response(body=backend.policies.get(resource).to_json())

    def set_policy(req: Request) -> Response:
        assert req.principal
        p = req.params
        model.get(req.principal, p["project"], key_of(p), "secretmanager.secrets.setIamPolicy")
        policy = req.json().get("policy") or {}
        backend.models["iam"].check_members(policy)
        resource = secret_resource(model.project, key_of(p))
        stored = backend.policies.set(resource, policy, decode_etag(policy.get("etag")))
        return Response(body=stored.to_json())

    def test_permissions(req: Request) -> Response:
        assert req.principal
        p = req.params
        if p["project"] not in (model.project, model.number):
            raise not_found(f"Secret [projects/{p['project']}/{relative(key_of(p))}] not found.")
        with model.lock:
            model.expire()
            if key_of(p) not in model.secrets:
                raise not_found(f"Secret [{model.name(key_of(p))}] not found.")
        resource = secret_resource(model.project, key_of(p))
        asked = [str(x) for x in req.json().get("permissions") or []]
        held = [
            x for x in asked if backend.authz.allowed(req.principal, x, resource, model.project)
        ]
        return Response(body={"permissions": held} if held else {})

    r = "secretmanager.projects.secrets."
    v = r + "versions."
    # Each method's first binding is the global secrets', its second (locations/*/secrets) a
    # regional secret's: both served (bindings=None), told apart by the `location` variable.
    table = [
        Serve("CreateSecret", create, r + "create", bindings=None),
        Serve("ListSecrets", list_, r + "list", bindings=None),
        Serve("GetSecret", get, r + "get", bindings=None),
        Serve("UpdateSecret", patch, r + "patch", bindings=None),
        Serve("DeleteSecret", delete, r + "delete", bindings=None),
        Serve("AddSecretVersion", add_version, r + "addVersion", bindings=None),
        Serve("GetIamPolicy", get_policy, r + "getIamPolicy", bindings=None),
        Serve("SetIamPolicy", set_policy, r + "setIamPolicy", bindings=None),
        Serve(
            "TestIamPermissions",
            test_permissions,
            r + "testIamPermissions",
            mutating=False,
            bindings=None,
        ),
        Serve("ListSecretVersions", list_versions, v + "list", bindings=None),
        Serve("GetSecretVersion", get_version, v + "get", bindings=None),
        Serve("AccessSecretVersion", access, v + "access", bindings=None),
        *(
            Serve(
                f"{verb.title()}SecretVersion",
                transition(target, f"secretmanager.versions.{verb}"),
                v + verb,
                bindings=None,
            )
            for verb, target in (
                ("disable", "DISABLED"),
                ("enable", "ENABLED"),
                ("destroy", "DESTROYED"),
            )
        ),
    ]
    return routes_for(_methods(), table)


def _methods() -> dict[str, Method]:
    return gapic(
        "google.cloud.secretmanager_v1.services.secret_manager_service.transports.rest:"
        "SecretManagerServiceRestTransport"
    )


_GRPC = grpc_for(
    "google.cloud.secretmanager.v1.SecretManagerService",
    _methods(),
    (
        "CreateSecret",
        "ListSecrets",
        "GetSecret",
        "UpdateSecret",
        "DeleteSecret",
        "AddSecretVersion",
        "GetSecretVersion",
        "ListSecretVersions",
        "AccessSecretVersion",
        "DisableSecretVersion",
        "EnableSecretVersion",
        "DestroySecretVersion",
        "GetIamPolicy",
        "SetIamPolicy",
        "TestIamPermissions",
    ),
)


SERVICE = ServiceSpec(
    "secretmanager",
    SecretsModel,
    routes,
    transcoded=_GRPC,
    api="secretmanager.googleapis.com",
    needs=("iam",),  # a policy's members are checked against IAM's accounts,
    # gcloud https://secretmanager.googleapis.com/ (`gcloud config get
    # api_endpoint_overrides/secretmanager`, SDK 528); Terraform SecretManagerBasePathKey
    # "https://secretmanager.googleapis.com/v1/" (google/transport/config.go)
    endpoint=ClientEndpoint(
        "secretmanager", "secretmanager", "/", (("secret_manager_custom_endpoint", "/v1/"),)
    ),
)
