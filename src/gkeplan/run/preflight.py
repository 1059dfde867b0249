"""Checks against the project itself before anything changes: the APIs the run calls are
enabled, and the quota the plan's creates need is left (limit minus what is in use now)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from gkeplan.errors import CloudError, PolicyRefused, Severity
from gkeplan.gcp import services
from gkeplan.gcp.connection import Connection
from gkeplan.gcp.quotas import GLOBAL, LiveQuotas
from gkeplan.kinds import BY_NAME
from gkeplan.kinds.base import Node
from gkeplan.plan.model import Action, Plan
from gkeplan.policy.model import Finding
from gkeplan.policy.usage import Load, loads
from gkeplan.spec.base import Document

log = logging.getLogger("gkeplan.preflight")


class ServicesDisabled(CloudError):
    """APIs the run needs are disabled in the project: no retry can fix that."""

    def __init__(self, project: str, disabled: list[str]) -> None:
        self.disabled = disabled
        super().__init__(
            f"{', '.join(disabled)} {'is' if len(disabled) == 1 else 'are'} not enabled in "
            f"project {project}; enable {'it' if len(disabled) == 1 else 'them'} with: "
            f"{services.enable_command(project, disabled)}"
        )


def apis_for(spec: Document, nodes: Iterable[Node]) -> tuple[str, ...]:
    """The APIs the spec's own resources make the run call, as each kind declares them
    (`Kind.apis`): a bucket-only spec needs Cloud Storage, not Kubernetes Engine. A GCS state
    backend needs Cloud Storage too."""
    wanted = [api for n in nodes for api in BY_NAME[n.kind].apis(spec, n)]
    if spec.state.backend == "gcs":
        wanted.append(services.STORAGE)
    order = {api: i for i, api in enumerate((*services.REQUIRED, services.ARTIFACT_REGISTRY))}
    return tuple(sorted(set(wanted), key=lambda api: order.get(api, len(order))))


def enabled_by_spec(spec: Document, nodes: Iterable[Node]) -> frozenset[str]:
    """The APIs the spec itself turns on (`services:`, each kind's `Kind.enables`)."""
    return frozenset(api for n in nodes for api in BY_NAME[n.kind].enables(spec, n))


def require_services(
    conn: Connection,
    *,
    live_quotas: bool = False,
    extra: tuple[str, ...] = (),
    apis: tuple[str, ...] | None = None,
    enabling: frozenset[str] = frozenset(),
) -> frozenset[str]:
    """Stop with the `gcloud services enable` line when an API the run calls is disabled:
    `apis` (default: every API gkeplan calls), `extra`, and Compute Engine for live quotas.

    An API the spec turns on (`enabling`) may be off: the run enables it before what calls
    it, and answers which of them are off now. When the check itself cannot run (Service
    Usage disabled, or the caller lacks serviceusage.services.get) the run goes on: the APIs'
    own errors will say it.
    """
    base = services.REQUIRED if apis is None else apis
    wanted = [*base, *extra, *([services.COMPUTE] if live_quotas else [])]
    try:
        off = services.disabled(conn, wanted)
    except Exception as exc:  # not being able to check is no reason to stop
        from gkeplan.gcp.errors import message

        log.warning(
            "could not check which APIs are enabled in project %s: %s; going on without it",
            conn.project,
            message(exc),
        )
        return frozenset()
    stopping = [api for api in off if api not in enabling]
    if stopping:
        raise ServicesDisabled(conn.project, stopping)
    return frozenset(off)


def regions_of(spec: Document) -> list[str]:
    return sorted({load.region for load in loads(spec)})


def _is_new(load: Load, plan: Plan) -> bool:
    """Does the plan create what uses this quota (a new cluster creates its pools inline)?"""
    created = {c.address for c in plan.changes if c.action in (Action.CREATE, Action.REPLACE)}
    return any(a in created for a in load.created_by)


def live_quota_findings(spec: Document, plan: Plan, live: LiveQuotas) -> list[Finding]:
    """FT001 against the project's own quotas: what the plan's creates need at create time
    (initial nodes x zones, what GKE checks) against what is left of each quota now."""
    new = [ld for ld in loads(spec) if _is_new(ld, plan)]
    needs: dict[tuple[str, str], tuple[float, list[Load]]] = {}
    for load in new:
        for scope, uses in (("regional", load.regional_use), ("global", load.global_use)):
            for metric in uses:
                key = (load.region if scope == "regional" else GLOBAL, metric)
                amount = load.total(
                    metric, "regional" if scope == "regional" else "global", "create"
                )
                if not amount:
                    continue  # made later if at all (auto-provisioning's nodes)
                total, users = needs.get(key, (0.0, []))
                needs[key] = (total + amount, [*users, load])
    findings: list[Finding] = []
    for (region, metric), (need, users) in sorted(needs.items()):
        quota = live.get((region, metric))
        if quota is None or need <= quota.headroom:
            continue
        where = f"in {region}" if region else "across regions"
        names = ", ".join(ld.address for ld in users)
        findings.append(
            Finding(
                "FT001",
                Severity.ERROR,
                users[0].address,
                f"creating {names} needs {need:g} {metric} {where}; the project has "
                f"{quota.headroom:g} left (quota {quota.limit:g}, in use {quota.usage:g}, read "
                "from GCP now): GKE refuses the create",
                f"free or raise {metric} {where}, or create fewer or smaller nodes",
            )
        )
    return findings


def check_live_quotas(conn: Connection, spec: Document, plan: Plan) -> list[Finding]:
    """Read the quotas of the regions the spec uses and refuse a plan they cannot hold."""
    from gkeplan.gcp import quotas

    try:
        live = quotas.read(conn, regions_of(spec))
    except Exception as exc:  # unread quotas are no reason to stop; GKE still checks them
        from gkeplan.gcp.errors import message

        log.warning(
            "could not read the project's quotas (%s); FT001 used the quota profile only",
            message(exc),
        )
        return []
    findings = live_quota_findings(spec, plan, live)
    if findings:
        first = findings[0]
        raise PolicyRefused(
            f"{len(findings)} quota error(s) against the project's own quotas; first: "
            f"[FT001] {first.resource}: {first.message}",
            findings=findings,
        )
    return findings
