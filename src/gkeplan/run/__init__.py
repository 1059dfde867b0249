"""Runs against GCP: `target` says where (real cloud, sandbox, endpoint) and which state,
`run` locks the state and connects, then plans and applies.

The library's entry points are `plan()` and `apply()`.
"""

from gkeplan.run.run import Run, apply, open_run, plan
from gkeplan.run.target import Target

__all__ = ["Run", "Target", "apply", "open_run", "plan"]
