"""Cloud Storage buckets through google-cloud-storage."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable
from typing import Any

from google.api_core import exceptions as gexc

from gkeplan.errors import CloudError, ResourceExists
from gkeplan.gcp.retry import call
from gkeplan.kinds.driver import Attributes, CallContext, Wanted
from gkeplan.kinds.exists import exists_unless_not_found
from gkeplan.plan.model import Change


class BucketNotEmpty(CloudError):
    pass


def _lifecycle(bucket: Any) -> list[dict[str, Any]]:
    rules = []
    for rule in bucket.lifecycle_rules:
        action = {"type": rule["action"]["type"]}
        if rule["action"].get("storageClass"):
            action["storageClass"] = rule["action"]["storageClass"]
        rules.append({"action": action, "condition": dict(rule["condition"])})
    return rules


def bucket_attributes(bucket: Any) -> Attributes:
    logging = bucket.get_logging()
    return {
        "name": bucket.name,
        "location": (bucket.location or "").upper(),
        "storageClass": bucket.storage_class,
        "uniformBucketLevelAccess": bool(
            bucket.iam_configuration.uniform_bucket_level_access_enabled
        ),
        "publicAccessPrevention": bucket.iam_configuration.public_access_prevention,
        "versioning": bool(bucket.versioning_enabled),
        "lifecycleRules": _lifecycle(bucket),
        "labels": dict(bucket.labels or {}),
        "logging": (
            {
                "logBucket": logging["logBucket"],
                **(
                    {"logObjectPrefix": logging["logObjectPrefix"]}
                    if logging.get("logObjectPrefix")
                    else {}
                ),
            }
            if logging
            else None
        ),
    }


def _configure(bucket: Any, after: Attributes, fields: set[str] | None) -> None:
    def want(name: str) -> bool:
        return fields is None or name in fields

    if want("storageClass"):
        bucket.storage_class = after["storageClass"]
    if want("uniformBucketLevelAccess"):
        bucket.iam_configuration.uniform_bucket_level_access_enabled = after[
            "uniformBucketLevelAccess"
        ]
    if want("publicAccessPrevention"):
        bucket.iam_configuration.public_access_prevention = after["publicAccessPrevention"]
    if want("versioning"):
        bucket.versioning_enabled = after["versioning"]
    if want("labels"):
        bucket.labels = after["labels"]
    if want("lifecycleRules"):
        bucket.lifecycle_rules = after["lifecycleRules"]
    if want("logging"):
        if after["logging"]:
            bucket.enable_logging(
                after["logging"]["logBucket"], after["logging"].get("logObjectPrefix")
            )
        elif fields is not None:
            bucket.disable_logging()


# Cloud Storage's client retries 429/5xx on its own for up to 120 s (DEFAULT_RETRY); every
# call here says retry=None and goes through gkeplan's `call`, so one retry policy, bounded by
# the change's budget (--retry-timeout), decides.


class BucketDriver:
    kind = "bucket"

    def read_all(self, ctx: CallContext, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
        if not list(wanted):
            return {}
        client = ctx.conn.storage()
        # the list is lazy: its requests happen while the pages are read, so read them inside
        # the retry (a failed page starts the listing again)
        pages = call(
            ctx.conn.timeouts,
            lambda: [list(p) for p in client.list_buckets(project=ctx.project, retry=None).pages],
        )
        ctx.count(len(pages))
        return {b.name: bucket_attributes(b) for page in pages for b in page}

    def create(self, ctx: CallContext, change: Change) -> Attributes:
        after = change.after or {}
        client = ctx.conn.storage()
        bucket = client.bucket(change.id)
        _configure(bucket, after, None)
        try:
            created = call(
                ctx.conn.timeouts,
                lambda: client.create_bucket(
                    bucket, project=ctx.project, location=after["location"], retry=None
                ),
            )
        except gexc.Conflict:
            # Bucket names are global: ours from an earlier attempt, or another project's.
            raise ResourceExists(
                f"bucket name {change.id} is taken (by this project or another: bucket names "
                "are global)",
                change.id,
            ) from None
        return bucket_attributes(created)

    def exists(self, ctx: CallContext, name: str) -> bool:
        """Does bucket `name` exist, in any project? Only a 404 says no. A 403 may be another
        project's bucket ("does not have storage.buckets.get access", GoogleCloudPlatform/
        deploymentmanager-samples#151) or a missing one ("Permission 'storage.buckets.get'
        denied on resource (or it may not exist)", MystenLabs/sui#20213): it is not refused,
        and the grant's own call will say."""
        client = ctx.conn.storage()
        return exists_unless_not_found(ctx, lambda: client.get_bucket(name, retry=None))

    def read(self, ctx: CallContext, change: Change) -> Attributes | None:
        client = ctx.conn.storage()
        try:
            bucket = call(ctx.conn.timeouts, lambda: client.get_bucket(change.id, retry=None))
        except (gexc.NotFound, gexc.Forbidden):  # Forbidden: another project's bucket
            return None
        return bucket_attributes(bucket)

    def update(self, ctx: CallContext, change: Change) -> Attributes:
        client = ctx.conn.storage()
        bucket = call(ctx.conn.timeouts, lambda: client.get_bucket(change.id, retry=None))
        _configure(bucket, change.after or {}, {f.name for f in change.fields})
        call(
            ctx.conn.timeouts,
            lambda: bucket.patch(if_metageneration_match=bucket.metageneration, retry=None),
        )
        return bucket_attributes(bucket)

    def delete(self, ctx: CallContext, change: Change) -> None:
        client = ctx.conn.storage()
        bucket = client.bucket(change.id)
        force = bool(change.inputs.get("forceDestroy"))
        if force:
            for blob in call(
                ctx.conn.timeouts,
                lambda: list(client.list_blobs(change.id, versions=True, retry=None)),
            ):
                with contextlib.suppress(gexc.NotFound):
                    call(ctx.conn.timeouts, functools.partial(blob.delete, retry=None))
        try:
            call(ctx.conn.timeouts, lambda: bucket.delete(retry=None))
        except gexc.NotFound:
            return
        except gexc.Conflict:
            raise BucketNotEmpty(
                f"{change.address}: bucket {change.id} is not empty; empty it, or set "
                "forceDestroy: true to let gkeplan delete its objects"
            ) from None
