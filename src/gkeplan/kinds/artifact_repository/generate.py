"""artifactRepository for `import --generate`: the project's repositories in every location
Artifact Registry offers it (repositories are listed per location)."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from gkeplan.gcp.retry import call
from gkeplan.kinds import generating as gen
from gkeplan.kinds.artifact_repository import (
    ARTIFACT_REGISTRY_API,
    MULTI_REGIONS,
    ArtifactRepository,
)
from gkeplan.kinds.driver import CallContext

DRIVER = "gkeplan.kinds.artifact_repository.driver:ArtifactRepositoryDriver"
LIST_WORKERS = 8  # locations listed at once, within the HTTP pool (10 connections)


class ArtifactRepositoryGenerator:
    kind = "artifactRepository"
    reads: tuple[str, ...] = ()
    holds: tuple[str, ...] = ()
    apis: tuple[str, ...] = (ARTIFACT_REGISTRY_API,)

    def list(self, ctx: CallContext, listing: gen.Listing) -> list[gen.Found]:
        client = ctx.conn.artifact_registry()
        # projects.locations.list: "If `name` follows the format `projects/{project}`, the
        # method lists locations visible to that specific project" (artifactregistry v1
        # discovery document)
        answer = call(
            ctx.conn.timeouts,
            lambda: client.list_locations(request={"name": f"projects/{ctx.project}"}),
        )
        ctx.count()
        parents = [
            f"projects/{ctx.project}/locations/{loc.location_id}/repositories/-"
            for loc in answer.locations
        ]

        def one(parent: str) -> list[gen.Found]:
            return gen.list_with(DRIVER, ctx, [parent], self.kind)

        with ThreadPoolExecutor(max_workers=max(1, min(LIST_WORKERS, len(parents)))) as pool:
            return sorted(
                (f for found in pool.map(one, parents) for f in found), key=lambda f: f.id
            )

    def region(self, found: gen.Found) -> str | None:
        location = str(found.attributes["location"])
        return None if location in MULTI_REGIONS else location

    def write(self, found: gen.Found, listing: gen.Listing) -> gen.Written:
        a = found.attributes
        docker = a.get("dockerConfig") or {}
        rid = a["repositoryId"]
        return gen.entry(
            listing,
            found,
            ArtifactRepository,
            {
                "location": listing.region_of_spec(a["location"]),
                "format": a["format"],
                "mode": a["mode"],
                "description": a["description"] or None,
                "labels": a["labels"],
                "dockerConfig": {"immutableTags": True} if docker.get("immutableTags") else None,
                "cleanupPolicyDryRun": a["cleanupPolicyDryRun"],
                "kmsKeyName": a["kmsKeyName"] or None,
                "remoteRepositoryConfig": _remote(a),
                # upstreams by full name: the spec links those it holds (kind's _link)
                "virtualRepositoryConfig": a.get("virtualRepositoryConfig"),
            },
            "artifactRepositories",
            rid,
            f"{rid}-{a['location']}",
            named=True,
        )


def _remote(a: Mapping[str, Any]) -> dict[str, Any] | None:
    """The remote settings with their credentials, which the driver reads apart (they alone
    are updated in place)."""
    remote = a.get("remoteRepositoryConfig")
    if remote is None:
        return None
    creds = a.get("upstreamCredentials")
    return {**remote, "upstreamCredentials": creds} if creds else dict(remote)


GENERATOR = ArtifactRepositoryGenerator()
