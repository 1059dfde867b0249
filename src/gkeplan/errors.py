"""Every error gkeplan raises for a user to read, and the diagnostics of a spec.

The tree (every class is a `GkeplanError`; the CLI prints `str(exc)` as one line, never a
traceback):

    GkeplanError
    ├── SpecError            the spec is invalid: every Diagnostic (file:line:col, path, hint)
    ├── PolicyError          a policy pack or plugin the spec asks for is missing or broken
    ├── PolicyRefused        validation or a policy error finding stopped a plan (library)
    ├── UsageError           a flag, file or argument given on the command line is wrong
    ├── Protected            a plan would delete or replace a protected resource
    ├── StateError           the state cannot be used as it is
    │   ├── StateLocked      another run holds the lock
    │   ├── StateConflict    someone else wrote the state since it was read
    │   └── StalePlan        a saved plan no longer matches the state or the spec
    └── CloudError           a GCP call failed, classified (gkeplan.gcp.errors)
        ├── OperationFailed  a long-running operation ended in error
        ├── OperationTimeout a long-running operation outlived its deadline
        ├── OperationAbandoned  the person stopped waiting for one (a second Ctrl-C)
        └── ResourceExists   a create met a resource gkeplan may not take over

Every stage (YAML, schema, references, graph, policies) reports spec problems through
`Diagnostic`, so the CLI prints one consistent `file:line:col: path: message` list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import NamedTuple, Protocol

from gkeplan import redact

PathPart = str | int
Path = tuple[PathPart, ...]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Location(NamedTuple):
    """A 1-based position in a spec file. A tuple: a spec has one for every value and key, so
    it must be cheap to make (a frozen dataclass costs ~5x more per instance)."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "col": self.col}


def format_path(path: Path) -> str:
    """Render a path like `clusters.sd-cluster.nodePools[0]` (how users navigate YAML)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


@dataclass(frozen=True)
class Diagnostic:
    message: str
    location: Location | None = None
    path: Path = ()
    hint: str | None = None
    severity: Severity = Severity.ERROR
    code: str = "spec"

    def render(self) -> str:
        where = f"{self.location}: " if self.location else ""
        text = f"{where}{self.severity.value}: {format_path(self.path)}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return redact.safe(text)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["message"] = redact.mask_text(self.message)
        data["hint"] = redact.mask_text(self.hint) if self.hint else None
        data["severity"] = self.severity.value
        data["path"] = format_path(self.path)
        data["location"] = self.location.to_dict() if self.location else None
        return data


class GkeplanError(Exception):
    """The base of every error gkeplan raises for a person to read."""


class SpecError(GkeplanError):
    """Raised with every problem found, not only the first."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(sort_diagnostics(diagnostics))
        super().__init__("\n".join(d.render() for d in self.diagnostics))


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    def key(d: Diagnostic) -> tuple[str, int, int, str]:
        loc = d.location
        return (loc.file, loc.line, loc.col, d.message) if loc else ("", 0, 0, d.message)

    return sorted(diagnostics, key=key)


class PolicyError(GkeplanError):
    """A pack or rule the spec asks for does not exist, or a plugin is broken."""


class PolicyRefused(GkeplanError):
    """Validation or an error finding of the spec's policy packs stopped the run."""

    def __init__(
        self,
        message: str,
        diagnostics: Sequence[Diagnostic] = (),
        findings: Sequence[object] = (),
    ) -> None:
        self.diagnostics = tuple(diagnostics)
        self.findings = tuple(findings)
        super().__init__(message)


class UsageError(GkeplanError):
    """A command-line flag, file or argument is wrong; `hint` names the flag."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.hint = hint
        super().__init__(message)


class Protected(GkeplanError):
    """A plan would delete or replace a resource the spec protects (deletionProtection,
    lifecycle.preventDestroy) or whose replacement was not allowed (--allow-replace)."""


class StateError(GkeplanError):
    """The state cannot be read, written or used as it is."""


class _Holder(Protocol):
    """A lock's holder (state.store.LockInfo)."""

    @property
    def id(self) -> str: ...

    def describe(self) -> str: ...


class StateLocked(StateError):
    def __init__(self, holder: _Holder | None, where: str) -> None:
        self.holder = holder
        who = holder.describe() if holder is not None else "another process"
        super().__init__(f"state {where} is locked by {who}")


class StateConflict(StateError):
    """Someone else wrote the state since we read it; we refuse to overwrite their work."""


class StalePlan(StateError):
    """A saved plan no longer matches the state or the spec it was made from."""


class CloudError(GkeplanError):
    """A GCP call failed in a way retries could not fix."""


class OperationFailed(CloudError):
    pass


class OperationTimeout(CloudError):
    pass


class OperationAbandoned(CloudError):
    """The person stopped waiting (a second Ctrl-C); the operation goes on in GCP."""

    def __init__(self, message: str, operation: str) -> None:
        self.operation = operation
        super().__init__(message)


class ResourceExists(CloudError):
    """A create met an existing resource that gkeplan does not own."""

    def __init__(self, message: str, resource_id: str = "") -> None:
        self.resource_id = resource_id
        super().__init__(message)
