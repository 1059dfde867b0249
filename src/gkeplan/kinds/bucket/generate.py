"""bucket for `import --generate`: the project's Cloud Storage buckets, by name."""

from __future__ import annotations

from gkeplan.kinds import generating as gen
from gkeplan.kinds.bucket import MULTI_REGIONS, STORAGE_API, Bucket

DRIVER = "gkeplan.kinds.bucket.driver:BucketDriver"


class BucketGenerator(gen.ListsAll):
    driver = DRIVER
    kind = "bucket"
    reads: tuple[str, ...] = ()
    holds: tuple[str, ...] = ()
    apis: tuple[str, ...] = (STORAGE_API,)

    def region(self, found: gen.Found) -> str | None:
        location = str(found.attributes["location"])
        return None if location in MULTI_REGIONS else location.lower()

    def write(self, found: gen.Found, listing: gen.Listing) -> gen.Written:
        a = found.attributes
        # GCS reports locations in upper case; the spec writes a region as regions are written
        location = a["location"] if a["location"] in MULTI_REGIONS else a["location"].lower()
        return gen.entry(
            listing,
            found,
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
            "buckets",
            found.id,
            found.id,
        )


GENERATOR = BucketGenerator()
