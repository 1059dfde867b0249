"""gkeplan: a GKE ML-serving cluster from one declarative YAML file, checked before apply.

Public API (everything here is typed; see `spec/README.md` for the format):

- `load_spec(path_or_text, variables=...) -> Spec` and the models, so a spec can be built in
  Python and checked the same way (`check_spec(spec)`).
- `validate(path_or_text, variables=...) -> ValidationResult` runs the whole validate pipeline.
- `build_graph(spec) -> networkx.DiGraph` of resources (nodes are addresses, with the kind's
  `node`), edges from dependency to dependent: every networkx algorithm applies to it.
- `gkeplan.run.plan(spec, target=...) -> Plan` and `gkeplan.run.apply(plan, spec, target=...)`:
  refresh, diff and change the cloud (`Target(sandbox=True)` for the built-in emulator); `plan`
  refuses, like the CLI, a spec whose checks or policies report an error (`PolicyRefused`).
  (`gkeplan.plan` and `gkeplan.apply` are the packages of those stages.)
- `format_spec(text, file) -> str`: the spec's text in the canonical form `gkeplan fmt`
  writes (the models' key order, comments kept).
- Errors: every error is a `GkeplanError` (see `gkeplan.errors` for the tree); `SpecError`
  carries every `Diagnostic` (file:line:col, path, message, hint).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# before any module imports part of Compute Engine's client: see lazy_compute (sorted first)
from gkeplan import lazy_compute  # noqa: F401
from gkeplan.errors import (
    Diagnostic,
    GkeplanError,
    Location,
    PolicyRefused,
    Severity,
    SpecError,
    StalePlan,
    StateConflict,
    StateLocked,
)
from gkeplan.kinds import Spec
from gkeplan.kinds.bucket import Bucket
from gkeplan.kinds.gke.models import Autoscaling, Cluster, NodePool
from gkeplan.kinds.iam_member import Condition, IamGrant
from gkeplan.kinds.service_account import ServiceAccount
from gkeplan.spec.base import Document, Policy, State, Variable
from gkeplan.validation.load import check_spec, load_spec
from gkeplan.validation.pipeline import ValidationResult, validate

if TYPE_CHECKING:
    from gkeplan.graph.build import build_graph
    from gkeplan.run import Target
    from gkeplan.validation.fmt import format_spec

__version__ = "0.1.0"

__all__ = [
    "Autoscaling",
    "Bucket",
    "Cluster",
    "Condition",
    "Diagnostic",
    "Document",
    "GkeplanError",
    "IamGrant",
    "Location",
    "NodePool",
    "Policy",
    "PolicyRefused",
    "ServiceAccount",
    "Severity",
    "Spec",
    "SpecError",
    "StalePlan",
    "State",
    "StateConflict",
    "StateLocked",
    "Target",
    "ValidationResult",
    "Variable",
    "__version__",
    "build_graph",
    "check_spec",
    "format_spec",
    "load_spec",
    "validate",
]

# Loaded when first used, to keep `import gkeplan` light.
_LAZY = {
    "build_graph": "gkeplan.graph.build",
    "Target": "gkeplan.run",
    "format_spec": "gkeplan.validation.fmt",  # ruamel.yaml only when formatting
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gkeplan' has no attribute {name!r}")
