"""What `gkeplan sandbox env` prints: how Python, gcloud and Terraform reach a running emulator.

One table of the APIs the emulator serves, with each tool's own name for the endpoint and the
path that tool expects after the host; four renderings of it (sh, json, terraform, gcloud).
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
    python: str  # the client_options key in the json output
    grpc: bool  # whether the emulator serves it over gRPC too
    # gcloud property api_endpoint_overrides/<gcloud>, whose value keeps gcloud's default path
    # (`gcloud config get api_endpoint_overrides/<name>` prints the default; see
    # https://cloud.google.com/sdk/gcloud/reference/topic/endpoint-override)
    gcloud: str
    gcloud_path: str
    # Terraform google provider argument and the path of its default base URL
    # (argument names: hashicorp/terraform-provider-google google/fwmodels/provider_model.go;
    # default base paths: google/transport/config.go DefaultBasePaths)
    terraform: tuple[tuple[str, str], ...]


APIS: tuple[Api, ...] = (
    # container: gcloud default https://container.googleapis.com/; Terraform
    # ContainerBasePathKey "https://container.googleapis.com/v1/"
    Api("container", True, "container", "/", (("container_custom_endpoint", "/v1/"),)),
    # storage: gcloud default https://storage.googleapis.com/storage/v1/; Terraform
    # StorageBasePathKey "https://storage.googleapis.com/storage/v1/"
    Api(
        "storage", False, "storage", "/storage/v1/", (("storage_custom_endpoint", "/storage/v1/"),)
    ),
    # iam: gcloud default https://iam.googleapis.com/; Terraform IAMBasePathKey ".../v1/"
    Api("iam", True, "iam", "/", (("iam_custom_endpoint", "/v1/"),)),
    # iamcredentials: gcloud https://iamcredentials.googleapis.com/; Terraform
    # IamCredentialsBasePathKey ".../v1/"
    Api(
        "iamcredentials",
        False,
        "iamcredentials",
        "/",
        (("iam_credentials_custom_endpoint", "/v1/"),),
    ),
    # Resource Manager: gcloud https://cloudresourcemanager.googleapis.com/; Terraform
    # ResourceManagerV3BasePathKey ".../v3/" (the emulator serves v3, and v1's projects.get and
    # IAM policy calls, which gcloud projects uses)
    Api(
        "resourcemanager",
        True,
        "cloudresourcemanager",
        "/",
        (("resource_manager_v3_custom_endpoint", "/v3/"),),
    ),
    # compute: gcloud https://compute.googleapis.com/compute/v1/; Terraform ComputeBasePathKey
    # "https://compute.googleapis.com/compute/v1/"
    Api(
        "compute", False, "compute", "/compute/v1/", (("compute_custom_endpoint", "/compute/v1/"),)
    ),
    # Artifact Registry: gcloud https://artifactregistry.googleapis.com/; Terraform
    # ArtifactRegistryBasePathKey "https://artifactregistry.googleapis.com/v1/"
    Api(
        "artifactregistry",
        False,
        "artifactregistry",
        "/",
        (("artifact_registry_custom_endpoint", "/v1/"),),
    ),
    # Secret Manager: gcloud https://secretmanager.googleapis.com/ (`gcloud config get
    # api_endpoint_overrides/secretmanager`, SDK 528); Terraform SecretManagerBasePathKey
    # "https://secretmanager.googleapis.com/v1/" (google/transport/config.go)
    Api(
        "secretmanager",
        True,
        "secretmanager",
        "/",
        (("secret_manager_custom_endpoint", "/v1/"),),
    ),
    # serviceusage: gcloud https://serviceusage.googleapis.com/; Terraform
    # ServiceUsageBasePathKey ".../v1/"
    Api(
        "serviceusage",
        False,
        "serviceusage",
        "/",
        (("service_usage_custom_endpoint", "/v1/"),),
    ),
)


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
        for api in APIS:
            env[f"CLOUDSDK_API_ENDPOINT_OVERRIDES_{api.gcloud.upper()}"] = (
                self.http + api.gcloud_path
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
        for api in APIS:
            ways = {"rest": {"api_endpoint": self.http}}
            if api.grpc:
                ways["grpc"] = {"api_endpoint": self.grpc}
            out[api.python] = ways
        return out

    def terraform_endpoints(self) -> dict[str, str]:
        return {name: self.http + path for api in APIS for name, path in api.terraform}

    def gcloud_properties(self) -> dict[str, str]:
        props = {f"api_endpoint_overrides/{a.gcloud}": self.http + a.gcloud_path for a in APIS}
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
