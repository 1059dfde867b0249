"""Buckets and objects as JSON API resources, with the API's own field names and encodings:
int64 values as strings, hashes in base64, times in RFC 3339, locations upper-case."""

from __future__ import annotations

import base64
import time
from typing import Any
from urllib.parse import quote

from gkeplan_emulator.services.storage.records import StoredBucket, StoredObject


def rfc3339(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def bucket_etag(bucket: StoredBucket) -> str:
    # GCS's bucket etag is a tiny protobuf of the metageneration: "CAE=" for 1.
    return base64.b64encode(b"\x08" + _varint(bucket.metageneration)).decode()


def object_etag(obj: StoredObject) -> str:
    raw = b"\x08" + _varint(obj.generation) + b"\x10" + _varint(obj.metageneration)
    return base64.b64encode(raw).decode()


def bucket_json(bucket: StoredBucket, base: str) -> dict[str, Any]:
    from gkeplan_emulator.services.storage.bodies import location_type

    s = bucket.settings
    ubla_in = s["iamConfiguration"]["uniformBucketLevelAccess"]
    ubla: dict[str, Any] = {"enabled": ubla_in["enabled"]}
    if ubla_in["enabled"]:
        ubla["lockedTime"] = rfc3339(float(ubla_in["lockedTime"]))
    out: dict[str, Any] = {
        "kind": "storage#bucket",
        "selfLink": f"{base}/storage/v1/b/{bucket.name}",
        "id": bucket.name,
        "name": bucket.name,
        "projectNumber": bucket.project_number,
        "metageneration": str(bucket.metageneration),
        "location": bucket.location,
        "storageClass": s["storageClass"],
        "etag": bucket_etag(bucket),
        "timeCreated": rfc3339(bucket.created),
        "updated": rfc3339(bucket.updated),
        "iamConfiguration": {
            "bucketPolicyOnly": dict(ubla),
            "uniformBucketLevelAccess": ubla,
            "publicAccessPrevention": s["iamConfiguration"]["publicAccessPrevention"],
        },
        "locationType": (
            "dual-region" if "customPlacementConfig" in s else location_type(bucket.location)
        ),
    }
    for key, value in s.items():
        if key not in out and key != "iamConfiguration":
            out[key] = value
    return out


def object_json(bucket: StoredBucket, obj: StoredObject, base: str) -> dict[str, Any]:
    quoted = quote(obj.name, safe="")
    out: dict[str, Any] = {
        "kind": "storage#object",
        "id": f"{bucket.name}/{obj.name}/{obj.generation}",
        "selfLink": f"{base}/storage/v1/b/{bucket.name}/o/{quoted}",
        # The client downloads from mediaLink, so it must lead back to this emulator.
        "mediaLink": (
            f"{base}/download/storage/v1/b/{bucket.name}/o/{quoted}"
            f"?generation={obj.generation}&alt=media"
        ),
        "name": obj.name,
        "bucket": bucket.name,
        "generation": str(obj.generation),
        "metageneration": str(obj.metageneration),
        "storageClass": obj.storage_class,
        "size": str(len(obj.data)),
        "md5Hash": obj.md5,
        "crc32c": obj.crc32c,
        "etag": object_etag(obj),
        "timeCreated": rfc3339(obj.created),
        "updated": rfc3339(obj.updated),
        "timeStorageClassUpdated": rfc3339(obj.created),
        **obj.fields,
    }
    if obj.deleted is not None:
        out["timeDeleted"] = rfc3339(obj.deleted)
    if obj.component_count:
        out["componentCount"] = obj.component_count
    if not obj.md5:  # composite objects have none
        del out["md5Hash"]
    return out


def media_headers(obj: StoredObject) -> dict[str, str]:
    """What GCS sends with object data; the client verifies x-goog-hash on full downloads."""
    return {
        "x-goog-generation": str(obj.generation),
        "x-goog-metageneration": str(obj.metageneration),
        "x-goog-hash": f"crc32c={obj.crc32c}" + (f",md5={obj.md5}" if obj.md5 else ""),
        "x-goog-stored-content-length": str(len(obj.data)),
        "x-goog-stored-content-encoding": str(obj.fields.get("contentEncoding") or "identity"),
        "x-goog-storage-class": obj.storage_class,
        "ETag": object_etag(obj),
        "Accept-Ranges": "bytes",
    }
