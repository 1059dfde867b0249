"""secret for `import --generate`: the project's Secret Manager secrets (never a version: no
value is read), each written back as its `secrets:` entry."""

from __future__ import annotations

from typing import Any

from gkeplan.kinds.driver import CallContext
from gkeplan.kinds.generating import (
    Found,
    Global,
    LeftOut,
    Listing,
    Written,
    expressed,
    keyed,
)
from gkeplan.kinds.secret import SECRET_MANAGER_API, Secret, utc
from gkeplan.kinds.secret.driver import list_secrets, secret_attributes


class SecretGenerator(Global):  # secrets are global; replicas name their own locations
    kind = "secret"
    reads: tuple[str, ...] = ()
    holds: tuple[str, ...] = ()
    apis: tuple[str, ...] = (SECRET_MANAGER_API,)

    def list(self, ctx: CallContext, listing: Listing) -> list[Found]:
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
        value = expressed(
            self.kind,
            found.id,
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
        if isinstance(value, LeftOut):
            return value
        # secret ids are unique in a project: the key is the id
        sid = str(a["secretId"])
        return keyed(listing, found, "secrets", value, sid, sid)


GENERATOR = SecretGenerator()
