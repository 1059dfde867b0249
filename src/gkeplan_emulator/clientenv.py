"""What `gkeplan sandbox env` prints: how Python, gcloud and Terraform reach a running emulator.

Each emulated service declares how each tool names its endpoint and the path that tool expects
after the host (`ServiceSpec.endpoint`); four renderings of them (sh, json, terraform, gcloud).
Tokens are never printed: each format says where to get one (POST /_emulator/token, loopback
only), and the Python shim (autoclient.py) fetches its own.
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gkeplan_emulator.service import ClientEndpoint

FORMATS = ("sh", "json", "terraform", "gcloud")
SHIM_VAR = "GKEPLAN_EMULATOR_SHIM"

SHIM_DIR = Path(__file__).resolve().parent / "sitecustomize"
# The gcloud configuration the gcloud format writes to: the person's own (the active one)
# stays as it is. `gcloud config configurations create NAME --no-activate` makes one without
# switching to it; `--configuration NAME` or CLOUDSDK_ACTIVE_CONFIG_NAME=NAME selects it for
# one call or one shell (`gcloud topic configurations`; `gcloud config configurations create
# --help`: "--activate ... Enabled by default, use --no-activate to disable").
GCLOUD_CONFIGURATION = "gkeplan-sandbox"


@dataclass(frozen=True)
class Api:
    """One API as the tools reach it: the service's own endpoint facts, and whether the
    emulator serves it over gRPC too."""

    endpoint: ClientEndpoint
    grpc: bool


def apis() -> list[Api]:
    """Every emulated service that clients reach, by its Python name (the order printed)."""
    from gkeplan_emulator.services import services

    found = [Api(s.endpoint, s.transcoded is not None) for s in services() if s.endpoint]
    return sorted(found, key=lambda a: a.endpoint.python)


@dataclass(frozen=True)
class ClientEnv:
    http: str  # http://127.0.0.1:PORT
    grpc: str  # 127.0.0.1:PORT
    project: str

    @property
    def token_url(self) -> str:
        return self.http + "/_emulator/token"

    def variables(self) -> dict[str, str]:
        """Environment variables for a shell: harmless to every program that does not read
        them. The Python shim is not among them (a PYTHONPATH runs it in every Python of the
        shell, gcloud's own included): a process asks for it, see python_variables()."""
        env = {
            "GKEPLAN_EMULATOR_HTTP": self.http,
            "GKEPLAN_EMULATOR_GRPC": self.grpc,
            "GKEPLAN_EMULATOR_TOKEN_URL": self.token_url,
            # where the shim is, for the process that asks for it (PYTHONPATH=$this)
            SHIM_VAR: str(SHIM_DIR),
            "GOOGLE_CLOUD_PROJECT": self.project,
            # read by google-cloud-storage (google/cloud/storage/_helpers.py
            # _get_storage_emulator_override)
            "STORAGE_EMULATOR_HOST": self.http,
            # gcloud: a property category/name is also CLOUDSDK_CATEGORY_NAME
            # (https://cloud.google.com/sdk/gcloud/reference/config); for this shell only
            "CLOUDSDK_CORE_PROJECT": self.project,
        }
        for api in apis():
            ends = api.endpoint
            env[f"CLOUDSDK_API_ENDPOINT_OVERRIDES_{ends.gcloud.upper()}"] = (
                self.http + ends.gcloud_path
            )
        return env

    def python_variables(self, pythonpath: str | None = None) -> dict[str, str]:
        """variables() and the shim on PYTHONPATH (before `pythonpath`, the process's own):
        for one Python process that asks for the shim (an unmodified Google sample)."""
        shim = str(SHIM_DIR) + (os.pathsep + pythonpath if pythonpath else "")
        return {**self.variables(), "PYTHONPATH": shim}

    def client_options(self) -> dict[str, dict[str, dict[str, str]]]:
        """Per API and transport, the client_options and transport to build a client with."""
        out: dict[str, dict[str, dict[str, str]]] = {}
        for api in apis():
            ways = {"rest": {"api_endpoint": self.http}}
            if api.grpc:
                ways["grpc"] = {"api_endpoint": self.grpc}
            out[api.endpoint.python] = ways
        return out

    def terraform_endpoints(self) -> dict[str, str]:
        return {name: self.http + path for api in apis() for name, path in api.endpoint.terraform}

    def gcloud_properties(self) -> dict[str, str]:
        props = {
            f"api_endpoint_overrides/{a.endpoint.gcloud}": self.http + a.endpoint.gcloud_path
            for a in apis()
        }
        props["core/project"] = self.project
        return props

    # -- renderings -------------------------------------------------------------------------
    def render(self, fmt: str) -> str:
        if fmt == "sh":
            return self.sh()
        if fmt == "json":
            return self.json()
        if fmt == "terraform":
            return self.terraform()
        if fmt == "gcloud":
            return self.gcloud()
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")

    def sh(self) -> str:
        lines = [
            '# eval "$(gkeplan sandbox env)": Google\'s clients in this shell reach the sandbox',
            "# (gcloud through CLOUDSDK_* variables of this shell; its configuration untouched).",
            "# A Python script that builds clients with no arguments (ClusterManagerClient())",
            "# asks for the shim that points them here:",
            f'#   PYTHONPATH="${SHIM_VAR}" python script.py',
        ]
        lines += [f"export {key}={shlex.quote(value)}" for key, value in self.variables().items()]
        return "\n".join(lines) + "\n"

    def json(self) -> str:
        doc: dict[str, Any] = {
            "http": self.http,
            "grpc": self.grpc,
            "project": self.project,
            "token_url": self.token_url,
            "env": self.variables(),
            "python": {"client_options": self.client_options()},
            "gcloud": self.gcloud_properties(),
            "terraform": self.terraform_endpoints(),
        }
        return json.dumps(doc, indent=2) + "\n"

    def terraform(self) -> str:
        endpoints = self.terraform_endpoints()
        width = max(len(k) for k in [*endpoints, "project", "access_token"])
        lines = [
            "# The sandbox's endpoints for the google provider. Credentials: a token from",
            f"#   curl -s -X POST {self.token_url} -d '{{}}'",
            # the provider's own argument (provider_model.go, as above)
            "# as the provider's access_token argument (access_token = var.sandbox_token).",
            'provider "google" {',
            f'  {"project".ljust(width)} = "{self.project}"',
        ]
        lines += [f'  {k.ljust(width)} = "{v}"' for k, v in endpoints.items()]
        lines.append("}")
        return "\n".join(lines) + "\n"

    def gcloud(self) -> str:
        name = GCLOUD_CONFIGURATION
        lines = [
            f"# gcloud against the sandbox, in a configuration of its own ({name}): yours",
            "# stays active and unchanged. (A second run: the create line says it exists.)",
            f"gcloud config configurations create {name} --no-activate",
        ]
        lines += [
            f"gcloud config set --configuration {name} {k} {shlex.quote(v)}"
            for k, v in self.gcloud_properties().items()
        ]
        lines += [
            "# Credentials: write a token from",
            f"#   curl -s -X POST {self.token_url} -d '{{}}'",
            f"# to a file and `gcloud config set --configuration {name} auth/access_token_file "
            "FILE`.",
            f"# Use it for one command with `gcloud --configuration {name} ...`, or in this shell",
            f"# with `export CLOUDSDK_ACTIVE_CONFIG_NAME={name}`; switch back with",
            "# `unset CLOUDSDK_ACTIVE_CONFIG_NAME`, and remove it with",
            f"# `gcloud config configurations delete {name}`.",
        ]
        return "\n".join(lines) + "\n"
