"""Policies: rules in packs that stop failing and unsafe changes before they reach the cloud.

`run_policies(spec, graph)` runs the spec's packs (`policy.packs`); packs are data in
`policies/` (free-trial, least-privilege, security-baseline). Add rules by subclassing `Rule`
and registering the class under the entry-point group `gkeplan.policies`.
"""

from gkeplan.errors import PolicyError
from gkeplan.policy.cost import CostEstimate, estimate
from gkeplan.policy.engine import PolicyReport, registry, run_policies
from gkeplan.policy.model import Finding, Rule, RuleContext

# The name rules' context had before the driver's got a name of its own (CallContext): plugins
# written against it keep importing it.
Context = RuleContext

__all__ = [
    "Context",
    "CostEstimate",
    "Finding",
    "PolicyError",
    "PolicyReport",
    "Rule",
    "RuleContext",
    "estimate",
    "registry",
    "run_policies",
]
