"""What the spec refers to but does not create must exist before a plan is made.

A grant on a bucket or service account outside the spec (`bucket:gs://NAME`, an outside email)
only adds a member: gkeplan never creates or deletes the resource. Each kind declares such
references (`Kind.external`); the driver of the referenced kind answers `exists` through
Google's client, and a missing one stops the plan with the spec's file:line:col.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from gkeplan.errors import Diagnostic, SpecError
from gkeplan.kinds import KINDS, ExternalRef
from gkeplan.kinds.driver import CallContext, Driver
from gkeplan.spec.base import Document

MAX_WORKERS = 8


def references(spec: Document) -> list[ExternalRef]:
    """Every outside reference of the spec, each (kind, id) once: the first place it is named."""
    seen: dict[tuple[str, str], ExternalRef] = {}
    for kind in KINDS:
        for ref in kind.external(spec):
            seen.setdefault((ref.kind, ref.id), ref)
    return list(seen.values())


def check(spec: Document, ctx: CallContext, drivers: Mapping[str, Driver]) -> None:
    """Raise SpecError naming every outside reference that does not exist."""
    refs = references(spec)
    if not refs:
        return

    def exists(ref: ExternalRef) -> bool:
        answer: bool = getattr(drivers[ref.kind], "exists")(ctx, ref.id)  # noqa: B009
        return answer

    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(refs))) as pool:
        found = list(pool.map(exists, refs))
    missing = [ref for ref, ok in zip(refs, found, strict=True) if not ok]
    if not missing:
        return
    source = spec.source
    raise SpecError(
        [
            Diagnostic(
                f"{ref.what} does not exist in GCP; the spec names it but does not declare it, "
                "so gkeplan never creates it",
                source.value(ref.path) if source else None,
                ref.path,
                "create it first, fix the name, or declare it in the spec to have gkeplan "
                "create it",
                code="external",
            )
            for ref in missing
        ]
    )
