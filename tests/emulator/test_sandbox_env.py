"""`gkeplan sandbox env`: each format is tested by using it, against a running emulator."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

from click.testing import CliRunner

from gkeplan.cli import cli
from gkeplan_emulator import Emulator

# A user's script: Google's clients built with no endpoint, credentials or project.
SCRIPT = textwrap.dedent(
    """
    from google.cloud import container_v1, resourcemanager_v3, storage

    bucket = storage.Client().create_bucket("env-probe-bucket")
    print("bucket", bucket.name, [b.name for b in storage.Client().list_buckets()])
    grpc_client = container_v1.ClusterManagerClient()
    print("container", type(grpc_client.transport).__name__)
    print(grpc_client.list_clusters(parent="projects/demo-project/locations/-"))
    rest = resourcemanager_v3.ProjectsClient(transport="rest")
    print("project", rest.get_project(name="projects/demo-project").project_id)
    """
)


def env_output(emulator: Emulator, fmt: str) -> str:
    result = CliRunner().invoke(
        cli, ["sandbox", "env", "--endpoint", emulator.endpoints.http, "--format", fmt]
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_sh_output_evaluated_in_a_shell_points_googles_clients_at_the_sandbox(
    emulator: Emulator,
) -> None:
    sh = env_output(emulator, "sh")
    # the script's process asks for the shim, as the output's comment says
    asks = f'eval "$1"; PYTHONPATH="$GKEPLAN_EMULATOR_SHIM" exec {sys.executable} -c "$2"'
    done = subprocess.run(
        ["bash", "-c", asks, "-", sh, SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "bucket env-probe-bucket ['env-probe-bucket']" in done.stdout
    assert "container ClusterManagerGrpcTransport" in done.stdout  # Google's default: gRPC
    assert "project demo-project" in done.stdout
    made = [e.method for e in emulator.requests]
    assert "storage.buckets.insert" in made
    assert "resourcemanager.projects.get" in made


def test_sh_output_leaves_other_pythons_and_gcloud_alone(emulator: Emulator) -> None:
    sh = env_output(emulator, "sh")
    assert "PYTHONPATH=" not in sh.replace('#   PYTHONPATH="$GKEPLAN_EMULATOR_SHIM"', "")
    assert 'PYTHONPATH="$GKEPLAN_EMULATOR_SHIM" python script.py' in sh
    # a Python that did not ask: no shim loaded, nothing printed (gcloud runs one of these)
    probe = "import sys; print('gkeplan_emulator.autoclient' in sys.modules)"
    other = subprocess.run(
        ["bash", "-c", 'eval "$1"; exec "$2" -c "$3"', "-", sh, sys.executable, probe],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (other.returncode, other.stdout, other.stderr) == (0, "False\n", "")


def test_sh_output_prints_no_token(emulator: Emulator) -> None:
    sh = env_output(emulator, "sh")
    assert emulator.backend.identity.applier_token() not in sh
    assert "/_emulator/token" in sh  # where a tool gets one instead


def test_json_output_gives_client_options_per_api_and_transport(emulator: Emulator) -> None:
    from google.cloud import container_v1, resourcemanager_v3

    doc = json.loads(env_output(emulator, "json"))
    creds = emulator.applier_credentials()
    options = doc["python"]["client_options"]
    rest = container_v1.ClusterManagerClient(
        credentials=creds, transport="rest", client_options=options["container"]["rest"]
    )
    assert list(rest.list_clusters(parent="projects/demo-project/locations/-").clusters) == []
    assert options["container"]["grpc"]["api_endpoint"] == emulator.endpoints.grpc
    projects = resourcemanager_v3.ProjectsClient(
        credentials=creds, transport="rest", client_options=options["resourcemanager"]["rest"]
    )
    assert projects.get_project(name="projects/demo-project").project_id == doc["project"]
    assert doc["env"]["STORAGE_EMULATOR_HOST"] == emulator.endpoints.http


def test_terraform_output_is_a_provider_block_of_the_providers_own_arguments(
    emulator: Emulator,
) -> None:
    text = env_output(emulator, "terraform")
    body = re.search(r'^provider "google" \{\n(.*?)^\}\n', text, re.S | re.M)
    assert body, text
    args = dict(re.findall(r'^  (\w+)\s+= "([^"]*)"$', body.group(1), re.M))
    # every argument line parsed (nothing but `name = "value"` in the block)
    assert len(args) == len(body.group(1).strip().splitlines())
    http = emulator.endpoints.http
    assert args["project"] == "demo-project"
    assert args["container_custom_endpoint"] == http + "/v1/"
    assert args["storage_custom_endpoint"] == http + "/storage/v1/"
    assert args["resource_manager_v3_custom_endpoint"] == http + "/v3/"
    assert args["artifact_registry_custom_endpoint"] == http + "/v1/"
    # each base URL is one the emulator serves: the provider appends the API's own path
    from google.cloud import container_v1

    client = container_v1.ClusterManagerClient(
        credentials=emulator.applier_credentials(),
        transport="rest",
        client_options={"api_endpoint": args["container_custom_endpoint"].removesuffix("/v1/")},
    )
    assert client.list_clusters(parent="projects/demo-project/locations/-").clusters == []


def test_gcloud_output_writes_a_configuration_of_its_own(emulator: Emulator) -> None:
    text = env_output(emulator, "gcloud")
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    assert lines[0] == "gcloud config configurations create gkeplan-sandbox --no-activate"
    props: dict[str, str] = {}
    for line in lines[1:]:
        # every property goes to that configuration, never to the active one
        match = re.fullmatch(r"gcloud config set --configuration gkeplan-sandbox (\S+) (\S+)", line)
        assert match, line
        props[match[1]] = match[2]
    http = emulator.endpoints.http
    assert props["api_endpoint_overrides/container"] == http + "/"
    assert props["api_endpoint_overrides/storage"] == http + "/storage/v1/"
    assert props["core/project"] == "demo-project"
    # how to use it and how to switch back
    assert "export CLOUDSDK_ACTIVE_CONFIG_NAME=gkeplan-sandbox" in text
    assert "unset CLOUDSDK_ACTIVE_CONFIG_NAME" in text


def test_env_without_a_sandbox_says_how_to_name_one() -> None:
    result = CliRunner().invoke(cli, ["sandbox", "env"])
    assert result.exit_code == 2
    assert "--endpoint URL" in result.output


def test_env_for_ports_a_serve_will_use() -> None:
    result = CliRunner().invoke(
        cli, ["sandbox", "env", "--port", "8080", "--grpc-port", "8081", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["http"] == "http://127.0.0.1:8080"
    assert doc["grpc"] == "127.0.0.1:8081"
