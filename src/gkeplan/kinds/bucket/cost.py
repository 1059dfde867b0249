"""The monthly cost of buckets (`Kind.cost`): their storage class at an assumed size
(policy parameter `bucketGb`, 10 GB unless set)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gkeplan.catalog import PriceTable
from gkeplan.kinds.bucket import buckets
from gkeplan.policy.cost import CostEstimate, CostLine
from gkeplan.spec.base import Document


class BucketCost:
    kinds = ("bucket",)

    def price(
        self, spec: Document, prices: PriceTable, params: Mapping[str, Any], est: CostEstimate
    ) -> None:
        for name, bucket in buckets(spec).items():
            region = (bucket.location or spec.region).lower()
            price = prices.storage_gb_month(region, bucket.storage_class)
            per_gb = price or 0.0
            gb = float(params.get("bucketGb", 10))
            est.lines.append(
                CostLine(
                    f"bucket {name}: {bucket.storage_class}, {gb:g} GB assumed",
                    per_gb * gb,
                    per_gb * gb,
                    f"${per_gb}/GB-month"
                    if price is not None
                    else f"{bucket.storage_class} in {region} is not in the price table",
                    f"bucket.{name}",
                )
            )

    def as_it_is(self, spec: Document, before: Mapping[str, Mapping[str, Any]]) -> Document:
        return spec  # a bucket's price does not depend on what can change in place


PRICED = BucketCost()
