"""Run policy packs over a validated spec and graph; apply the spec's waivers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from gkeplan.errors import PolicyError, Severity
from gkeplan.graph.build import Graph
from gkeplan.kinds import KINDS
from gkeplan.kinds.base import imported
from gkeplan.policy import cost, rules_catalog, rules_iam, rules_quota
from gkeplan.policy.model import Finding, Rule, RuleContext
from gkeplan.spec.base import PACK_ALIASES, Document

# Run whatever packs a spec selects: an unknown name fails at apply, whatever the policy.
ALWAYS: tuple[type[Rule], ...] = (rules_catalog.CatalogRule,)
BUILTIN: tuple[type[Rule], ...] = (
    *ALWAYS,
    rules_quota.QuotaRule,
    cost.BudgetRule,
    rules_iam.ProjectWideActAs,
    rules_iam.BasicRolesForServiceAccounts,
    rules_iam.PublicMembers,
    rules_iam.AdminRoleForServiceAccount,
    rules_iam.PermissionPreflight,
    rules_iam.OverBroadGrant,
    rules_iam.DefaultAccountProjectRoles,
    rules_iam.ProjectImpersonationRoles,
)
ENTRY_POINT_GROUP = "gkeplan.policies"
PACKS = Path(__file__).resolve().parent / "packs"  # package data, read by path (see catalog)


@dataclass
class Pack:
    name: str
    description: str
    rules: dict[str, Severity]
    parameters: dict[str, Any] = field(default_factory=dict)


@cache
def kind_rules() -> tuple[type[Rule], ...]:
    """The rules each kind declares (`Kind.rules`), in registry order."""
    paths = dict.fromkeys(k.rules for k in KINDS if k.rules)  # a package's list counts once
    return tuple(rule for path in paths for rule in imported(path))


def _builtin_rules() -> dict[str, type[Rule]]:
    return {r.id: r for r in (*BUILTIN, *kind_rules())}


@cache
def plugin_rules() -> dict[str, type[Rule]]:
    """The rules installed under the entry-point group `gkeplan.policies`. Finding them reads
    every installed distribution's metadata, so it happens only when a spec names a rule that
    is not built in."""
    rules: dict[str, type[Rule]] = {}
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            cls = ep.load()
        except Exception as exc:  # a broken plugin is reported, not a traceback
            raise PolicyError(
                f"policy plugin {ep.name} ({ep.value}) failed to load: {exc}"
            ) from exc
        if not (isinstance(cls, type) and issubclass(cls, Rule)):
            raise PolicyError(f"policy plugin {ep.name} is not a gkeplan.policy.Rule subclass")
        rules[cls.id] = cls
    return rules


def registry() -> dict[str, type[Rule]]:
    """Built-in rules, each kind's rules, and those installed under the entry-point group
    `gkeplan.policies` (a built-in id is never replaced by a plugin's)."""
    return {**plugin_rules(), **_builtin_rules()}


@cache
def builtin_pack(name: str) -> Pack:
    name = PACK_ALIASES.get(name, name)
    if not name.replace("-", "").isalnum():  # a pack is a name, never a path
        raise PolicyError(f"unknown policy pack '{name}'")
    try:
        text = (PACKS / f"{name}.yaml").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"unknown policy pack '{name}'") from None
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 10x
    return Pack(
        data["name"],
        data.get("description", ""),
        {rid: Severity(v.get("severity", "warning")) for rid, v in data["rules"].items()},
        dict(data.get("parameters") or {}),
    )


@dataclass
class PolicyReport:
    findings: list[Finding]
    rules: dict[str, Rule]
    context: RuleContext

    def unwaived(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity is severity and not f.waived]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.unwaived(Severity.ERROR) or (strict and self.unwaived(Severity.WARNING)))


def _waive(spec: Document, findings: Iterable[Finding]) -> list[Finding]:
    out = []
    for f in findings:
        for exc in spec.policy.exceptions:
            if exc.rule == f.rule and exc.resource in (f.resource, "*"):
                f = Finding(
                    f.rule, f.severity, f.resource, f.message, f.fix, f.location, True, exc.reason
                )
                break
        out.append(f)
    return out


def run_policies(
    spec: Document,
    graph: Graph,
    packs: Iterable[str] | None = None,
    facts: Mapping[str, Any] | None = None,
) -> PolicyReport:
    """Run the spec's packs (or `packs`) and return every finding, waived ones marked.

    `facts` are what a run learnt from the project (`liveQuotas`); rules read them as params.
    """
    available = _builtin_rules()
    selected: dict[str, Rule] = {cls.id: cls() for cls in ALWAYS}
    params: dict[str, Any] = {}
    for name in packs if packs is not None else spec.policy.packs:
        if name in available:  # a pack may also name a single (plugin) rule by its id
            selected[name] = available[name]()
            continue
        try:
            pack = builtin_pack(name)
        except PolicyError:
            if name not in plugin_rules():
                raise
            selected[name] = plugin_rules()[name]()
            continue
        params.update(pack.parameters)
        for rid, severity in pack.rules.items():
            found = available.get(rid) or plugin_rules().get(rid)
            if found is None:
                raise PolicyError(f"pack {name} names unknown rule {rid}")
            selected[rid] = found(severity)
    params.update(spec.policy.parameters)
    params.update(facts or {})
    ctx = RuleContext(spec, graph, params)
    findings: list[Finding] = []
    for rule in selected.values():
        findings.extend(rule.check(ctx))
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    findings.sort(key=lambda f: (f.resource, order[f.severity], f.rule))
    return PolicyReport(_waive(spec, findings), selected, ctx)
