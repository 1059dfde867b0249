"""gkeplan: a GKE ML-serving cluster from one declarative YAML file, checked before apply."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
