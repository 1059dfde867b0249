"""secret for `import --generate`: the project's Secret Manager secrets (never a version: no
value is read), each written back as its `secrets:` entry.

Regional secrets are listed per location (projects.locations.secrets.list, at each location's
endpoint), and Secret Manager's locations list names every location it serves, not the ones a
project uses: listing each would cost a call per Google region. The locations listed are the
ones the project uses: the spec's region (--region) and the regions of the project's
subnetworks (where its clusters and their workloads run). A regional secret elsewhere is not
found; `gkeplan import` takes one over by its name."""

from __future__ import annotations

from typing import Any

from gkeplan.kinds import generating as gen
from gkeplan.kinds.driver import CallContext
from gkeplan.kinds.secret import REGIONAL, SECRET_MANAGER_API, Secret, location_of, utc
from gkeplan.kinds.secret.driver import list_secrets, secret_attributes


def _found(ctx: CallContext, parent: str) -> list[gen.Found]:
    found = []
    for secret in list_secrets(ctx, parent):
        attributes = secret_attributes(secret)
        extra: dict[str, Any] = {}
        if "rotation" in secret and "next_rotation_time" in secret.rotation:
            # create-only in the spec (GCP moves it on): written down as it is now
            extra["nextRotationTime"] = utc(secret.rotation.next_rotation_time)
        rid = f"{parent}/secrets/{attributes['secretId']}"
        found.append(gen.Found("secret", rid, attributes, extra=extra))
    return found


class SecretGenerator:  # a regional secret is in its location; a global one in none
    kind = "secret"
    reads: tuple[str, ...] = ("subnetwork",)
    holds: tuple[str, ...] = ()
    apis: tuple[str, ...] = (SECRET_MANAGER_API,)

    def region(self, found: gen.Found) -> str | None:
        return location_of(found.id)

    def list(self, ctx: CallContext, listing: gen.Listing) -> list[gen.Found]:
        project = f"projects/{ctx.project}"
        regions = {listing.region} | {
            str(f.attributes["region"]) for f in listing.found.get("subnetwork", [])
        }
        parents = [project, *(f"{project}/locations/{r}" for r in sorted(regions - {""}))]
        # global secrets first: a global id keeps its plain key
        listed = (f for parent in parents for f in _found(ctx, parent))
        return sorted(listed, key=lambda f: (location_of(f.id) is not None, f.id))

    def write(self, found: gen.Found, listing: gen.Listing) -> gen.Written:
        a = found.attributes
        keys: dict[str, str] = a["kmsKeyNames"]
        replication: Any = "automatic"
        location = location_of(found.id)
        if location is None and a["replication"] != "automatic":
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
        where = {"location": location} if location else {"replication": replication}
        value = gen.expressed(
            self.kind,
            found.id,
            Secret,
            {
                **where,
                "kmsKeyName": keys.get(REGIONAL if location else "automatic"),
                "labels": a["labels"],
                "annotations": a["annotations"],
                "topics": a["topics"],
                "rotation": rotation,
                "expireTime": a["expireTime"] or None,
            },
        )
        if isinstance(value, gen.LeftOut):
            return value
        # secret ids are unique per parent: the key is the id, with the location after it when
        # a global secret (or another location's) holds the id already
        sid = str(a["secretId"])
        entry = gen.keyed(listing, found, "secrets", value, sid, f"{sid}-{location or 'global'}")
        if entry.key != sid:
            entry.value = {"secretId": sid, **entry.value}
        return entry


GENERATOR = SecretGenerator()
