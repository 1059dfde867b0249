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


def _quota(text: str) -> tuple[str, float]:
    metric, sep, limit = text.partition("=")
    try:
        value = float(limit)
    except ValueError:
        value = -1.0
    if not sep or not metric or value < 0:
        raise click.BadParameter(
            f"'{text}' is not METRIC=LIMIT (e.g. NVIDIA_L4_GPUS=1)", param_hint="--quota"
        )
    return metric, value


@sandbox.command()
@click.option("--port", type=int, default=0, show_default=True, help="HTTP port (0: any free).")
@click.option(
    "--grpc-port",
    type=int,
    default=0,
    show_default=True,
    help="gRPC port (IAM, Kubernetes Engine, Resource Manager, Secret Manager).",
)
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Persist state to FILE (atomically); a restart keeps everything.",
)
@click.option("--project", default="demo-project", show_default=True)
@click.option(
    "--quota-profile",
    default="free-trial",
    show_default=True,
    help="The project's quotas: free-trial (GCP's Free Trial), default (a new paid project) or "
    "unlimited; free-tier is the old name of free-trial.",
)
@click.option(
    "--quota",
    "quotas",
    multiple=True,
    metavar="METRIC=LIMIT",
    help="The project's own limit over the profile's, e.g. NVIDIA_L4_GPUS=1 or "
    "us-central1/G2_CPUS=8 (one region); repeatable.",
)
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
    quotas: tuple[str, ...],
    latency_profile: str,
    call_latency: float | None,
    operation_seconds: float | None,
    require_auth: bool,
) -> None:
    """Serve the emulator on loopback; the first stdout line is a JSON object of endpoints."""
    from gkeplan_emulator.facts import PROFILE_ALIASES, quota_profile_names
    from gkeplan_emulator.runtime import Emulator
    from gkeplan_emulator.services import grpc_service_names

    if quota_profile in PROFILE_ALIASES:
        new = PROFILE_ALIASES[quota_profile]
        click.echo(f"Warning: --quota-profile {quota_profile} is now {new}", err=True)
        quota_profile = new
    if quota_profile not in quota_profile_names():
        raise click.BadParameter(
            f"known profiles: {', '.join(quota_profile_names())}", param_hint="--quota-profile"
        )
    config = (
        EmulatorConfig.realistic(project=project, quota_profile=quota_profile)
        if latency_profile == "realistic"
        else EmulatorConfig(project=project, quota_profile=quota_profile)
    )
    overrides: dict[str, object] = {
        "require_auth": require_auth,
        "quota_overrides": tuple(_quota(q) for q in quotas),
    }
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


@sandbox.command()
@click.option(
    "--endpoint",
    metavar="URL",
    default=None,
    help="A running `gkeplan sandbox serve` (its HTTP URL); asks it for its gRPC port and project.",
)
@click.option(
    "--port", type=int, default=None, help="Without --endpoint: the HTTP port of a serve."
)
@click.option("--grpc-port", type=int, default=None, help="Without --endpoint: its gRPC port.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--project", default=None, help="Default: the sandbox's (demo-project for a serve).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["sh", "json", "terraform", "gcloud"]),
    default="sh",
    show_default=True,
)
def env(
    endpoint: str | None,
    port: int | None,
    grpc_port: int | None,
    host: str,
    project: str | None,
    fmt: str,
) -> None:
    """Print how Python, gcloud and Terraform reach a sandbox: `eval "$(gkeplan sandbox env
    --endpoint URL)"`, then Google's clients built with no arguments talk to it."""
    from gkeplan_emulator.clientenv import ClientEnv

    if endpoint:
        info = _info(endpoint)
        http, grpc_target = str(info["http"]), str(info["grpc"])
        project = project or str(info["project"])
    elif port is not None and grpc_port is not None:
        http, grpc_target = f"http://{host}:{port}", f"{host}:{grpc_port}"
    else:
        raise click.UsageError(
            "say which sandbox: --endpoint URL of a running `gkeplan sandbox serve`, "
            "or --port and --grpc-port of the one you will start"
        )
    click.echo(ClientEnv(http, grpc_target, project or "demo-project").render(fmt), nl=False)


def _info(endpoint: str) -> dict[str, object]:
    import urllib.error
    import urllib.request

    url = endpoint.rstrip("/") + "/_emulator/info"
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            data = json.load(resp)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise click.ClickException(
            f"no gkeplan sandbox answered at {endpoint} ({exc}); start one with "
            "`gkeplan sandbox serve` and pass the URL it prints"
        ) from None
    if not isinstance(data, dict) or not {"http", "grpc", "project"} <= data.keys():
        raise click.ClickException(f"{endpoint} is not a gkeplan sandbox (no /_emulator/info)")
    return data


if __name__ == "__main__":
    sandbox()
