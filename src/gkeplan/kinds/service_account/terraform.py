"""google_service_account as a gkeplan service account."""

from __future__ import annotations

from typing import Any

from gkeplan.convert import api
from gkeplan.spec.refs import SA_EMAIL_SUFFIX


def _computed(res: api.TfResource, out: api.Output, attr: str) -> Any:
    """An account's email, name/id (projects/P/serviceAccounts/EMAIL) and member, as the
    provider computes them from account_id and the project."""
    if attr not in ("email", "name", "id", "member", "account_id"):
        return None
    account = res.render(res.peek("account_id"))
    if not isinstance(account, str):
        return account
    email = f"{account}@{out.project}{SA_EMAIL_SUFFIX}"
    return {
        "email": email,
        "account_id": account,
        "member": f"serviceAccount:{email}",
    }.get(attr, f"projects/{out.project}/serviceAccounts/{email}")


def _translate(res: api.TfResource, out: api.Output) -> None:
    key = _KEY(res, out)
    api.same_project(res)
    account = res.text("account_id")
    if res.flag("disabled"):
        res.leave("disabled", "gkeplan makes accounts enabled", "disable it with gcloud after")
    # create_ignore_already_exists: an existing account is taken over; gkeplan refuses one it
    # did not make unless adopted, which `import --from-terraform` does
    res.skip("create_ignore_already_exists")
    out.put(
        "serviceAccounts",
        key,
        api.compact(
            {
                "accountId": account if account != key else None,
                "displayName": res.text("display_name"),
                "description": res.text("description"),
            }
        ),
        res,
    )


_KEY = api.keyed("account_id")
_ID = "{email}"

MAPPINGS = (
    api.Mapping(
        "google_service_account",
        "serviceAccount",
        _translate,
        _KEY,
        api.state_id(_ID),
        order=10,
        computed=_computed,
        member="member",
    ),
)
