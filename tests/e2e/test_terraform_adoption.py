"""From the tutorial's Terraform to gkeplan, through the CLI against `gkeplan sandbox serve`:
`convert` writes a spec; what that Terraform made is created in the sandbox with Google's
clients (its names and settings) with the terraform.tfstate it would have;
`import --from-terraform --write` adopts it, and `plan` then has nothing to do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from google.cloud import container_v1 as gke
from google.iam.v1 import policy_pb2

from gkeplan.state.local import LocalStateStore

from .cli_sandbox import Sandbox, User, server, user

__all__ = ["server", "user"]

TUTORIAL = Path(__file__).resolve().parents[1] / "data" / "terraform" / "tf-serving-gke"
P = "demo-project"
ADMIN = f"gke-admin@{P}.iam.gserviceaccount.com"
NODE = f"gke-node@{P}.iam.gserviceaccount.com"
GOOGLE = 'provider["registry.terraform.io/hashicorp/google"]'
# project roles of the tutorial's modules/iam/main.tf: (Terraform name, role, account)
PROJECT_ROLES = [
    ("binding_sa_gke_admin", "roles/container.admin", ADMIN),
    ("binding_sa_compute_viewer", "roles/compute.viewer", ADMIN),
    ("binding_sa_user", "roles/iam.serviceAccountUser", ADMIN),
    ("binding_node_sa", "roles/container.nodeServiceAccount", NODE),
]
SCOPES = [
    "https://www.googleapis.com/auth/cloud-platform",
    "https://www.googleapis.com/auth/devstorage.read_only",
]


def _terraform_made(sandbox: Sandbox) -> list[dict[str, Any]]:
    """What `terraform apply -var include_module_storage=true` of the tutorial makes, made
    with Google's clients, and the state resources Terraform records for it."""
    conn = sandbox.conn()
    iam, projects = conn.iam(), conn.projects()
    resources: list[dict[str, Any]] = []
    resources += _accounts(
        sandbox,
        "module.iam",
        [
            ("sa_gke_admin", "gke-admin", "GKE Service Account (Admin)"),
            ("sa_gke_node", "gke-node", "GKE Node Service Account"),
        ],
    )
    policy = projects.get_iam_policy(request={"resource": f"projects/{P}"})
    for name, role, email in PROJECT_ROLES:
        policy.bindings.add(role=role, members=[f"serviceAccount:{email}"])
        resources.append(
            _resource(
                "module.iam",
                "google_project_iam_binding",
                name,
                {
                    "project": P,
                    "role": role,
                    "members": [f"serviceAccount:{email}"],
                    "id": f"{P}/{role}",
                    "condition": [],
                },
            )
        )
    projects.set_iam_policy(request={"resource": f"projects/{P}", "policy": policy})
    sa_name = f"projects/{P}/serviceAccounts/{ADMIN}"
    sa_policy = policy_pb2.Policy()
    sa_policy.bindings.add(
        role="roles/iam.serviceAccountTokenCreator", members=["user:you@example.com"]
    )
    iam.set_iam_policy(request={"resource": sa_name, "policy": sa_policy})
    resources.append(
        _resource(
            "module.iam",
            "google_service_account_iam_binding",
            "admin_account_iam",
            {
                "service_account_id": sa_name,
                "role": "roles/iam.serviceAccountTokenCreator",
                "members": ["user:you@example.com"],
                "condition": [],
            },
        )
    )
    storage = conn.storage()
    bucket = storage.bucket(f"{P}-bucket")
    # the provider sends uniform_bucket_level_access false and no public access prevention
    bucket.iam_configuration.uniform_bucket_level_access_enabled = False
    storage.create_bucket(bucket, location="us-central1")
    resources.append(
        {
            **_resource(
                "module.storage",
                "google_storage_bucket",
                "storage_bucket",
                {
                    "name": f"{P}-bucket",
                    "location": "US-CENTRAL1",
                    "force_destroy": True,
                    "project": P,
                    "uniform_bucket_level_access": False,
                    "public_access_prevention": "inherited",
                    "storage_class": "STANDARD",
                },
                index=0,
            )
        }
    )
    container = conn.container()
    zone = f"projects/{P}/locations/us-central1-c"
    # What GKE reports for what the provider leaves unset, as Terraform's state records it:
    # "GKE ... enrolls Standard clusters, by default, in a release channel" (docs.cloud.google
    # .com/kubernetes-engine/docs/how-to/release-channels), the Regular one when no version is
    # asked for (googleapis/google-cloud-java#9441); Shielded GKE Nodes "by default" from 1.18;
    # node auto-upgrade always on in a release channel, and auto-repair on by default.
    pool = gke.NodePool(
        name="sd-node-pool",
        initial_node_count=1,
        management=gke.NodeManagement(auto_repair=True, auto_upgrade=True),
        autoscaling=gke.NodePoolAutoscaling(enabled=True, min_node_count=1, max_node_count=2),
        config=gke.NodeConfig(
            machine_type="n2-standard-4",
            preemptible=True,
            service_account=NODE,
            oauth_scopes=SCOPES,
            shielded_instance_config=gke.ShieldedInstanceConfig(
                enable_secure_boot=False, enable_integrity_monitoring=True
            ),
        ),
    )
    # Terraform's create makes a default pool, deletes it, then creates sd-node-pool: the
    # cluster ends holding that one pool, which is what it is made with here.
    cluster = gke.Cluster(
        name="sd-cluster",
        node_pools=[pool],
        release_channel=gke.ReleaseChannel(channel=gke.ReleaseChannel.Channel.REGULAR),
        shielded_nodes=gke.ShieldedNodes(enabled=True),
    )
    container.create_cluster(parent=zone, cluster=cluster)
    resources.append(
        _resource(
            "module.gke_cluster",
            "google_container_cluster",
            "primary",
            {
                "name": "sd-cluster",
                "location": "us-central1-c",
                "project": P,
                "id": f"{zone}/clusters/sd-cluster",
                "remove_default_node_pool": True,
                "initial_node_count": 1,
            },
        )
    )
    resources.append(
        _resource(
            "module.gke_cluster",
            "google_container_node_pool",
            "primary_preemptible_nodes",
            {
                "name": "sd-node-pool",
                "cluster": "sd-cluster",
                "location": "us-central1-c",
                "project": P,
                "node_count": 1,
                "id": f"{zone}/clusters/sd-cluster/nodePools/sd-node-pool",
            },
        )
    )
    resources.append(
        {
            "mode": "managed",
            "type": "time_sleep",
            "name": "wait_60_seconds",
            "provider": 'provider["registry.terraform.io/hashicorp/time"]',
            "instances": [{"schema_version": 0, "attributes": {"create_duration": "60s"}}],
        }
    )
    return resources


def _accounts(
    sandbox: Sandbox, module: str, accounts: list[tuple[str, str, str]]
) -> list[dict[str, Any]]:
    """Service accounts (Terraform name, account id, display name) made with IAM's client,
    and their state resources."""
    out = []
    for name, account, display in accounts:
        made = (
            sandbox.conn()
            .iam()
            .create_service_account(
                request={
                    "name": f"projects/{P}",
                    "account_id": account,
                    "service_account": {"display_name": display},
                }
            )
        )
        attributes = {
            "account_id": account,
            "display_name": display,
            "email": made.email,
            "id": made.name,
            "name": made.name,
            "project": P,
            "unique_id": made.unique_id,
        }
        out.append(_resource(module, "google_service_account", name, attributes))
    return out


def _resource(
    module: str, type_: str, name: str, attributes: dict[str, Any], index: int | None = None
) -> dict[str, Any]:
    instance: dict[str, Any] = {"schema_version": 0, "attributes": attributes}
    if index is not None:
        instance["index_key"] = index
    return {
        "module": module,
        "mode": "managed",
        "type": type_,
        "name": name,
        "provider": GOOGLE,
        "instances": [instance],
    }


def _tfstate(resources: list[dict[str, Any]], serial: int = 14) -> str:
    return json.dumps(
        {
            "version": 4,
            "terraform_version": "1.5.7",
            "serial": serial,
            "lineage": "3f1c2d7e-6a55-4b8e-9d3a-1c2b3a4d5e6f",
            "outputs": {},
            "resources": resources,
        }
    )


def _converted(user: User) -> Path:
    folder = user.tmp / "infrastrcture"
    shutil.copytree(TUTORIAL, folder)
    out = user.tmp / "converted.yaml"
    done = user.run(
        "convert",
        str(folder),
        "--var",
        "include_module_storage=true",
        "--out",
        str(out),
        state=False,
        endpoint=False,
    )
    assert done.exit_code == 0, done.output
    return out


def test_the_tutorial_converts_to_a_spec_that_validates(user: User) -> None:
    out = _converted(user)
    checked = user.run("validate", str(out), state=False, endpoint=False)
    assert checked.exit_code == 0, checked.output
    assert "(10 resources; 0 errors" in checked.output


def test_adopting_what_terraform_made_plans_no_change(user: User) -> None:
    out = _converted(user)
    state = user.tmp / "terraform.tfstate"
    state.write_text(_tfstate(_terraform_made(user.sandbox)))
    # the gcs backend keeps the state at gs://BUCKET/PREFIX/default.tfstate
    storage = user.sandbox.conn().storage()
    backend = storage.create_bucket(f"{P}-tfstate", location="us-central1")
    backend.blob("terraform/state/default.tfstate").upload_from_string(state.read_text())
    remote = f"gs://{P}-tfstate/terraform/state/default.tfstate"
    dry = user.run("import", "--from-terraform", remote, "--spec", str(out))
    assert dry.exit_code == 0, dry.output
    assert "Would adopt 10 resources; nothing was written" in dry.output
    assert LocalStateStore(user.state).read() is None
    done = user.run("import", "--from-terraform", str(state), "--spec", str(out), "--write")
    assert done.exit_code == 0, done.output
    assert "  module.gke_cluster.google_container_cluster.primary -> cluster.sd-cluster\n" in (
        done.output
    )
    assert "time_sleep.wait_60_seconds: not a Google resource" in done.output
    assert "Adopted 10 resources into gkeplan's state" in done.output
    plan = user.run("plan", str(out))
    assert plan.exit_code == 0, plan.output
    assert "No changes." in plan.output


def test_an_older_serial_of_the_same_terraform_state_is_refused(user: User) -> None:
    out = _converted(user)
    made = _terraform_made(user.sandbox)
    state = user.tmp / "terraform.tfstate"
    state.write_text(_tfstate(made, serial=14))
    assert (
        user.run("import", "--from-terraform", str(state), "--spec", str(out), "--write").exit_code
        == 0
    )
    written = user.state.read_text()
    state.write_text(_tfstate(made, serial=9))
    old = user.run("import", "--from-terraform", str(state), "--spec", str(out), "--write")
    assert old.exit_code == 1
    assert "serial 9 is older than serial 14 of the same Terraform state" in old.output
    assert user.state.read_text() == written


def test_a_state_of_another_provider_or_format_is_one_error_and_writes_nothing(
    user: User,
) -> None:
    out = _converted(user)
    state = user.tmp / "terraform.tfstate"
    aws = {
        "mode": "managed",
        "type": "aws_s3_bucket",
        "name": "models",
        "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
        "instances": [{"attributes": {"bucket": "models"}}],
    }
    cases = {
        _tfstate([aws]): "holds no resource of the Google provider (its providers: "
        'provider["registry.terraform.io/hashicorp/aws"])',
        json.dumps(
            {"version": 3, "serial": 1, "lineage": "x", "modules": [], "resources": []}
        ): "Terraform state format version 3; gkeplan reads version 4",
        "{not json": "not a Terraform state: not JSON",
    }
    for text, message in cases.items():
        state.write_text(text)
        done = user.run("import", "--from-terraform", str(state), "--spec", str(out), "--write")
        assert done.exit_code == 1
        errors = [line for line in done.output.splitlines() if line.startswith("Error")]
        assert len(errors) == 1 and message in errors[0], done.output
        assert not user.state.exists()


def test_what_the_spec_does_not_declare_is_listed_and_never_adopted(user: User) -> None:
    out = _converted(user)
    made = _terraform_made(user.sandbox)
    extra = (
        user.sandbox.conn()
        .iam()
        .create_service_account(
            request={"name": f"projects/{P}", "account_id": "ci-runner", "service_account": {}}
        )
    )
    made.append(_resource("", "google_service_account", "ci", {"email": extra.email, "project": P}))
    state = user.tmp / "terraform.tfstate"
    state.write_text(_tfstate(made))
    done = user.run("import", "--from-terraform", str(state), "--spec", str(out), "--write")
    assert done.exit_code == 0, done.output
    assert f"google_service_account.ci: the spec does not declare {extra.email}" in done.output
    held = LocalStateStore(user.state).read()
    assert held is not None
    assert extra.email not in {r.id for r in held.resources.values()}
    assert len(held.resources) == 10


WORDPRESS = TUTORIAL.parent / "wordpress-persistent-disks"


def _wordpress_made(sandbox: Sandbox) -> list[dict[str, Any]]:
    """What `terraform apply -var project_id=demo-project` of the WordPress quickstart makes on
    the Google side (its Cloud SQL and Kubernetes objects left out), with its state."""
    conn = sandbox.conn()
    iam, projects, container = conn.iam(), conn.projects(), conn.container()
    resources: list[dict[str, Any]] = []
    resources += _accounts(
        sandbox,
        "",
        [
            ("gke_node_sa", "gke-service-account", "GKE Node SA (wordpress-cluster)"),
            (
                "wordpress_app_sa",
                "wordpress-service-account",
                "WordPress App SA (wordpress-cluster)",
            ),
        ],
    )
    emails = {r["name"]: r["instances"][0]["attributes"]["email"] for r in resources}
    zone = f"projects/{P}/locations/us-east1-b"
    pool = gke.NodePool(
        name="wordpress-cluster-node-pool",
        initial_node_count=1,
        management=gke.NodeManagement(auto_repair=True, auto_upgrade=True),
        config=gke.NodeConfig(
            machine_type="n1-standard-1",
            service_account=emails["gke_node_sa"],
            oauth_scopes=["https://www.googleapis.com/auth/cloud-platform"],
            shielded_instance_config=gke.ShieldedInstanceConfig(
                enable_secure_boot=False, enable_integrity_monitoring=True
            ),
            workload_metadata_config=gke.WorkloadMetadataConfig(
                mode=gke.WorkloadMetadataConfig.Mode.GKE_METADATA
            ),
        ),
    )
    cluster = gke.Cluster(
        name="wordpress-cluster",
        node_pools=[pool],
        network_policy=gke.NetworkPolicy(enabled=True),
        addons_config=gke.AddonsConfig(
            network_policy_config=gke.NetworkPolicyConfig(disabled=False)
        ),
        workload_identity_config=gke.WorkloadIdentityConfig(workload_pool=f"{P}.svc.id.goog"),
        release_channel=gke.ReleaseChannel(channel=gke.ReleaseChannel.Channel.REGULAR),
        shielded_nodes=gke.ShieldedNodes(enabled=True),
    )
    container.create_cluster(parent=zone, cluster=cluster)
    resources.append(
        _resource(
            "",
            "google_container_cluster",
            "primary",
            {
                "name": "wordpress-cluster",
                "location": "us-east1-b",
                "project": P,
            },
        )
    )
    resources.append(
        _resource(
            "",
            "google_container_node_pool",
            "primary_nodes",
            {
                "name": "wordpress-cluster-node-pool",
                "cluster": "wordpress-cluster",
                "location": "us-east1-b",
                "project": P,
            },
        )
    )
    policy = projects.get_iam_policy(request={"resource": f"projects/{P}"})
    grants = [
        ('gke_node_sa_roles["roles/logging.logWriter"]', "roles/logging.logWriter", "gke_node_sa"),
        ('gke_node_sa_roles["roles/monitoring.viewer"]', "roles/monitoring.viewer", "gke_node_sa"),
        (
            'gke_node_sa_roles["roles/storage.objectViewer"]',
            "roles/storage.objectViewer",
            "gke_node_sa",
        ),
        ("wordpress_app_sa_sqlclient", "roles/cloudsql.client", "wordpress_app_sa"),
    ]
    for address, role, account in grants:
        member = f"serviceAccount:{emails[account]}"
        policy.bindings.add(role=role, members=[member])
        name, _, key = address.partition("[")
        entry = _resource(
            "",
            "google_project_iam_member",
            name,
            {
                "project": P,
                "role": role,
                "member": member,
                "condition": [],
            },
        )
        if key:
            entry["instances"][0]["index_key"] = json.loads(key.rstrip("]"))
        resources.append(entry)
    projects.set_iam_policy(request={"resource": f"projects/{P}", "policy": policy})
    sa_name = f"projects/{P}/serviceAccounts/{emails['wordpress_app_sa']}"
    wi = f"serviceAccount:{P}.svc.id.goog[default/kubernetes-service-account]"
    sa_policy = policy_pb2.Policy()
    sa_policy.bindings.add(role="roles/iam.workloadIdentityUser", members=[wi])
    iam.set_iam_policy(request={"resource": sa_name, "policy": sa_policy})
    resources.append(
        _resource(
            "",
            "google_service_account_iam_member",
            "wordpress_ksa_wi_binding",
            {
                "service_account_id": sa_name,
                "role": "roles/iam.workloadIdentityUser",
                "member": wi,
                "condition": [],
            },
        )
    )
    # google_project_service.required_apis (for_each): Terraform enabled them; the sandbox
    # has each on (an API it does not serve is on unless disabled)
    apis = [
        "compute.googleapis.com",
        "container.googleapis.com",
        "sqladmin.googleapis.com",
        "servicenetworking.googleapis.com",
        "iam.googleapis.com",
        "iamcredentials.googleapis.com",
    ]
    resources.append(
        {
            "mode": "managed",
            "type": "google_project_service",
            "name": "required_apis",
            "provider": GOOGLE,
            "instances": [
                {
                    "index_key": api,
                    "schema_version": 0,
                    "attributes": {
                        "id": f"demo-project/{api}",
                        "project": "demo-project",
                        "service": api,
                        "disable_dependent_services": None,
                        "disable_on_destroy": None,
                    },
                }
                for api in apis
            ],
        }
    )
    return resources


def test_the_wordpress_quickstart_adopts_with_no_change(user: User) -> None:
    out = user.tmp / "wordpress.yaml"
    converted = user.run("convert", str(WORDPRESS), "--out", str(out), state=False, endpoint=False)
    assert converted.exit_code == 1  # its Cloud SQL, APIs and Kubernetes objects stay out
    state = user.tmp / "terraform.tfstate"
    state.write_text(_tfstate(_wordpress_made(user.sandbox)))
    done = user.run(
        "import",
        "--from-terraform",
        str(state),
        "--spec",
        str(out),
        "--write",
        "--var",
        f"PROJECT_ID={P}",
    )
    assert done.exit_code == 0, done.output
    assert "Adopted 15 resources into gkeplan's state" in done.output  # 6 of them APIs
    plan = user.run("plan", str(out), "--var", f"PROJECT_ID={P}")
    assert plan.exit_code == 0, plan.output
    assert "No changes." in plan.output, plan.output
