"""google_secret_manager_secret and google_secret_manager_regional_secret as gkeplan secrets.

Arguments are those of magic-modules mmv1/products/secretmanager/Secret.yaml and
mmv1/products/secretmanagerregional/RegionalSecret.yaml: a regional secret has `location` and
its own `customer_managed_encryption`, and no `replication`. What is not read here (version
aliases, a version destroy TTL, tags, deletion_protection) is reported as left out.
"""

from __future__ import annotations

from typing import Any

from gkeplan.convert import api


def _key_name(block: api.TfResource | None) -> str | None:
    cme = block.block("customer_managed_encryption") if block else None
    return cme.text("kms_key_name") if cme else None


def _replication(res: api.TfResource) -> tuple[Any, str | None]:
    """The spec's replication and its top-level kmsKeyName (automatic's key)."""
    rep = res.block("replication")
    if rep is None:
        return None, None
    auto = rep.block("auto")
    if auto is not None:
        return None, _key_name(auto)
    managed = rep.block("user_managed")
    replicas = managed.blocks("replicas") if managed else []
    return {
        "userManaged": [
            api.compact({"location": r.text("location"), "kmsKeyName": _key_name(r)})
            for r in replicas
        ]
    }, None


def _common(res: api.TfResource) -> dict[str, Any]:
    rotation = res.block("rotation")
    return {
        "labels": res.labels("labels"),
        "annotations": res.labels("annotations"),
        "topics": [t.text("name") for t in res.blocks("topics")] or None,
        "rotation": api.compact(
            {
                "period": rotation.text("rotation_period"),
                "nextRotationTime": rotation.text("next_rotation_time"),
            }
        )
        if rotation
        else None,
        "ttl": res.text("ttl"),
        "expireTime": res.text("expire_time"),
    }


def _secret_id(res: api.TfResource, key: str) -> str | None:
    sid = res.text("secret_id")
    return sid if sid != key else None


def _translate(res: api.TfResource, out: api.Output) -> None:
    key = _KEY(res, out)
    api.same_project(res)
    replication, kms = _replication(res)
    body = {"secretId": _secret_id(res, key), "replication": replication, "kmsKeyName": kms}
    out.put("secrets", key, api.compact({**body, **_common(res)}), res)


def _translate_regional(res: api.TfResource, out: api.Output) -> None:
    key = _KEY(res, out)
    api.same_project(res)
    body = {
        "secretId": _secret_id(res, key),
        "location": res.text("location"),
        "kmsKeyName": _key_name(res),
    }
    out.put("secrets", key, api.compact({**body, **_common(res)}), res)


TYPE = "google_secret_manager_secret"
REGIONAL_TYPE = "google_secret_manager_regional_secret"
_KEY = api.keyed("secret_id")

MAPPINGS = (
    api.Mapping(
        TYPE, "secret", _translate, _KEY, api.state_id("projects/{project}/secrets/{secret_id}")
    ),
    api.Mapping(
        REGIONAL_TYPE,
        "secret",
        _translate_regional,
        _KEY,
        # self_link: projects/{{project}}/locations/{{location}}/secrets/{{secret_id}}
        # (RegionalSecret.yaml)
        api.state_id("projects/{project}/locations/{location}/secrets/{secret_id}"),
    ),
)
