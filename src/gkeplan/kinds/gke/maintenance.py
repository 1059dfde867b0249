"""A cluster's maintenance window and exclusions (container v1 MaintenancePolicy): the spec's
model, its normalised attribute and the proto both ways.

Set through projects.locations.clusters.setMaintenancePolicy with the policy's
resourceVersion ("Make a `get()` request to the cluster to get the current resource version
and include it with requests to set the policy", container v1 MaintenancePolicy), as the
Google provider does (resource_container_cluster.go, SetMaintenancePolicyRequest): in place.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from google.cloud import container_v1 as gke
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


def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def to_proto(attr: dict[str, Any], resource_version: str = "") -> gke.MaintenancePolicy:
    window = gke.MaintenanceWindow()
    if attr.get("dailyStartTime"):
        window.daily_maintenance_window = gke.DailyMaintenanceWindow(
            start_time=attr["dailyStartTime"]
        )
    recurring = attr.get("recurring")
    if recurring:
        window.recurring_window = gke.RecurringTimeWindow(
            window=gke.TimeWindow(
                start_time=_when(recurring["startTime"]), end_time=_when(recurring["endTime"])
            ),
            recurrence=recurring["recurrence"],
        )
    for e in attr.get("exclusions") or []:
        window.maintenance_exclusions[e["name"]] = gke.TimeWindow(
            start_time=_when(e["startTime"]),
            end_time=_when(e["endTime"]),
            maintenance_exclusion_options=gke.MaintenanceExclusionOptions(scope=e["scope"]),
        )
    return gke.MaintenancePolicy(window=window, resource_version=resource_version)


def from_proto(policy: gke.MaintenancePolicy) -> dict[str, Any]:
    window = policy.window
    recurring = window.recurring_window
    has_recurring = "recurring_window" in window
    return {
        "dailyStartTime": window.daily_maintenance_window.start_time or None,
        "recurring": {
            "startTime": utc_text(recurring.window.start_time),
            "endTime": utc_text(recurring.window.end_time),
            "recurrence": recurring.recurrence,
        }
        if has_recurring
        else None,
        "exclusions": sorted(
            (
                {
                    "name": name,
                    "startTime": utc_text(w.start_time),
                    "endTime": utc_text(w.end_time),
                    # unset is NO_UPGRADES (MaintenanceExclusionOptions.Scope's first value)
                    "scope": w.maintenance_exclusion_options.scope.name,
                }
                for name, w in window.maintenance_exclusions.items()
            ),
            key=lambda e: e["name"],
        ),
    }
