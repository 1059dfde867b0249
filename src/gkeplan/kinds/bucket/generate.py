"""bucket for `import --generate`: the project's Cloud Storage buckets, by name."""

from __future__ import annotations

from gkeplan.kinds.bucket import MULTI_REGIONS, STORAGE_API, Bucket
from gkeplan.kinds.driver import CallContext
from gkeplan.kinds.generating import (
    Found,
    LeftOut,
    Listing,
    Written,
    expressed,
    keyed,
    list_with,
)

DRIVER = "gkeplan.kinds.bucket.driver:BucketDriver"


class BucketGenerator:
    kind = "bucket"
    reads: tuple[str, ...] = ()
    holds: tuple[str, ...] = ()
    apis: tuple[str, ...] = (STORAGE_API,)

    def list(self, ctx: CallContext, listing: Listing) -> list[Found]:
        return list_with(DRIVER, ctx, ["all"], self.kind)

    def region(self, found: Found) -> str | None:
        location = str(found.attributes["location"])
        return None if location in MULTI_REGIONS else location.lower()

    def write(self, found: Found, listing: Listing) -> Written:
        a = found.attributes
        # GCS reports locations in upper case; the spec writes a region as regions are written
        location = a["location"] if a["location"] in MULTI_REGIONS else a["location"].lower()
        value = expressed(
            self.kind,
            found.id,
            Bucket,
            {
                "location": listing.region_of_spec(location),
                "storageClass": a["storageClass"],
                "uniformBucketLevelAccess": a["uniformBucketLevelAccess"],
                "publicAccessPrevention": a["publicAccessPrevention"],
                "versioning": a["versioning"],
                "lifecycleRules": a["lifecycleRules"],
                "labels": a["labels"],
                "logging": a["logging"],
            },
        )
        if isinstance(value, LeftOut):
            return value
        return keyed(listing, found, "buckets", value, found.id, found.id)


GENERATOR = BucketGenerator()
