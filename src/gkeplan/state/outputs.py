"""What a user needs after apply, read from the state: cluster endpoint and CA, the
get-credentials line, bucket URLs and account emails. Named `<address>.<output>`."""

from __future__ import annotations

import shlex
from typing import Any

from gkeplan.state.model import StateDoc


def outputs(doc: StateDoc) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for address, rec in sorted(doc.resources.items()):
        if rec.status != "ok":
            continue  # a half-made change has no outputs worth pasting anywhere
        attrs = rec.attributes
        if rec.kind == "cluster":
            # id: projects/P/locations/L/clusters/N (container v1 resource name)
            _, project, _, location, _, name = rec.id.split("/")[:6]
            if attrs.get("endpoint"):
                out[f"{address}.endpoint"] = attrs["endpoint"]
            if attrs.get("clusterCaCertificate"):
                out[f"{address}.ca_certificate"] = attrs["clusterCaCertificate"]
            # cloud.google.com/sdk/gcloud/reference/container/clusters/get-credentials:
            # `get-credentials NAME [--location=LOCATION]` with the project a gcloud-wide flag.
            out[f"{address}.get_credentials"] = shlex.join(
                [
                    "gcloud",
                    "container",
                    "clusters",
                    "get-credentials",
                    name,
                    f"--location={location}",
                    f"--project={project}",
                ]
            )
        elif rec.kind == "bucket":
            out[f"{address}.url"] = f"gs://{rec.id}"
        elif rec.kind == "serviceAccount":
            out[f"{address}.email"] = rec.id.rsplit("/", 1)[-1]
    return out
