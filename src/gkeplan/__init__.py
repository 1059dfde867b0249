"""gkeplan: a GKE ML-serving cluster from one declarative YAML file, checked before apply.

Public API (everything here is typed; see `spec/README.md` for the format):

- `load_spec(path_or_text, variables=...) -> Spec` and the pydantic models, so a spec can be
  built in Python and checked the same way (`check_spec(spec)`).
- `build_graph(spec) -> networkx.DiGraph` of resources, edges from dependency to dependent.
- `validate(path_or_text, variables=...) -> ValidationResult` runs the whole validate pipeline.
- Errors: `SpecError` carries every `Diagnostic` (file:line:col, path, message, hint).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gkeplan.diagnostics import Diagnostic, Location, Severity, SpecError
from gkeplan.spec.load import check_spec, load_spec
from gkeplan.spec.models import (
    Autoscaling,
    Bucket,
    Cluster,
    Condition,
    IamGrant,
    NodePool,
    Policy,
    ServiceAccount,
    Spec,
    State,
    Variable,
)
from gkeplan.validation import ValidationResult, validate

if TYPE_CHECKING:
    from gkeplan.graph import build_graph

__version__ = "0.1.0"

__all__ = [
    "Autoscaling",
    "Bucket",
    "Cluster",
    "Condition",
    "Diagnostic",
    "IamGrant",
    "Location",
    "NodePool",
    "Policy",
    "ServiceAccount",
    "Severity",
    "Spec",
    "SpecError",
    "State",
    "ValidationResult",
    "Variable",
    "__version__",
    "build_graph",
    "check_spec",
    "load_spec",
    "validate",
]

_LAZY = {"build_graph": "gkeplan.graph"}


def __getattr__(name: str) -> Any:
    # networkx costs ~0.15 s to import; load it only when a graph is wanted.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gkeplan' has no attribute {name!r}")
