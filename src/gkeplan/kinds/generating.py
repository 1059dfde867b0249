"""What `gkeplan import --generate` asks of a kind: list what exists, and write each resource
back as the spec entry whose `desired` is what exists (the inverse of the kind's `desired`).

Each kind's `generate.py` exports `GENERATOR`, named by string on its `Kind` (`generate`), so
only the paths that call GCP import it. The engine (`gkeplan.run.generate`) lists the kinds in
the order their `reads` ask, then writes them, and checks what it wrote: the generated spec is
loaded like any other and every resource's desired state is diffed against what was listed.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from gkeplan.kinds.driver import Attributes, CallContext, Wanted, load_driver


@dataclass(frozen=True)
class Found:
    """One resource that exists, as its kind's driver reports it (`parts`: what it holds
    that is a resource of its own: a cluster's node pools)."""

    kind: str
    id: str
    attributes: Attributes
    parts: tuple[Found, ...] = ()
    # what the listing saw besides the attributes: create-only values the spec writes down
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LeftOut:
    """A resource that is not generated, and why: GCP made and manages it (`managed`), or the
    spec cannot say what it is (then adopting it would change it)."""

    kind: str
    id: str
    why: str
    source: str = ""  # how it is recognised: a Google doc
    managed: bool = True


@dataclass
class Entry:
    """One spec entry: under `section` (its YAML key), at `key` (None: a list section)."""

    section: str
    key: str | None
    value: dict[str, Any]
    found: Found
    comment: str = ""
    # what it holds that is left out (an Autopilot cluster's node pools, GKE's own)
    left_out: tuple[LeftOut, ...] = ()


@dataclass
class Listing:
    """What has been listed so far, by kind, and the spec key each written resource got: later
    kinds read both (a grant on a bucket, a cluster's subnetwork)."""

    project: str
    region: str = ""
    default_network: bool = False  # --include default-network
    found: dict[str, list[Found]] = field(default_factory=dict)
    keys: dict[tuple[str, str], str] = field(default_factory=dict)
    _taken: dict[str, set[str]] = field(default_factory=dict)

    def ref(self, kind: str, rid: str, fallback: str) -> str:
        """The spec key of the resource `rid` when it is generated, else `fallback` (its name
        or email: gkeplan refers to an existing resource outside the spec that way)."""
        return self.keys.get((kind, rid), fallback)

    def claim(self, section: str, key: str, fallback: str) -> str:
        """A key unused in `section`: `key`, else `fallback` (name-region), else numbered."""
        taken = self._taken.setdefault(section, set())
        chosen = key if key not in taken else fallback
        n = 2
        while chosen in taken:
            chosen, n = f"{fallback}-{n}", n + 1
        taken.add(chosen)
        return chosen

    def region_of_spec(self, value: str | None) -> str | None:
        """`value` when it differs from the spec's region (what the kind defaults to)."""
        return None if value is None or value.lower() == self.region.lower() else value


Written = Entry | LeftOut


class Generator(Protocol):
    kind: str
    reads: tuple[str, ...]  # kinds listed before this one, whose findings it reads
    holds: tuple[str, ...]  # other kinds its entries hold (a cluster's node pools)
    apis: tuple[str, ...]  # the services its listing calls: a disabled one lists nothing

    def list(self, ctx: CallContext, listing: Listing) -> list[Found]: ...

    def write(self, found: Found, listing: Listing) -> Written: ...

    def region(self, found: Found) -> str | None:
        """The region `found` is in (the spec's region is the one most are in); None: global."""
        ...


class Global:
    """The `region` of a kind whose resources are global (or multi-regional)."""

    def region(self, found: Found) -> str | None:
        return None


class Regional:
    """The `region` of a kind whose driver reports a `region` attribute."""

    def region(self, found: Found) -> str | None:
        return str(found.attributes["region"])


class ListsAll:
    """The `list` of a kind whose driver's `read_all` lists the whole project at once."""

    driver: str  # the driver's path, "module:Class", imported only when it lists
    kind: str

    def list(self, ctx: CallContext, listing: Listing) -> list[Found]:
        return list_with(self.driver, ctx, ["all"], self.kind)


def load_generator(path: str) -> Generator:
    module, _, name = path.partition(":")
    generator: Generator = getattr(importlib.import_module(module), name)
    return generator


def list_with(driver: str, ctx: CallContext, ids: Iterable[str], kind: str) -> list[Found]:
    """Everything the kind's driver lists (`read_all` lists every resource of the project in
    the places `ids` name: a location, a policy), as found resources."""
    wanted = [Wanted(f"generate:{i}", i, {}) for i in ids]
    return [
        Found(kind, rid, a) for rid, a in sorted(load_driver(driver).read_all(ctx, wanted).items())
    ]


def compact(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """The entry as the spec writes it: validated by the kind's own model, and without the
    values that are its defaults (what is left is what differs from gkeplan's defaults)."""
    out: dict[str, Any] = model.model_validate(data).model_dump(
        mode="json", by_alias=True, exclude_defaults=True
    )
    return out


def expressed(
    kind: str, rid: str, model: type[BaseModel], data: dict[str, Any]
) -> dict[str, Any] | LeftOut:
    """`compact(model, data)`, or the resource named as left out when the model refuses it."""
    try:
        return compact(model, data)
    except ValidationError as exc:
        return inexpressible(kind, rid, exc)


def keyed(
    listing: Listing,
    found: Found,
    section: str,
    value: dict[str, Any],
    name: str,
    fallback: str,
    *,
    named: bool = False,
) -> Entry:
    """The entry of `found` in `section`, keyed by its `name` (or `fallback` when another
    resource holds that key), with the key recorded for the entries that refer to it; `named`:
    a key other than the name writes the name out."""
    key = listing.claim(section, name, fallback)
    if named and key != name:
        value = {"name": name, **value}
    listing.keys[(found.kind, found.id)] = key
    return Entry(section, key, value, found)


def entry(
    listing: Listing,
    found: Found,
    model: type[BaseModel],
    data: dict[str, Any],
    section: str,
    name: str,
    fallback: str,
    *,
    named: bool = False,
) -> Written:
    """`found` written as `model` holds `data` (`expressed`) and keyed in `section` (`keyed`),
    or left out when the model refuses it."""
    value = expressed(found.kind, found.id, model, data)
    if isinstance(value, LeftOut):
        return value
    return keyed(listing, found, section, value, name, fallback, named=named)


def inexpressible(kind: str, rid: str, exc: ValidationError) -> LeftOut:
    """A resource whose settings the kind's model refuses: adopting it under a spec that
    says otherwise would change it, so it is named and left out."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return LeftOut(
        kind,
        rid,
        f"the spec cannot express it ({where}: {first['msg']}); manage it outside gkeplan",
        managed=False,
    )


# --- Google-managed identities ---------------------------------------------------------------
# "Service agents, which Google Cloud creates and manages" and "Default service accounts are
# user-managed service accounts that are created automatically when you enable or use certain
# Google Cloud services" (https://cloud.google.com/iam/docs/service-account-types). A
# user-managed account's email is "service-account-name@project-id.iam.gserviceaccount.com"
# (same page); the Compute Engine default account is PROJECT_NUMBER-compute@developer.
# gserviceaccount.com and App Engine's PROJECT_ID@appspot.gserviceaccount.com (same page's
# table of default service accounts); service agents are named service-PROJECT_NUMBER@
# SERVICE.iam.gserviceaccount.com, e.g. "service-PROJECT_NUMBER@gcp-gae-service.iam.
# gserviceaccount.com" (https://cloud.google.com/appengine/docs/standard/service-agent) and
# the Google APIs Service Agent PROJECT_NUMBER@cloudservices.gserviceaccount.com
# (https://cloud.google.com/iam/docs/service-agents).
SERVICE_ACCOUNT_TYPES = "https://cloud.google.com/iam/docs/service-account-types"
SERVICE_AGENTS = "https://cloud.google.com/iam/docs/service-agents"
_AGENT = re.compile(
    r"(service-\d+@[a-z0-9-]+\.iam\.gserviceaccount\.com"
    r"|\d+@cloudservices\.gserviceaccount\.com)\Z"
)
_COMPUTE_DEFAULT = re.compile(r"\d+-compute@developer\.gserviceaccount\.com\Z")
_APP_ENGINE_DEFAULT = re.compile(r"[a-z0-9:.-]+@appspot\.gserviceaccount\.com\Z")


def google_managed_account(email: str) -> LeftOut | None:
    """Why the account `email` is GCP's own (a service agent or a default account), or None."""
    if _AGENT.match(email):
        return LeftOut(
            "serviceAccount",
            email,
            "a service agent: Google creates and manages it, and its grants",
            SERVICE_AGENTS,
        )
    if _COMPUTE_DEFAULT.match(email):
        return LeftOut(
            "serviceAccount",
            email,
            "the Compute Engine default service account, created by GCP with the API",
            SERVICE_ACCOUNT_TYPES,
        )
    if _APP_ENGINE_DEFAULT.match(email):
        return LeftOut(
            "serviceAccount",
            email,
            "the App Engine default service account, created by GCP with the app",
            SERVICE_ACCOUNT_TYPES,
        )
    return None
