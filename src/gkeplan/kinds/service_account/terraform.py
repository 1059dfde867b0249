"""google_service_account as a gkeplan service account."""

from __future__ import annotations

from gkeplan.convert.api import (
    Mapping,
    Output,
    TfResource,
    compact,
    keyed,
    same_project,
    state_id,
)


def _translate(res: TfResource, out: Output) -> None:
    key = _KEY(res, out)
    same_project(res)
    account = res.text("account_id")
    if res.flag("disabled"):
        res.leave("disabled", "gkeplan makes accounts enabled", "disable it with gcloud after")
    # create_ignore_already_exists: an existing account is taken over; gkeplan refuses one it
    # did not make unless adopted, which `import --from-terraform` does
    res.skip("create_ignore_already_exists")
    out.put(
        "serviceAccounts",
        key,
        compact(
            {
                "accountId": account if account != key else None,
                "displayName": res.text("display_name"),
                "description": res.text("description"),
            }
        ),
        res,
    )


_KEY = keyed("account_id")
_ID = "{email}"

MAPPINGS = (
    Mapping("google_service_account", "serviceAccount", _translate, _KEY, state_id(_ID), order=10),
)
