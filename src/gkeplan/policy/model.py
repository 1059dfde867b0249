"""Rules, findings and what a rule may look at. Findings flow out; nothing reaches back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from gkeplan.errors import Location, Path, Severity
from gkeplan.graph.build import Graph
from gkeplan.spec.base import Document
from gkeplan.spec.yamlsource import SourceMap


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    resource: str  # graph address, or "project"
    message: str
    fix: str = ""
    location: Location | None = None
    waived: bool = False
    waiver: str | None = None  # the reason given in policy.exceptions

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        data["location"] = self.location.to_dict() if self.location else None
        return data


@dataclass
class RuleContext:
    """What rules see: the validated spec, its graph, and the resolved pack parameters."""

    spec: Document
    graph: Graph
    params: dict[str, Any] = field(default_factory=dict)
    # read once: a pydantic private attribute costs a __getattr__ detour on every access
    source: SourceMap | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.source = self.spec.source

    def where(self, path: Path) -> Location | None:
        return self.source.value(path) if self.source else None


class Rule:
    """A policy rule. Subclasses set the class attributes and implement `check`.

    Library users add rules by subclassing and registering the class under the entry-point
    group `gkeplan.policies`; a pack (or the spec's `policy.packs`) then selects it by id.
    """

    id: ClassVar[str]
    title: ClassVar[str]
    rationale: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    checkov: ClassVar[str | None] = None

    def __init__(self, severity: Severity | None = None) -> None:
        self.effective_severity = severity or self.severity

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        raise NotImplementedError

    def finding(
        self,
        ctx: RuleContext,
        resource: str,
        path: Path,
        message: str,
        fix: str = "",
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            self.id, severity or self.effective_severity, resource, message, fix, ctx.where(path)
        )


def merged(*layers: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for layer in layers:
        out.update(layer)
    return out
