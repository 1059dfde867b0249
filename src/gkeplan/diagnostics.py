"""Diagnostics: what is wrong, where in the spec, and how to fix it.

Every stage (YAML, schema, references, graph, policies) reports through these types so the CLI can
print one consistent `file:line:col: path: message` list and never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum

PathPart = str | int
Path = tuple[PathPart, ...]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based position in a spec file."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


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
        return text

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        data["path"] = format_path(self.path)
        data["location"] = asdict(self.location) if self.location else None
        return data


class SpecError(Exception):
    """Raised with every problem found, not only the first."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(sort_diagnostics(diagnostics))
        super().__init__("\n".join(d.render() for d in self.diagnostics))


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    def key(d: Diagnostic) -> tuple[str, int, int, str]:
        loc = d.location
        return (loc.file, loc.line, loc.col, d.message) if loc else ("", 0, 0, d.message)

    return sorted(diagnostics, key=key)


@dataclass
class DiagnosticSink:
    """Collects diagnostics across a stage so all problems are reported at once."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def raise_if_errors(self) -> None:
        if self.has_errors:
            raise SpecError(self.items)


def diagnostics_json(diagnostics: Sequence[Diagnostic], *, valid: bool) -> str:
    return json.dumps({"valid": valid, "diagnostics": [d.to_dict() for d in diagnostics]}, indent=2)
