"""The validate pipeline: YAML, schema, references, graph, then policies; all reported together.

Names gkeplan's dated catalog does not know (a role, a machine type, a region) are policy
findings (CT001), reported with the others and waivable.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gkeplan.errors import Diagnostic, PolicyError, Severity, SpecError, sort_diagnostics
from gkeplan.spec.base import Document
from gkeplan.spec.remote import Reader
from gkeplan.spec.yamlsource import load_yaml
from gkeplan.validation.load import gc_paused, parse_data, read_source, spec_problems

if TYPE_CHECKING:
    from gkeplan.graph.build import Graph
    from gkeplan.policy.engine import PolicyReport


@dataclass
class ValidationResult:
    spec: Document | None = None
    graph: Graph | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    policy: PolicyReport | None = None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def valid(self) -> bool:
        """The spec itself is valid (policy findings are judged separately)."""
        return not self.errors

    def passed(self, strict: bool = False) -> bool:
        """The verdict: no error; under --strict, no warning either (the spec's own, such as
        an unknown zone, as well as the policies')."""
        warned = strict and any(d.severity is Severity.WARNING for d in self.diagnostics)
        return (
            self.valid
            and not warned
            and not (self.policy is not None and self.policy.failed(strict))
        )


def validate(
    path_or_text: str | os.PathLike[str],
    variables: Mapping[str, str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    policies: bool | Iterable[str] = True,
    facts: Mapping[str, Any] | None = None,
    environment: str | None = None,
    reader: Reader | None = None,
) -> ValidationResult:
    """Validate a spec (for `environment`, its --env); with `policies`, also run its packs
    (or the packs named). With `reader`, `from:` references are read (plan, apply)."""
    with gc_paused():
        return _validate(path_or_text, variables, environ, policies, facts, environment, reader)


def _validate(
    path_or_text: str | os.PathLike[str],
    variables: Mapping[str, str] | None,
    environ: Mapping[str, str] | None,
    policies: bool | Iterable[str],
    facts: Mapping[str, Any] | None = None,
    environment: str | None = None,
    reader: Reader | None = None,
) -> ValidationResult:
    result = ValidationResult()
    try:
        text, file = read_source(path_or_text)
        data, smap = load_yaml(text, file)
        env = os.environ if environ is None else environ
        unknown: list[Diagnostic] = []
        result.spec = parse_data(
            data, smap, variables or {}, env, unknown, environment=environment, reader=reader
        )
        problems = sort_diagnostics([*unknown, *spec_problems(result.spec)])
        result.diagnostics.extend(problems)
        if any(p.severity is Severity.ERROR for p in problems if p not in unknown):
            return result
        from gkeplan.graph.build import build_graph

        result.graph = build_graph(result.spec)
    except SpecError as exc:
        result.diagnostics.extend(exc.diagnostics)
        return result
    if policies is not False:
        from gkeplan.policy.engine import run_policies

        packs = None if policies is True else list(policies)
        try:
            result.policy = run_policies(result.spec, result.graph, packs, facts)
        except PolicyError as exc:
            where = result.spec.source.find(("policy",)) if result.spec.source else None
            result.diagnostics.append(
                Diagnostic(str(exc), where, ("policy", "packs"), code="policy")
            )
    return result
