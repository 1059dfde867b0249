"""A cluster's maintenance window and exclusions (container v1 MaintenancePolicy): the spec's
model and its normalised attribute (the proto both ways is convert.py's: this module is
imported with the spec and loads no client library).

Set through projects.locations.clusters.setMaintenancePolicy with the policy's
resourceVersion ("Make a `get()` request to the cluster to get the current resource version
and include it with requests to set the policy", container v1 MaintenancePolicy), as the
Google provider does (resource_container_cluster.go, SetMaintenancePolicyRequest): in place.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator

from gkeplan.spec.base import Model

# DailyMaintenanceWindow.startTime: 'RFC3339 format "HH:MM", where HH : [00-23] and MM :
# [00-59] GMT' (container v1)
_HH_MM = re.compile(r"([01]\d|2[0-3]):[0-5]\d\Z")
# maintenance_exclusion: MaxItems: 20 (the Google provider, resource_container_cluster.go)
MAX_EXCLUSIONS = 20


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


def _timestamp(value: object) -> object:
    """An RFC 3339 date-time, in UTC as GKE returns it (2026-01-03T04:00:00Z)."""
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    if not isinstance(value, str):
        return value
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        msg = f"'{value}' is not an RFC 3339 date-time such as 2026-01-03T04:00:00Z"
        raise ValueError(msg) from None
    if parsed.tzinfo is None:
        msg = f"'{value}' has no time zone: end it with Z (UTC) or an offset such as +02:00"
        raise ValueError(msg)
    return utc_text(parsed)


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


Timestamp = Annotated[str, BeforeValidator(_timestamp)]


class RecurringWindow(Model):
    start_time: Timestamp = Field(description="The first window's start (RFC 3339).")
    end_time: Timestamp = Field(description="The first window's end (RFC 3339).")
    recurrence: str = Field(description="An RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=SA,SU.")


class MaintenanceExclusion(Model):
    name: str = Field(description="The exclusion's name (its key in GKE's map).")
    start_time: Timestamp
    end_time: Timestamp
    # MaintenanceExclusionOptions.scope (container v1); unset: NO_UPGRADES, as GKE has it
    scope: Annotated[
        Literal["NO_UPGRADES", "NO_MINOR_UPGRADES", "NO_MINOR_OR_NODE_UPGRADES"],
        BeforeValidator(_upper),
    ] = "NO_UPGRADES"


class MaintenancePolicy(Model):
    daily_window_start_time: str | None = Field(
        None, description='Daily window start, "HH:MM" in GMT (dailyMaintenanceWindow).'
    )
    recurring_window: RecurringWindow | None = None
    exclusions: list[MaintenanceExclusion] = Field(default_factory=list)

    @field_validator("daily_window_start_time")
    @classmethod
    def _hh_mm(cls, value: str | None) -> str | None:
        if value is not None and not _HH_MM.match(value):
            msg = f"'{value}' is not a GMT time of day HH:MM, e.g. '03:00' (quote it in YAML)"
            raise ValueError(msg)
        return value


def to_attribute(policy: MaintenancePolicy) -> dict[str, Any]:
    recurring = policy.recurring_window
    return {
        "dailyStartTime": policy.daily_window_start_time,
        "recurring": recurring.model_dump(by_alias=True) if recurring else None,
        "exclusions": sorted(
            (e.model_dump(by_alias=True) for e in policy.exclusions), key=lambda e: e["name"]
        ),
    }
