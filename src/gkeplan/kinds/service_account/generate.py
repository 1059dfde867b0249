"""serviceAccount for `import --generate`: the project's user-managed accounts, by account id."""

from __future__ import annotations

from gkeplan.kinds.driver import CallContext
from gkeplan.kinds.generating import (
    SERVICE_ACCOUNT_TYPES,
    Found,
    Global,
    LeftOut,
    Listing,
    Written,
    expressed,
    google_managed_account,
    keyed,
    list_with,
)
from gkeplan.kinds.service_account import IAM_API, ServiceAccount
from gkeplan.spec.refs import SA_EMAIL_SUFFIX

DRIVER = "gkeplan.kinds.service_account.driver:ServiceAccountDriver"


class ServiceAccountGenerator(Global):
    kind = "serviceAccount"
    reads: tuple[str, ...] = ()
    holds: tuple[str, ...] = ()
    apis: tuple[str, ...] = (IAM_API,)

    def list(self, ctx: CallContext, listing: Listing) -> list[Found]:
        return list_with(DRIVER, ctx, ["all"], self.kind)

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
        value = expressed(
            self.kind,
            found.id,
            ServiceAccount,
            {"displayName": a["displayName"] or None, "description": a["description"] or None},
        )
        if isinstance(value, LeftOut):
            return value
        return keyed(listing, found, "serviceAccounts", value, a["accountId"], a["accountId"])


GENERATOR = ServiceAccountGenerator()
