"""The documented limits of the spec format, and pydantic types that enforce them.

Every number a user writes is bounded here before any arithmetic sees it, and every input is
small and shallow enough that Python's own limits (the 4,300-digit integer-string limit, the
recursion limit) are never reached by user input.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import AfterValidator, Field

# A spec, and each --var-file, is at most 8 MiB.
MAX_BYTES = 8 * 1024 * 1024
# Mappings and lists nest at most 100 deep (a real spec needs fewer than 10). libyaml stops at
# 1,000 itself; 100 keeps every recursive walk far below Python's recursion limit of 1,000.
MAX_DEPTH = 100
# YAML aliases may expand to at most this many nodes (alias bombs).
MAX_EXPANDED_NODES = 1_000_000

# Google's APIs carry integers as int32 or int64 (protobuf); nothing larger reaches GCP.
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# An int64 has at most 19 digits; longer integer text is refused before int() parses it.
MAX_INT_CHARS = 40

Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
Int32 = Annotated[int, Field(ge=INT32_MIN, le=INT32_MAX)]
NonNegInt32 = Annotated[int, Field(ge=0, le=INT32_MAX)]

# GKE: "Nodes per node pool zone: 1,000" (https://cloud.google.com/kubernetes-engine/quotas,
# limits per cluster). initialNodeCount, minNodeCount and maxNodeCount all count nodes per zone.
MAX_NODES_PER_POOL_ZONE = 1000
NodesPerZone = Annotated[int, Field(ge=0, le=MAX_NODES_PER_POOL_ZONE)]


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{value} is not a finite number")
    return value


FiniteFloat = Annotated[float, AfterValidator(_finite)]
