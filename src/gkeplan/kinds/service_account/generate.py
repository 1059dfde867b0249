"""serviceAccount for `import --generate`: the project's user-managed accounts, by account id."""

from __future__ import annotations

from gkeplan.kinds import generating as gen
from gkeplan.kinds.service_account import IAM_API, ServiceAccount
from gkeplan.spec.refs import SA_EMAIL_SUFFIX

DRIVER = "gkeplan.kinds.service_account.driver:ServiceAccountDriver"


class ServiceAccountGenerator(gen.Global, gen.ListsAll):
    driver = DRIVER
    kind = "serviceAccount"
    reads: tuple[str, ...] = ()
    holds: tuple[str, ...] = ()
    apis: tuple[str, ...] = (IAM_API,)

    def write(self, found: gen.Found, listing: gen.Listing) -> gen.Written:
        managed = gen.google_managed_account(found.id)
        if managed is not None:
            return managed
        if not found.id.endswith(f"@{listing.project}{SA_EMAIL_SUFFIX}"):
            # a user-managed account's email is NAME@PROJECT_ID.iam.gserviceaccount.com
            return gen.LeftOut(
                self.kind,
                found.id,
                "not a user-managed account of the project (GCP created it)",
                gen.SERVICE_ACCOUNT_TYPES,
            )
        a = found.attributes
        return gen.entry(
            listing,
            found,
            ServiceAccount,
            {"displayName": a["displayName"] or None, "description": a["description"] or None},
            "serviceAccounts",
            a["accountId"],
            a["accountId"],
        )


GENERATOR = ServiceAccountGenerator()
