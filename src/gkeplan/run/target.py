"""Where a run goes: a GCP target (real, sandbox or endpoint) and the state store for it.
The CLI and the library API both go through here."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gkeplan.errors import StateError, UsageError
from gkeplan.files import make_dirs
from gkeplan.gcp.connection import Connection, Endpoints, Timeouts
from gkeplan.spec.base import Document
from gkeplan.state.local import LocalStateStore
from gkeplan.state.model import StateDoc
from gkeplan.state.store import StateStore

DEFAULT_STATE = Path(".gkeplan") / "state.json"
SANDBOX_DIR = Path(".gkeplan") / "sandbox"
ENDPOINT_STATE = Path(".gkeplan") / "endpoint" / "state.json"


@dataclass(frozen=True)
class Target:
    """Where to apply: Google (default), the in-process sandbox, or a running sandbox server."""

    sandbox: bool = False
    endpoint: str | None = None
    impersonate: str | None = None
    sandbox_dir: Path = SANDBOX_DIR

    @property
    def is_google(self) -> bool:
        return not self.sandbox and self.endpoint is None

    @property
    def kind(self) -> str:
        return "sandbox" if self.sandbox else "endpoint" if self.endpoint else "cloud"

    def identity(self) -> dict[str, str]:
        """What the state records of its target."""
        ident = {"kind": self.kind}
        if self.endpoint:
            ident["endpoint"] = self.endpoint
        return ident


_FLAGS = {"cloud": "Google Cloud", "sandbox": "the sandbox (--sandbox)", "endpoint": "--endpoint"}


def _describe(project: str | None, target: dict[str, str]) -> str:
    where = _FLAGS.get(target.get("kind", ""), target.get("kind", "?"))
    if target.get("endpoint"):
        where = f"--endpoint {target['endpoint']}"
    return f"project {project or '(none)'} on {where}"


def check_target(doc: StateDoc | None, spec: Document, target: Target, where: str) -> None:
    """A state describes one project on one target; using it for another would plan the
    deletion of everything it lists, or adopt what it never made."""
    if doc is None:
        return
    if doc.environment and doc.environment != spec.environment:
        # A state with no environment yet (one written before the spec had any) is taken on.
        asked = f"--env {spec.environment}" if spec.environment else "no --env"
        raise StateError(
            f"state {where} was written for environment {doc.environment}, and this run is "
            f"for {asked}; refused: run with --env {doc.environment}, or give this "
            "environment's state (its `state:` in `environments:`, or --state)"
        )
    recorded = doc.target or {}
    kind_differs = bool(recorded) and recorded.get("kind") != target.kind
    # The sandbox server's port changes with each start: an endpoint state follows its kind.
    if (doc.project and doc.project != spec.project) or kind_differs:
        raise StateError(
            f"state {where} describes {_describe(doc.project, recorded or {'kind': '?'})}, not "
            f"{_describe(spec.project, target.identity())}; refused: give this target's state "
            "with --state"
        )


def state_store(
    spec: Document,
    target: Target,
    state_path: str | None = None,
    conn: Connection | None = None,
) -> StateStore:
    """Sandbox state is kept apart from real-cloud state, so a dry run never confuses them."""
    from gkeplan.state.gcs import GcsStateStore, parse_url

    if state_path and state_path.startswith("gs://"):
        bucket, prefix = parse_url(state_path)
    elif state_path:
        return LocalStateStore(local_state_path(state_path))
    elif target.sandbox and spec.state.backend == "local":
        return LocalStateStore(target.sandbox_dir / _env_file(spec))
    elif target.endpoint and spec.state.backend == "local":
        return LocalStateStore(ENDPOINT_STATE.parent / _env_file(spec))
    elif spec.state.backend == "local":
        return LocalStateStore(spec.state.path or DEFAULT_STATE)
    else:
        bucket, prefix = spec.state.bucket or "", spec.state.prefix or ""
    if conn is None:
        raise UsageError("a GCS state backend needs a connection to Cloud Storage")
    # Waiting for the lock is the run's (gkeplan.state.wait), the same for every backend.
    return GcsStateStore(
        conn.storage(),
        bucket,
        prefix,
        retry=storage_retry(conn.timeouts),
    )


def _env_file(spec: Document) -> str:
    """The sandbox's local state: under its own directory, one per `state.path` and per
    environment, so two specs (or environments) in one directory stay apart."""
    if spec.state.path:
        return spec.state.path  # relative, no '..': checked by the State model
    return f"state-{spec.environment}.json" if spec.environment else "state.json"


def storage_retry(timeouts: Timeouts) -> Any:
    """The storage client's retry predicate, with the run's backoff and deadline."""
    from google.cloud.storage.retry import DEFAULT_RETRY

    return DEFAULT_RETRY.with_delay(
        initial=timeouts.initial_backoff_s, maximum=timeouts.max_backoff_s
    ).with_timeout(timeouts.call_deadline_s)


def local_state_path(state_path: str) -> Path:
    """A --state file path, refused as one clear error when it names a directory or a place
    gkeplan cannot write (before anything is created there)."""
    path = Path(state_path).expanduser()
    if path.is_dir() or state_path.endswith(("/", os.sep)):
        raise UsageError(
            f"{state_path} is a directory; give the state file's path, e.g. "
            f"{(path / 'state.json').as_posix()}",
            "--state",
        )
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(
            f"cannot write the state {state_path}: {existing} is not writable", "--state"
        )
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise UsageError(f"cannot read and write the state file {state_path}", "--state")
    return path


@contextlib.contextmanager
def connect(
    spec: Document,
    target: Target,
    timeouts: Timeouts | None = None,
    retry_timeout_s: float | None = None,
) -> Iterator[Connection]:
    with _connect(spec, target) as conn:
        if timeouts is not None:
            conn.timeouts = timeouts
        if retry_timeout_s is not None:
            # one budget per change, which the propagation window may use in full
            conn.timeouts = dataclasses.replace(
                conn.timeouts,
                change_budget_s=retry_timeout_s,
                propagation_window_s=retry_timeout_s,
            )
        yield conn


@contextlib.contextmanager
def _connect(spec: Document, target: Target) -> Iterator[Connection]:
    if target.sandbox:
        from gkeplan_emulator import Emulator, EmulatorConfig

        make_dirs(target.sandbox_dir)
        config = EmulatorConfig(
            project=spec.project,
            quota_profile=SANDBOX_QUOTA_PROFILES[spec.policy.quota_profile or "free-trial"],
            quota_overrides=tuple(sorted(spec.policy.quotas.items())),
        )
        with Emulator(config, state_file=target.sandbox_dir / "emulator.json") as emu:
            yield Connection(
                project=spec.project,
                endpoints=Endpoints(http=emu.endpoints.http, grpc=emu.endpoints.grpc),
                credentials=emu.applier_credentials(),
                timeouts=sandbox_timeouts(),
            )
        return
    if target.endpoint:
        from gkeplan.gcp.sandbox import endpoint_connection

        probe_endpoint(target.endpoint)
        yield endpoint_connection(spec.project, target.endpoint, sandbox_timeouts())
        return
    conn = Connection(project=spec.project, timeouts=Timeouts())
    if target.impersonate:
        conn.credentials = conn.impersonate(target.impersonate)
    yield conn


# The sandbox's project has the quotas the spec says the real one has (its quotaProfile and
# policy.quotas: what was granted), so a spec that plans for granted GPU quota applies there;
# with `live` the plan reads the sandbox project's own quotas, a free trial's unless overridden.
SANDBOX_QUOTA_PROFILES = {
    "free-trial": "free-trial",
    "free-tier": "free-trial",  # its old name
    "default": "default",
    "live": "free-trial",
}


def sandbox_timeouts() -> Timeouts:
    return Timeouts(
        call_deadline_s=30.0,
        initial_backoff_s=0.05,
        max_backoff_s=1.0,
        operation_deadline_s=300.0,
        operation_poll_s=0.2,
        propagation_window_s=30.0,
        connect_timeout_s=CONNECT_TIMEOUT_S,
    )


CONNECT_TIMEOUT_S = 3.0  # a loopback sandbox answers at once; waiting longer helps nobody


def probe_endpoint(url: str) -> None:
    """Fail in seconds, as one line naming --endpoint, when nothing sandbox-like answers."""
    import json
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(
            url.rstrip("/") + "/_emulator/info", timeout=CONNECT_TIMEOUT_S
        ) as resp:
            json.loads(resp.read())["http"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise UsageError(
            f"no gkeplan sandbox answers at {url} ({reason}); start one with "
            "`gkeplan sandbox serve`",
            "--endpoint",
        ) from None
