"""Google's Python clients, unmodified and built with no arguments, pointed at an emulator.

Google's Python libraries read no environment variable for an API endpoint: a GAPIC client's
endpoint comes from `client_options.api_endpoint` or from its universe domain
(`GOOGLE_CLOUD_UNIVERSE_DOMAIN`, which only swaps the `googleapis.com` suffix and keeps TLS on
port 443), and its gRPC channel is TLS unless a channel is handed in. Only google-cloud-storage
has an emulator variable (STORAGE_EMULATOR_HOST, read in `google/cloud/storage/_helpers.py`).
So code that calls `ClusterManagerClient()` as Google's samples do cannot reach a loopback
emulator through configuration alone.

This module closes that gap for a Python process that has `GKEPLAN_EMULATOR_HTTP` set and the
directory of `gkeplan_emulator/sitecustomize/` on PYTHONPATH (`gkeplan sandbox env` exports
the first and names the second, GKEPLAN_EMULATOR_SHIM: a process asks for it, so gcloud's
own Python never runs it). Python runs `sitecustomize` at start-up, which calls
`install()`; it defaults, and only defaults, what a caller left out:

- a GAPIC client (`google.cloud.*.services.*.client`, e.g. ClusterManagerClient, ProjectsClient,
  IAMClient) built without client_options gets `api_endpoint`: the emulator's HTTP URL with
  transport="rest", its gRPC target otherwise (GKEPLAN_EMULATOR_TRANSPORT picks the transport
  when the caller names none, so one sample can be run both ways);
- a gRPC channel to that target uses local channel credentials (the emulator speaks plain gRPC
  on loopback) with the bearer token attached per call, as google-auth attaches it on TLS;
- `googleapiclient.discovery` documents get the emulator as their root URL;
- `google.auth.default()`, when GOOGLE_APPLICATION_CREDENTIALS is unset, answers an access token
  the emulator issues for its applier (fetched from /_emulator/token over loopback when first
  asked for, held in memory only) and the project in GOOGLE_CLOUD_PROJECT;
- google-cloud-storage's Client, which goes anonymous under STORAGE_EMULATOR_HOST, gets those
  default credentials when the caller gave none (the emulator checks IAM like GCP).

Nothing here is imported by the emulator itself or by gkeplan.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import json
import os
import sys
import threading
import urllib.request
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

HTTP_VAR = "GKEPLAN_EMULATOR_HTTP"
GRPC_VAR = "GKEPLAN_EMULATOR_GRPC"
TRANSPORT_VAR = "GKEPLAN_EMULATOR_TRANSPORT"
PROJECT_VAR = "GOOGLE_CLOUD_PROJECT"

_token_lock = threading.Lock()
_token: list[str] = []


def _http() -> str:
    return os.environ[HTTP_VAR].rstrip("/")


def _grpc() -> str:
    return os.environ.get(GRPC_VAR, "")


def emulator_token() -> str:
    """The applier's token, asked of the emulator once per process."""
    with _token_lock:
        if not _token:
            req = urllib.request.Request(
                _http() + "/_emulator/token",
                data=b"{}",
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(req, timeout=10) as resp:
                _token.append(str(json.load(resp)["token"]))
        return _token[0]


def default_credentials() -> Any:
    import google.oauth2.credentials

    return google.oauth2.credentials.Credentials(emulator_token())  # type: ignore[no-untyped-call]


# -- the patches, each applied right after its module runs --------------------------------------
def _patch_auth_default(module: ModuleType) -> None:
    original = module.default

    @functools.wraps(original)
    def default(*args: Any, **kwargs: Any) -> Any:
        if os.environ.get("GOOGLE_APPLICATION_CREDENTIALS"):
            return original(*args, **kwargs)
        return default_credentials(), os.environ.get(PROJECT_VAR)

    setattr(module, "default", default)  # noqa: B010 (a module attribute, patched)


def _patch_grpc_helpers(module: ModuleType) -> None:
    original = module.create_channel

    @functools.wraps(original)
    def create_channel(target: str, credentials: Any = None, *args: Any, **kwargs: Any) -> Any:
        if not _grpc() or target != _grpc():
            return original(target, credentials, *args, **kwargs)
        import grpc
        from google.auth.transport import grpc as auth_grpc
        from google.auth.transport import requests as auth_requests

        creds = credentials or default_credentials()
        plugin = auth_grpc.AuthMetadataPlugin(creds, auth_requests.Request())  # type: ignore[no-untyped-call]
        channel_creds = grpc.composite_channel_credentials(
            grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP),
            grpc.metadata_call_credentials(plugin),
        )
        return grpc.secure_channel(target, channel_creds, options=kwargs.get("options"))

    setattr(module, "create_channel", create_channel)  # noqa: B010


def _wrap_gapic_client(cls: type) -> None:
    original: Callable[..., None] = cls.__init__  # type: ignore[misc]

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        transport = kwargs.get("transport")
        if not args and not kwargs.get("client_options") and transport in (None, "grpc", "rest"):
            chosen = transport or os.environ.get(TRANSPORT_VAR) or "grpc"
            if chosen == "rest":
                kwargs["client_options"] = {"api_endpoint": _http()}
                kwargs["transport"] = "rest"
            elif _grpc():
                kwargs["client_options"] = {"api_endpoint": _grpc()}
                kwargs["transport"] = "grpc"
        original(self, *args, **kwargs)

    cls.__init__ = __init__  # type: ignore[misc]


def _patch_gapic_module(module: ModuleType) -> None:
    for value in list(vars(module).values()):
        is_client = isinstance(value, type) and hasattr(value, "_DEFAULT_ENDPOINT_TEMPLATE")
        if is_client and value.__module__ == module.__name__:
            _wrap_gapic_client(value)


def _patch_discovery(module: ModuleType) -> None:
    original = module.build_from_document

    @functools.wraps(original)
    def build_from_document(service: Any, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("client_options"):
            doc = json.loads(service) if isinstance(service, (str, bytes)) else service
            kwargs["client_options"] = {"api_endpoint": f"{_http()}/{doc['servicePath']}"}
        return original(service, *args, **kwargs)

    setattr(module, "build_from_document", build_from_document)  # noqa: B010


def _patch_storage_client(module: ModuleType) -> None:
    cls = module.Client
    original = cls.__init__

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) < 2 and kwargs.get("credentials") is None:
            kwargs["credentials"] = default_credentials()
        original(self, *args, **kwargs)

    cls.__init__ = __init__


def _patcher_for(name: str) -> Callable[[ModuleType], None] | None:
    if name == "google.auth._default":
        return _patch_auth_default
    if name == "google.api_core.grpc_helpers":
        return _patch_grpc_helpers
    if name == "googleapiclient.discovery":
        return _patch_discovery
    if name == "google.cloud.storage.client":
        return _patch_storage_client
    if name.startswith("google.cloud.") and ".services." in name and name.endswith(".client"):
        return _patch_gapic_module
    return None


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader, patch: Callable[[ModuleType], None]) -> None:
        self.inner = inner
        self.patch = patch

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.inner.exec_module(module)
        self.patch(module)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds nothing itself: wraps the real loader of the few modules it patches."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        patch = _patcher_for(fullname)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _Loader(spec.loader, patch)
                return spec
        return None


def install() -> bool:
    """Patch as above when GKEPLAN_EMULATOR_HTTP is set; True if it did."""
    if not os.environ.get(HTTP_VAR) or any(isinstance(f, _Finder) for f in sys.meta_path):
        return False
    sys.meta_path.insert(0, _Finder())
    for name, module in list(sys.modules.items()):  # already imported: patch in place
        patch = _patcher_for(name)
        if patch is not None and module is not None:
            patch(module)
    return True
