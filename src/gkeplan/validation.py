"""The validate pipeline: spec, graph, then (when present) policies; all diagnostics together."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gkeplan.diagnostics import Diagnostic, Severity, SpecError
from gkeplan.spec.load import load_spec

if TYPE_CHECKING:
    import networkx as nx

    from gkeplan.spec.models import Spec


@dataclass
class ValidationResult:
    spec: Spec | None = None
    graph: nx.DiGraph | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def valid(self) -> bool:
        return not self.errors


def validate(
    path_or_text: str | os.PathLike[str],
    variables: Mapping[str, str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> ValidationResult:
    result = ValidationResult()
    try:
        result.spec = load_spec(path_or_text, variables, environ=environ)
        from gkeplan.graph import build_graph

        result.graph = build_graph(result.spec)
    except SpecError as exc:
        result.diagnostics.extend(exc.diagnostics)
    return result
