"""secret for `import --generate`: the project's Secret Manager secrets (never a version: no
value is read), each written back as its `secrets:` entry."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from gkeplan.kinds.driver import Context
from gkeplan.kinds.generating import (
    Entry,
    Found,
    Global,
    Listing,
    Written,
    compact,
    inexpressible,
)
from gkeplan.kinds.secret import SECRET_MANAGER_API, Secret, utc
from gkeplan.kinds.secret.driver import list_secrets, secret_attributes


class SecretGenerator(Global):  # secrets are global; replicas name their own locations
    kind = "secret"
    reads: tuple[str, ...] = ()
    holds: tuple[str, ...] = ()
    apis: tuple[str, ...] = (SECRET_MANAGER_API,)

    def list(self, ctx: Context, listing: Listing) -> list[Found]:
        parent = f"projects/{ctx.project}"
        found = []
        for secret in list_secrets(ctx, parent):
            attributes = secret_attributes(secret)
            extra: dict[str, Any] = {}
            if "rotation" in secret and "next_rotation_time" in secret.rotation:
                # create-only in the spec (GCP moves it on): written down as it is now
                extra["nextRotationTime"] = utc(secret.rotation.next_rotation_time)
            rid = f"{parent}/secrets/{attributes['secretId']}"
            found.append(Found(self.kind, rid, attributes, extra=extra))
        return sorted(found, key=lambda f: f.id)

    def write(self, found: Found, listing: Listing) -> Written:
        a = found.attributes
        keys: dict[str, str] = a["kmsKeyNames"]
        replication: Any = "automatic"
        if a["replication"] != "automatic":
            replication = {
                "userManaged": [
                    {"location": loc, **({"kmsKeyName": keys[loc]} if loc in keys else {})}
                    for loc in a["replication"]
                ]
            }
        rotation = None
        if a["rotationPeriod"]:
            rotation = {
                "period": a["rotationPeriod"],
                "nextRotationTime": found.extra.get("nextRotationTime"),
            }
        try:
            value = compact(
                Secret,
                {
                    "replication": replication,
                    "kmsKeyName": keys.get("automatic"),
                    "labels": a["labels"],
                    "annotations": a["annotations"],
                    "topics": a["topics"],
                    "rotation": rotation,
                    "expireTime": a["expireTime"] or None,
                },
            )
        except ValidationError as exc:
            return inexpressible(self.kind, found.id, exc)
        sid = str(a["secretId"])
        key = listing.claim("secrets", sid, sid)
        if key != sid:
            value = {"secretId": sid, **value}
        listing.keys[(self.kind, found.id)] = key
        return Entry("secrets", key, value, found)


GENERATOR = SecretGenerator()
