"""serviceAccount for `import --generate`: the project's user-managed accounts, by account id."""

from __future__ import annotations

from gkeplan.kinds.generating import (
    SERVICE_ACCOUNT_TYPES,
    Found,
    Global,
    LeftOut,
    Listing,
    ListsAll,
    Written,
    entry,
    google_managed_account,
)
from gkeplan.kinds.service_account import IAM_API, ServiceAccount
from gkeplan.spec.refs import SA_EMAIL_SUFFIX

DRIVER = "gkeplan.kinds.service_account.driver:ServiceAccountDriver"


class ServiceAccountGenerator(Global, ListsAll):
    driver = DRIVER
    kind = "serviceAccount"
    reads: tuple[str, ...] = ()
    holds: tuple[str, ...] = ()
    apis: tuple[str, ...] = (IAM_API,)

    def write(self, found: Found, listing: Listing) -> Written:
        managed = google_managed_account(found.id)
        if managed is not None:
            return managed
        if not found.id.endswith(f"@{listing.project}{SA_EMAIL_SUFFIX}"):
            # a user-managed account's email is NAME@PROJECT_ID.iam.gserviceaccount.com
            return LeftOut(
                self.kind,
                found.id,
                "not a user-managed account of the project (GCP created it)",
                SERVICE_ACCOUNT_TYPES,
            )
        a = found.attributes
        return entry(
            listing,
            found,
            ServiceAccount,
            {"displayName": a["displayName"] or None, "description": a["description"] or None},
            "serviceAccounts",
            a["accountId"],
            a["accountId"],
        )


GENERATOR = ServiceAccountGenerator()
