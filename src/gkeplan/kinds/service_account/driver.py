"""Service accounts through google-cloud-iam's IAM admin client (gRPC)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from google.api_core import exceptions as gexc

from gkeplan.errors import ResourceExists
from gkeplan.gcp.retry import call
from gkeplan.kinds.driver import Attributes, CallContext, Wanted
from gkeplan.kinds.exists import exists_unless_not_found
from gkeplan.plan.model import Change


def _attrs(sa: object) -> Attributes:
    email = str(getattr(sa, "email"))  # noqa: B009 - proto-plus attribute
    return {
        "accountId": email.split("@", 1)[0],
        "displayName": str(getattr(sa, "display_name", "")),
        "description": str(getattr(sa, "description", "")),
    }


def _name(ctx: CallContext, email: str) -> str:
    return f"projects/{ctx.project}/serviceAccounts/{email}"


class ServiceAccountDriver:
    kind = "serviceAccount"

    def read_all(self, ctx: CallContext, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
        if not list(wanted):
            return {}
        client = ctx.conn.iam()
        out: dict[str, Attributes] = {}
        pager = call(
            ctx.conn.timeouts,
            lambda: client.list_service_accounts(
                request={"name": f"projects/{ctx.project}", "page_size": 100}
            ),
        )
        ctx.count()
        for page in pager.pages:
            for sa in page.accounts:
                out[str(sa.email)] = _attrs(sa)
            if page.next_page_token:
                ctx.count()
        return out

    def create(self, ctx: CallContext, change: Change) -> Attributes:
        after = change.after or {}
        client = ctx.conn.iam()
        try:
            sa = call(
                ctx.conn.timeouts,
                lambda: client.create_service_account(
                    request={
                        "name": f"projects/{ctx.project}",
                        "account_id": after["accountId"],
                        "service_account": {
                            "display_name": after["displayName"],
                            "description": after["description"],
                        },
                    }
                ),
            )
        except (gexc.AlreadyExists, gexc.Conflict) as exc:
            raise ResourceExists(str(exc), change.id) from None
        return _attrs(sa)

    def exists(self, ctx: CallContext, name: str) -> bool:
        """Does the account `name` (projects/P/serviceAccounts/EMAIL) exist? Only a 404 says
        no: a 403 says the caller may not look, and the grant's own call will tell."""
        client = ctx.conn.iam()
        return exists_unless_not_found(ctx, lambda: client.get_service_account(name=name))

    def read(self, ctx: CallContext, change: Change) -> Attributes | None:
        client = ctx.conn.iam()
        try:
            sa = call(
                ctx.conn.timeouts,
                lambda: client.get_service_account(name=_name(ctx, change.id)),
            )
        except gexc.NotFound:
            return None
        return _attrs(sa)

    def update(self, ctx: CallContext, change: Change) -> Attributes:
        after = change.after or {}
        client = ctx.conn.iam()
        sa = call(
            ctx.conn.timeouts,
            lambda: client.patch_service_account(
                request={
                    "service_account": {
                        "name": _name(ctx, change.id),
                        "display_name": after["displayName"],
                        "description": after["description"],
                    },
                    "update_mask": {"paths": ["display_name", "description"]},
                }
            ),
        )
        return _attrs(sa) if getattr(sa, "email", "") else dict(after)

    def delete(self, ctx: CallContext, change: Change) -> None:
        client = ctx.conn.iam()
        with contextlib.suppress(gexc.NotFound):  # already gone: the goal of a delete
            call(
                ctx.conn.timeouts,
                lambda: client.delete_service_account(name=_name(ctx, change.id)),
            )
