"""Issue 27: a run asks only for the APIs its spec's kinds call, and GKE's 400s that name
something missing are retried only when they are about an account that may still propagate."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.api_core import exceptions as gexc

from gkeplan.gcp.errors import Failure, classify
from gkeplan.run.preflight import ServicesDisabled
from gkeplan_emulator import Emulator, EmulatorConfig

from .conftest import Harness
from .test_network import HEAD

BUCKET = HEAD + "buckets:\n  b:\n    name: ${PROJECT_ID}-b\n"


def test_a_bucket_only_spec_needs_no_kubernetes_engine(tmp_path: Path) -> None:
    # a disabled API fails with 403 "... has not been used in project ... or it is disabled"
    # (k8s-config-connector#492); a spec that makes no cluster never calls Kubernetes Engine
    off = frozenset({"container.googleapis.com", "iam.googleapis.com"})
    with Emulator(EmulatorConfig(disabled_services=off)) as emu:
        harness = Harness(emu, tmp_path)
        assert harness.plan(harness.spec(BUCKET)).has_changes
        cluster = BUCKET + (
            "clusters:\n  c:\n    location: us-central1-c\n    nodePools:\n"
            "      p: {machineType: e2-standard-2}\n"
        )
        with pytest.raises(ServicesDisabled, match=r"container\.googleapis\.com is not enabled"):
            harness.plan(harness.spec(cluster))


def test_only_a_missing_account_is_retried_as_propagation() -> None:
    # 'Accelerator type "nvidia-tesla-k80" does not exist in zone us-east1-c.' is GKE's final
    # answer (GoogleCloudPlatform/k8s-config-connector#1902); "Service account X does not
    # exist." right after the account was made is IAM catching up
    gone = gexc.BadRequest(  # type: ignore[no-untyped-call]
        'Accelerator type "nvidia-tesla-k80" does not exist in zone us-east1-c.'
    )
    assert classify(gone) is Failure.FATAL
    fresh = gexc.BadRequest(  # type: ignore[no-untyped-call]
        "Service account n@p.iam.gserviceaccount.com does not exist."
    )
    assert classify(fresh) is Failure.PROPAGATING
    pool = gexc.BadRequest(  # type: ignore[no-untyped-call]
        "Identity Pool does not exist (p.svc.id.goog)."
    )
    assert classify(pool) is Failure.PROPAGATING
