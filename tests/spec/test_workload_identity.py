# ruff: noqa: E501  (exact messages: one message per line reads best)
"""Workload Identity members anywhere a member goes, the workloadIdentityUsers shorthand, and
grants on buckets and accounts outside the spec: what validates, and each problem's message."""

from __future__ import annotations

from pathlib import Path

import pytest

from gkeplan import validate
from gkeplan.errors import Severity

from .helpers import BASE, diagnostics, rendered

KSA = "serviceAccount:demo-project.svc.id.goog[serving/tf-serving]"
PRINCIPAL = (
    "principal://iam.googleapis.com/projects/123456789012/locations/global/"
    "workloadIdentityPools/demo-project.svc.id.goog/subject/ns/serving/sa/tf-serving"
)
PRINCIPAL_SET = (
    "principalSet://iam.googleapis.com/projects/123456789012/locations/global/"
    "workloadIdentityPools/demo-project.svc.id.goog/namespace/serving"
)


def grant(member: str, on: str = "bucket:models", role: str = "roles/storage.objectViewer") -> str:
    return BASE.replace(
        "iam:\n",
        f'iam:\n  - member: "{member}"\n    roles: [{role}]\n    on: {on}\n',
        1,
    )


def with_users(users: str) -> str:
    return BASE.replace(
        "    displayName: nodes\n",
        f"    displayName: nodes\n  model-reader:\n    workloadIdentityUsers: {users}\n",
        1,
    )


@pytest.mark.parametrize(
    "text",
    [
        grant(KSA),
        grant("serviceAccount:${PROJECT_ID}.svc.id.goog[serving/tf-serving]").replace(
            "project: demo-project\n",
            "project: ${PROJECT_ID}\nvariables:\n  PROJECT_ID: {default: demo-project}\n",
        ),
        grant(PRINCIPAL),
        grant(PRINCIPAL_SET),
        grant(KSA, on="serviceAccount:gke-node", role="roles/iam.workloadIdentityUser"),
        grant(KSA, on="bucket:gs://someone-elses-bucket"),
        grant("user:ada@example.com", on="serviceAccount:ext@other-proj.iam.gserviceaccount.com"),
        with_users("[serving/tf-serving, kube-system/metrics.agent]"),
    ],
)
def test_accepted_without_a_problem(tmp_path: Path, text: str) -> None:
    assert rendered(tmp_path, text) == []


def test_the_shorthand_expands_to_a_workload_identity_user_grant(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(with_users("[serving/tf-serving]"))
    result = validate(path, {}, environ={})
    assert result.graph is not None
    address = f"iamMember.serviceAccount.model-reader/roles/iam.workloadIdentityUser/{KSA}"
    assert address in result.graph.nodes
    assert "cluster.sd-cluster" in result.graph.predecessors(address)  # the pool's maker


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            grant("serviceAccount:Demo.svc.id.goog[serving/tf-serving]"),
            "8:13: iam[0].member: 'Demo' is not a valid project id: 6-30 characters, lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen: GCP refuses the grant (Identity Pool does not exist (Demo.svc.id.goog))",
        ),
        (
            grant("serviceAccount:demo-project.svc.id.goog[serving]"),
            "8:13: iam[0].member: 'serviceAccount:demo-project.svc.id.goog[serving]' is not a Workload Identity member",
        ),
        (
            grant(PRINCIPAL.replace("123456789012", "demo-project")),
            "8:13: iam[0].member: 'demo-project' is not a project number: principal:// and principalSet:// name the pool's project by its number (gcloud projects describe PROJECT)",
        ),
        (
            grant(PRINCIPAL.replace("/subject/ns/serving/sa/tf-serving", "/ns/serving")),
            "8:13: iam[0].member: a principal:// in a GKE pool names one Kubernetes service account: .../workloadIdentityPools/PROJECT_ID.svc.id.goog/subject/ns/NAMESPACE/sa/KSA",
        ),
        (
            with_users("[serving]"),
            "8:29: serviceAccounts.model-reader.workloadIdentityUsers[0]: 'serving' is not NAMESPACE/KSA_NAME",
        ),
        (
            grant(KSA, on="bucket:gs://Not_A_Bucket"),
            "10:9: iam[0].on: 'Not_A_Bucket' is not a valid bucket name: use lowercase letters, digits, '-', '_' and '.', start and end with a letter or digit, and keep each dot-separated part to 63 characters",
        ),
        (
            grant(KSA, on="bucket:someone-elses-bucket"),
            "10:9: iam[0].on: target bucket 'someone-elses-bucket' is not a bucket of this spec",
        ),
    ],
)
def test_refused_with_file_line_col(tmp_path: Path, text: str, expected: str) -> None:
    errors = [d for d in diagnostics(tmp_path, text) if d.severity is Severity.ERROR]
    assert len(errors) == 1, [d.render() for d in errors]
    assert expected in rendered(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            with_users("[Serving/tf-serving]"),
            "8:29: serviceAccounts.model-reader.workloadIdentityUsers[0]: 'Serving' is not a Kubernetes namespace name: at most 63 characters, lowercase letters, digits and '-', starting and ending with a letter or digit: no pod can run as it, so the grant would never be used",
        ),
        (
            with_users("[serving/tf_serving]"),
            "8:29: serviceAccounts.model-reader.workloadIdentityUsers[0]: 'tf_serving' is not a Kubernetes service account name: at most 253 characters, lowercase letters, digits, '-' and '.', starting and ending with a letter or digit: no pod can run as it, so the grant would never be used",
        ),
        (
            with_users("[serving/tf-serving]").replace(
                "    location: us-central1-c\n",
                "    location: us-central1-c\n    workloadIdentity: false\n",
            ),
            "8:29: serviceAccounts.model-reader.workloadIdentityUsers[0]: serviceAccount:demo-project.svc.id.goog[serving/tf-serving] is in the pool demo-project.svc.id.goog, but no cluster of this spec has workloadIdentity: true: unless a cluster outside the spec has it, the pool does not exist and GCP refuses grants on service accounts to its members (Identity Pool does not exist (demo-project.svc.id.goog))",
        ),
        (
            with_users("[serving/tf-serving]").replace(
                "        serviceAccount: gke-node\n",
                "        serviceAccount: gke-node\n        workloadMetadata: GCE_METADATA\n",
            ),
            "8:29: serviceAccounts.model-reader.workloadIdentityUsers[0]: serviceAccount:demo-project.svc.id.goog[serving/tf-serving] is a Kubernetes service account, but every node pool of the clusters with Workload Identity uses GCE_METADATA: pods get the node's identity, not this one",
        ),
    ],
)
def test_warned_not_refused(tmp_path: Path, text: str, expected: str) -> None:
    found = diagnostics(tmp_path, text)
    assert [d.severity for d in found] == [Severity.WARNING], [d.render() for d in found]
    assert rendered(tmp_path, text) == [expected]


def test_gs_url_of_the_specs_own_bucket_is_that_bucket(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(grant(KSA, on="bucket:gs://demo-project-models"))
    result = validate(path, {}, environ={})
    assert result.graph is not None
    own = f"iamMember.bucket.models/roles/storage.objectViewer/{KSA}"
    assert own in result.graph.nodes  # not an outside bucket checked to exist
    assert "bucket.models" in result.graph.predecessors(own)
