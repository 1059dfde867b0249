"""Google's errors as a person reads them: one line with the call in words, the status and
Google's message, what ErrorInfo names and the next step; the request URL and the details'
protobuf text only with --debug. Real 403s of `gkeplan sandbox serve`, through the CLI."""

from __future__ import annotations

import pytest
import requests
from google.api_core import exceptions as gexc

from gkeplan.gcp.errors import render

from .cli_sandbox import User, server, user

__all__ = ["server", "user"]

# The emulator answers a project the caller cannot reach as IAM does: 403 PERMISSION_DENIED,
# "Permission 'P' denied on resource 'R' (or it may not exist).", ErrorInfo reason
# IAM_PERMISSION_DENIED with metadata {permission, resource} (sources in gcp/errors.py).
LINE = (
    "Error: list service accounts in project demo-project-2: 403 PERMISSION_DENIED: "
    "Permission 'iam.serviceAccounts.list' denied on resource 'projects/demo-project-2' "
    "(or it may not exist). (reason IAM_PERMISSION_DENIED, permission "
    "iam.serviceAccounts.list); check that project demo-project-2 exists and that the caller "
    "has iam.serviceAccounts.list on it"
)


def _plan_elsewhere(user: User, *extra: str) -> str:
    result = user.run("plan", str(user.spec), "--var", "PROJECT_ID=demo-project-2", *extra)
    assert result.exit_code == 1, result.output
    return result.output


def test_a_403_is_one_line_with_the_call_the_permission_and_the_next_step(
    user: User, caplog: pytest.LogCaptureFixture
) -> None:
    output = _plan_elsewhere(user)
    errors = [ln for ln in output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, output
    assert errors[0].startswith(LINE), output
    # the API preflight's own 403 (over REST) is a warning in the same words, not "propagating"
    # (a warning on stderr through logging's last-resort handler; pytest captures it here)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(
        w.startswith(
            "could not check which APIs are enabled in project demo-project-2: 403 "
            "PERMISSION_DENIED: Permission 'serviceusage.services.get' denied"
        )
        for w in warnings
    ), warnings
    for text in (output, *warnings):
        assert "propagat" not in text.lower()
        assert "http://" not in text and "?names=" not in text


def test_no_url_query_string_or_protobuf_text_without_debug(user: User) -> None:
    output = _plan_elsewhere(user)
    for leak in ("http://", "https://", "?names=", "$alt", "metadata {", 'key: "', "@type"):
        assert leak not in output, (leak, output)


def test_debug_adds_the_details_after_the_line(user: User) -> None:
    output = _plan_elsewhere(user, "--debug")
    assert LINE in output
    assert "metadata {" in output and 'value: "iam.serviceAccounts.list"' in output


def test_debug_names_the_request_of_a_rest_error(user: User) -> None:
    # Service Usage over REST, as the preflight calls it, for a project the caller cannot reach
    http = user.sandbox.http
    token = requests.post(http + "/_emulator/token", json={}, timeout=10).json()["token"]
    url = http + "/v1/projects/demo-project-2/services:batchGet?names=x"
    response = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    # untyped in some google-api-core releases, typed in others: reached as an attribute
    exc = getattr(gexc, "from_http_response")(response)  # noqa: B009
    assert exc.code == 403
    line = render(exc)
    assert line.startswith("get services in project demo-project-2: 403 PERMISSION_DENIED: ")
    assert "http" not in line and "?names" not in line
    assert f"request: GET {url}" in render(exc, debug=True)
