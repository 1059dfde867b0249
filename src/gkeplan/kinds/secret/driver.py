"""Secret Manager secrets through google-cloud-secret-manager (REST transport).

Every call is synchronous (no long-running operations). The driver reads and writes the
secret, never a version: no payload is ever requested, so no value can reach the plan, the
state or a log.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc

from gkeplan.errors import ResourceExists
from gkeplan.gcp.retry import call
from gkeplan.kinds.driver import Attributes, CallContext, Wanted
from gkeplan.kinds.secret import REGIONAL, duration, location_of, utc
from gkeplan.plan.model import Change

CLIENT = "google.cloud.secretmanager_v1:SecretManagerServiceClient"

# The spec's attribute -> the Secret field an update mask names (proto field paths).
_MASK = {
    "labels": "labels",
    "annotations": "annotations",
    "topics": "topics",
    "rotationPeriod": "rotation",
    "expireTime": "expire_time",
    "kmsKeyNames": "replication",
}


def _id(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def client(conn: Any, name: str) -> Any:
    """Secret Manager's client for the secret (or parent) `name`: a regional one is served at
    its location's endpoint only: "Regional endpoints use the following format:
    SERVICE_NAME.LOCATION.rep.googleapis.com" (Secret Manager docs, "Create a regional
    secret"; the regional quickstart builds its client with that endpoint)."""
    location = location_of(name)
    if location is None:
        return conn.rest_client(CLIENT)
    return conn.rest_client(CLIENT, google_endpoint=f"secretmanager.{location}.rep.googleapis.com")


def secret_attributes(secret: Any) -> Attributes:
    replication: str | list[str]
    keys: dict[str, str] = {}
    if "replication" not in secret:  # a regional secret: its key is the secret's own
        replication = REGIONAL
        if "customer_managed_encryption" in secret:
            keys[REGIONAL] = str(secret.customer_managed_encryption.kms_key_name)
    elif "user_managed" in secret.replication:
        replicas = list(secret.replication.user_managed.replicas)
        replication = [str(r.location) for r in replicas]
        for r in replicas:
            if "customer_managed_encryption" in r:
                keys[str(r.location)] = str(r.customer_managed_encryption.kms_key_name)
    else:
        replication = "automatic"
        auto = secret.replication.automatic
        if "customer_managed_encryption" in auto:
            keys["automatic"] = str(auto.customer_managed_encryption.kms_key_name)
    period = ""
    if "rotation" in secret and "rotation_period" in secret.rotation:
        period = duration(secret.rotation.rotation_period.total_seconds())
    expire = secret.expire_time if "expire_time" in secret else None
    return {
        "secretId": _id(str(secret.name)),
        "replication": replication,
        "kmsKeyNames": keys,
        "labels": dict(secret.labels),
        "annotations": dict(secret.annotations),
        "topics": [str(t.name) for t in secret.topics],
        "rotationPeriod": period,
        "expireTime": utc(expire) if isinstance(expire, datetime) else "",
    }


def _replication(after: Attributes) -> dict[str, Any]:
    keys: dict[str, str] = after.get("kmsKeyNames") or {}
    if after["replication"] == "automatic":
        auto: dict[str, Any] = {}
        if keys.get("automatic"):
            auto["customer_managed_encryption"] = {"kms_key_name": keys["automatic"]}
        return {"automatic": auto}
    replicas = []
    for location in after["replication"]:
        replica: dict[str, Any] = {"location": location}
        if keys.get(location):
            replica["customer_managed_encryption"] = {"kms_key_name": keys[location]}
        replicas.append(replica)
    return {"user_managed": {"replicas": replicas}}


def _secret(
    name: str, after: Attributes, inputs: Attributes, fields: set[str] | None
) -> dict[str, Any]:
    def want(f: str) -> bool:
        return fields is None or f in fields

    body: dict[str, Any] = {"name": name}
    if want("kmsKeyNames") and after["replication"] == REGIONAL:
        key = (after.get("kmsKeyNames") or {}).get(REGIONAL)
        if key:
            body["customer_managed_encryption"] = {"kms_key_name": key}
    elif want("kmsKeyNames"):
        body["replication"] = _replication(after)
    for f in ("labels", "annotations"):
        if want(f):
            body[f] = dict(after[f])
    if want("topics"):
        body["topics"] = [{"name": t} for t in after["topics"]]
    if want("rotationPeriod") and after.get("rotationPeriod"):
        body["rotation"] = {
            "rotation_period": after["rotationPeriod"],
            "next_rotation_time": inputs.get("nextRotationTime"),
        }
    if fields is None and inputs.get("ttl"):
        body["ttl"] = inputs["ttl"]
    elif want("expireTime") and after.get("expireTime"):
        body["expire_time"] = after["expireTime"]
    return body


def list_secrets(ctx: CallContext, parent: str) -> list[Any]:
    """Every secret of `parent` (projects/P, or projects/P/locations/L: that location's
    regional secrets), as the client returns them. GCP names a secret by its project's number
    (projects/123/secrets/ID); callers key it by `parent` and its id."""
    sm = client(ctx.conn, parent)
    # "If the number is greater than 25000, it is capped at 25000" (projects.secrets.list
    # pageSize, secretmanager v1 discovery document)
    pages = call(
        ctx.conn.timeouts,
        lambda: [
            list(p.secrets)
            for p in sm.list_secrets(request={"parent": parent, "page_size": 25000}).pages
        ],
    )
    ctx.count(max(1, len(pages)))
    return [secret for page in pages for secret in page]


class SecretDriver:
    kind = "secret"

    def _client(self, ctx: CallContext, name: str) -> Any:
        return client(ctx.conn, name)

    def read_all(self, ctx: CallContext, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
        """One list of each parent's secrets: a project's global ones (projects/P/secrets/ID),
        and each location's regional ones (projects/P/locations/L/secrets/ID)."""
        parents = sorted({w.id.rsplit("/secrets/", 1)[0] for w in wanted})
        return {
            f"{parent}/secrets/{_id(str(secret.name))}": secret_attributes(secret)
            for parent in parents
            for secret in list_secrets(ctx, parent)
        }

    def create(self, ctx: CallContext, change: Change) -> Attributes:
        after = change.after or {}
        client = self._client(ctx, change.id)
        request = {
            "parent": change.id.rsplit("/secrets/", 1)[0],
            "secret_id": after["secretId"],
            "secret": _secret(change.id, after, change.inputs, None),
        }
        try:
            secret = call(ctx.conn.timeouts, lambda: client.create_secret(request=request))
        except (gexc.AlreadyExists, gexc.Conflict):
            raise ResourceExists(f"secret {change.id} exists already", change.id) from None
        return secret_attributes(secret)

    def read(self, ctx: CallContext, change: Change) -> Attributes | None:
        client = self._client(ctx, change.id)
        try:
            secret = call(ctx.conn.timeouts, lambda: client.get_secret(name=change.id))
        except gexc.NotFound:
            return None
        return secret_attributes(secret)

    def update(self, ctx: CallContext, change: Change) -> Attributes:
        client = self._client(ctx, change.id)
        fields = {f.name.split(".", 1)[0] for f in change.fields} & set(_MASK)
        mask = dict(_MASK)
        if location_of(change.id):  # a regional secret's key is its own field
            mask["kmsKeyNames"] = "customer_managed_encryption"
        request = {
            "secret": _secret(change.id, change.after or {}, change.inputs, fields),
            "update_mask": {"paths": sorted(mask[f] for f in fields)},
        }
        secret = call(ctx.conn.timeouts, lambda: client.update_secret(request=request))
        return secret_attributes(secret)

    def delete(self, ctx: CallContext, change: Change) -> None:
        client = self._client(ctx, change.id)
        with contextlib.suppress(gexc.NotFound):  # already gone: the goal of a delete
            call(ctx.conn.timeouts, lambda: client.delete_secret(name=change.id))
