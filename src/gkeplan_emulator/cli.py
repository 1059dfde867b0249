"""`gkeplan sandbox serve`: the emulator as a server for your own tests and dry runs."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import signal
import sys
import threading

import click

from gkeplan_emulator.config import EmulatorConfig


@click.group()
def sandbox() -> None:
    """Run gkeplan's GCP emulator."""


@sandbox.command()
@click.option("--port", type=int, default=0, show_default=True, help="HTTP port (0: any free).")
@click.option(
    "--grpc-port",
    type=int,
    default=0,
    show_default=True,
    help="gRPC port (IAM, Kubernetes Engine, Resource Manager).",
)
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Persist state to FILE (atomically); a restart keeps everything.",
)
@click.option("--project", default="demo-project", show_default=True)
@click.option("--quota-profile", default="free-tier", show_default=True)
@click.option(
    "--latency-profile", type=click.Choice(["fast", "realistic"]), default="fast", show_default=True
)
@click.option("--call-latency", type=float, default=None, help="Seconds added to every call.")
@click.option(
    "--operation-seconds", type=float, default=None, help="Seconds every GKE operation takes."
)
@click.option(
    "--require-auth",
    is_flag=True,
    help="Cloud Storage calls without credentials (STORAGE_EMULATOR_HOST) are anonymous (401 "
    "for private data) instead of acting as the project owner.",
)
def serve(
    port: int,
    grpc_port: int,
    state_file: str | None,
    project: str,
    quota_profile: str,
    latency_profile: str,
    call_latency: float | None,
    operation_seconds: float | None,
    require_auth: bool,
) -> None:
    """Serve the emulator on loopback; the first stdout line is a JSON object of endpoints."""
    from gkeplan_emulator.facts import quota_profile_names
    from gkeplan_emulator.runtime import Emulator
    from gkeplan_emulator.services import grpc_service_names

    if quota_profile not in quota_profile_names():
        raise click.BadParameter(
            f"known profiles: {', '.join(quota_profile_names())}", param_hint="--quota-profile"
        )
    config = (
        EmulatorConfig.realistic(project=project, quota_profile=quota_profile)
        if latency_profile == "realistic"
        else EmulatorConfig(project=project, quota_profile=quota_profile)
    )
    overrides: dict[str, object] = {"require_auth": require_auth}
    if call_latency is not None:
        overrides["call_latency_s"] = call_latency
    if operation_seconds is not None:
        overrides["operation_s"] = {k: operation_seconds for k in config.operation_s}
    config = dataclasses.replace(config, **overrides)  # type: ignore[arg-type]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with Emulator(config, state_file=state_file, http_port=port, grpc_port=grpc_port) as emu:
        click.echo(
            json.dumps(
                {
                    "http": emu.endpoints.http,
                    "grpc": emu.endpoints.grpc,
                    "grpc_services": grpc_service_names(),
                    # the Google APIs the http endpoint serves, by their method names' prefix
                    "rest_apis": sorted(
                        {r.name.split(".", 1)[0] for r in emu.router.routes} - {"admin"}
                    ),
                    "project": project,
                    "admin": emu.endpoints.http + "/_emulator",
                }
            )
        )
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    sandbox()
