"""The state document: what gkeplan manages, with a lineage and a serial.

A resource entry is written before its change is made (status "pending-<action>") and again
after (status "ok"), so a run killed in between knows to adopt or finish that change.

Format version 2 keeps an entry's driver inputs (`inputs`) apart from its lifecycle
(`lifecycle`, gkeplan.lifecycle); version 1 held both in `settings`, and is read still (its
lifecycle keys moved out on read) and written as version 2.
"""

from __future__ import annotations

import functools
import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from gkeplan.errors import StateError
from gkeplan.lifecycle import Lifecycle

FORMAT_VERSION = 2
READABLE_VERSIONS = (1, FORMAT_VERSION)

# "kept": left in place by a destroy (keepOnDestroy); still gkeplan's, so the next apply of the
# spec takes it back instead of refusing it as outside
Status = Literal[
    "ok", "kept", "pending-create", "pending-update", "pending-delete", "pending-replace"
]


@dataclass
class ResourceState:
    kind: str
    id: str  # the GCP name that identifies it (email, full name, bucket name...)
    attributes: dict[str, Any] = field(default_factory=dict)
    status: Status = "ok"
    dependencies: list[str] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)  # its driver's (forceDestroy...)
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    # attributes from `sensitive: true` variables: `state show` masks them (the state holds them)
    sensitive: list[str] = field(default_factory=list)
    # a GKE operation left running when the person stopped waiting: the next apply waits for it
    operation: str | None = None

    def to_json(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"sensitive": self.sensitive} if self.sensitive else {}
        if self.operation:
            extra["operation"] = self.operation
        return {
            **extra,
            "kind": self.kind,
            "id": self.id,
            "status": self.status,
            "dependencies": self.dependencies,
            "inputs": self.inputs,
            "lifecycle": self.lifecycle.to_json(),
            "attributes": self.attributes,
        }

    @functools.cached_property
    def json_line(self) -> str:
        # Entries are replaced rather than mutated, so each is serialised once, not once per
        # state write (an apply rewrites the state around every change).
        return json.dumps(self.to_json(), sort_keys=True)

    @classmethod
    def from_json(cls, data: dict[str, Any], version: int = FORMAT_VERSION) -> ResourceState:
        if version == 1:
            inputs, lifecycle = Lifecycle.from_settings(dict(data.get("settings") or {}))
        else:
            inputs = dict(data.get("inputs") or {})
            lifecycle = Lifecycle.from_json(data.get("lifecycle"))
        return cls(
            kind=data["kind"],
            id=data["id"],
            attributes=dict(data.get("attributes") or {}),
            status=data.get("status", "ok"),
            dependencies=list(data.get("dependencies") or []),
            inputs=inputs,
            lifecycle=lifecycle,
            sensitive=list(data.get("sensitive") or []),
            operation=data.get("operation"),
        )


@dataclass
class StateDoc:
    lineage: str = field(default_factory=lambda: str(uuid.uuid4()))
    serial: int = 0
    project: str | None = None
    resources: dict[str, ResourceState] = field(default_factory=dict)
    # Which GCP this state describes: {"kind": "cloud"|"sandbox"|"endpoint", "endpoint": URL}.
    # None: a state written before gkeplan recorded it (bound on its next write).
    target: dict[str, str] | None = None
    # The Terraform state `import --from-terraform --write` took resources from (its lineage and
    # serial): an older serial of the same lineage is refused, as it would undo what came after.
    terraform: dict[str, Any] | None = None
    # The spec's environment (--env) this state is for; None: a spec without environments.
    environment: str | None = None
    # The spec's own `outputs:` as the last apply left them: NAME -> {value, sensitive}, what
    # a `from: {state: ...}` of another spec reads (Terraform keeps root outputs in its state).
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> str:
        """One resource per line: readable, diffable, and ~2x cheaper than indented JSON,
        which matters because the state is rewritten around every change of an apply."""
        head = json.dumps(
            {
                "version": FORMAT_VERSION,
                "lineage": self.lineage,
                "serial": self.serial,
                "project": self.project,
                **({"target": self.target} if self.target else {}),
                **({"terraform": self.terraform} if self.terraform else {}),
                **({"environment": self.environment} if self.environment else {}),
                **({"outputs": self.outputs} if self.outputs else {}),
            }
        )[:-1]
        rows = ",\n".join(
            f"  {json.dumps(a)}: {r.json_line}" for a, r in sorted(self.resources.items())
        )
        body = f"\n{rows}\n" if rows else ""
        return head + ', "resources": {' + body + "}}\n"

    @classmethod
    def from_json(cls, text: str) -> StateDoc:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise StateError(f"not a gkeplan state: it is not JSON ({exc})") from None
        if not isinstance(data, dict) or "lineage" not in data:
            raise StateError("not a gkeplan state: no lineage (was it written by `state pull`?)")
        version = data.get("version")
        if version not in READABLE_VERSIONS:
            raise StateError(
                f"unsupported state format version {version!r}: this gkeplan reads versions "
                f"{', '.join(map(str, READABLE_VERSIONS))} (was it written by a newer gkeplan?)"
            )
        try:
            return cls(
                lineage=str(data["lineage"]),
                serial=int(data["serial"]),
                project=data.get("project"),
                resources={
                    a: ResourceState.from_json(r, version) for a, r in data["resources"].items()
                },
                target=data.get("target"),
                terraform=data.get("terraform"),
                environment=data.get("environment"),
                outputs=dict(data.get("outputs") or {}),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise StateError(f"not a gkeplan state: {type(exc).__name__}: {exc}") from None
