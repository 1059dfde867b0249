"""Checks beyond types: the document's own fields, then each kind's checks (references, GCP's
naming rules, catalog entries), all reported together."""

from __future__ import annotations

from gkeplan import catalog
from gkeplan.errors import Diagnostic
from gkeplan.kinds import KINDS
from gkeplan.spec import names
from gkeplan.spec.base import Document
from gkeplan.spec.checks import REGION, Checker


def check(spec: Document, addresses: set[str]) -> list[Diagnostic]:
    """Every semantic problem of `spec`; `addresses` are the graph addresses of its resources."""
    c = Checker(spec, addresses)
    c.check_name(("project",), names.project_id(spec.project))
    if not REGION.match(spec.region):
        c.error(
            ("region",),
            f"'{spec.region}' is not a region such as us-central1",
            c.hint(spec.region, catalog.regions()),
        )
    for kind in KINDS:
        kind.check(spec, c)
    return c.problems
