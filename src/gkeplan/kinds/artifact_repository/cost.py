"""The monthly cost of Artifact Registry repositories (`Kind.cost`): storage at an assumed
size (policy parameter `repositoryGb`, 1 GB unless set). The free 0.5 GB is per billing
account, not per repository, so it is named and not subtracted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gkeplan.catalog import PriceTable
from gkeplan.kinds.artifact_repository import repositories
from gkeplan.policy.cost import CostEstimate, CostLine
from gkeplan.spec.base import Document


class RepositoryCost:
    kinds = ("artifactRepository",)

    def price(
        self, spec: Document, prices: PriceTable, params: Mapping[str, Any], est: CostEstimate
    ) -> None:
        per_gb, free_gb = prices.artifact_storage_gb_month()
        gb = float(params.get("repositoryGb", 1))
        for name in repositories(spec):
            est.lines.append(
                CostLine(
                    f"repository {name}: storage, {gb:g} GB assumed",
                    per_gb * gb,
                    per_gb * gb,
                    f"${per_gb}/GB-month ({free_gb:g} GB free per billing account)",
                    f"artifactRepository.{name}",
                )
            )

    def as_it_is(self, spec: Document, before: Mapping[str, Mapping[str, Any]]) -> Document:
        return spec  # storage is priced by size, not by what can change in place


PRICED = RepositoryCost()
