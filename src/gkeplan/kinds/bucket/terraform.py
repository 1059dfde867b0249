"""google_storage_bucket as a gkeplan bucket, with the Google provider's defaults written out
where gkeplan's own differ."""

from __future__ import annotations

from typing import Any

from gkeplan.convert import api

# hashicorp/terraform-provider-google v4.74.0, google/services/storage/resource_storage_bucket.go:
# expandIamConfiguration sends uniform_bucket_level_access as d.Get(...) with ForceSendFields,
# so a bucket that does not set it is made with uniform bucket-level access off; and it sends
# public_access_prevention only when set (`if v, ok := d.GetOk("public_access_prevention")`), so
# GCS's own default applies: "inherited" (the bucket follows the project's and organisation's
# policy, https://cloud.google.com/storage/docs/public-access-prevention). An organisation
# policy that enforces it makes GCS report "enforced" instead: the plan then shows that one
# field, which the report says.
PROVIDER_UBLA_DEFAULT = False
GCS_PAP_DEFAULT = "inherited"
# v3.5.0, google/resource_storage_bucket.go: `"location": {Default: "US", Optional: true}`;
# from 4.0 location is Required.
PROVIDER_3_LOCATION = "US"


def _translate(res: api.TfResource, out: api.Output) -> None:
    key = _KEY(res, out)
    api.same_project(res)
    body: dict[str, Any] = {"name": api.name_field(res, key)}
    location = res.text("location")
    if location is None and (out.provider_major() or 99) < 4:
        location = PROVIDER_3_LOCATION
    body["location"] = location
    body["storageClass"] = res.text("storage_class")
    ubla = res.flag("uniform_bucket_level_access")
    if res.has("bucket_policy_only"):  # its name before provider 4.0
        ubla = res.flag("bucket_policy_only") if ubla is None else ubla
    body["uniformBucketLevelAccess"] = PROVIDER_UBLA_DEFAULT if ubla is None else ubla
    body["publicAccessPrevention"] = res.text("public_access_prevention") or GCS_PAP_DEFAULT
    versioning = res.block("versioning")
    if versioning is not None:
        body["versioning"] = versioning.flag("enabled", False)
    rules = []
    for rule in res.blocks("lifecycle_rule"):
        action, condition = rule.block("action"), rule.block("condition")
        rules.append(
            {
                "action": api.compact(
                    {
                        "type": action.text("type") if action else None,
                        "storageClass": action.text("storage_class") if action else None,
                    }
                ),
                "condition": _condition(condition) if condition else {},
            }
        )
    if rules:
        body["lifecycleRules"] = rules
    body["labels"] = res.labels("labels")
    logging = res.block("logging")
    if logging is not None:
        body["logging"] = api.compact(
            {
                "logBucket": logging.text("log_bucket"),
                "logObjectPrefix": logging.text("log_object_prefix"),
            }
        )
    body["forceDestroy"] = res.flag("force_destroy")
    out.put("buckets", key, api.compact(body), res)


def _condition(c: api.TfResource) -> dict[str, Any]:
    live = c.text("with_state")
    return api.compact(
        {
            "age": c.number("age"),
            "createdBefore": c.text("created_before"),
            "numNewerVersions": c.number("num_newer_versions"),
            "isLive": {"LIVE": True, "ARCHIVED": False}.get(live or ""),
            "matchesStorageClass": c.strings("matches_storage_class"),
            "matchesPrefix": c.strings("matches_prefix"),
            "matchesSuffix": c.strings("matches_suffix"),
            "daysSinceNoncurrentTime": c.number("days_since_noncurrent_time"),
        }
    )


_KEY = api.keyed("name")
_ID = "{name}"

MAPPINGS = (
    api.Mapping("google_storage_bucket", "bucket", _translate, _KEY, api.state_id(_ID), order=10),
)
