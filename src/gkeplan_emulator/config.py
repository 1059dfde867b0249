"""How an emulator behaves: who applies, how slow GCP is, how eventually consistent IAM is."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FaultRule:
    """Inject a fault into calls whose method name matches `method` (fnmatch glob).

    kind "status" answers `status` without running the call; "lost_response" runs and commits
    the call, then answers `status` (what breaks naive provisioners); "latency" adds delay;
    "operation_error" lets a GKE call start its operation, which then ends in error.
    """

    method: str
    kind: str = "status"
    status: int = 503
    probability: float = 1.0
    count: int | None = None  # at most this many times; None: always
    skip: int = 0  # let this many matching calls through first
    latency_s: float = 0.0


@dataclass(frozen=True)
class EmulatorConfig:
    project: str = "demo-project"
    project_number: str = "123456789012"
    # Who the sandbox's caller is: a project owner (bound as roles/owner at start). It matches
    # the examples' default USER_EMAIL, so their impersonation grants name the caller.
    applier: str = "user:you@example.com"
    propagation_delay_s: float = 0.0  # a new IAM grant takes effect after this
    sa_propagation_delay_s: float = 0.0  # a new service account is usable after this
    operation_s: dict[str, float] = field(
        default_factory=lambda: {
            "createCluster": 0.05,
            "deleteCluster": 0.05,
            "createNodePool": 0.05,
            "deleteNodePool": 0.05,
            "updateCluster": 0.02,
            "updateNodePool": 0.02,
        }
    )
    quota_profile: str = "free-trial"
    # The project's own limits over the profile's, as a project granted more (or less) has
    # them: (METRIC, limit) for every region or the project, (REGION/METRIC, limit) for one.
    quota_overrides: tuple[tuple[str, float], ...] = ()
    # APIs Service Usage reports as DISABLED (e.g. "container.googleapis.com")
    disabled_services: frozenset[str] = frozenset()
    seed: int = 0
    faults: tuple[FaultRule, ...] | list[FaultRule] = ()
    call_latency_s: float = 0.0  # added to every call (realistic profiles)
    # With STORAGE_EMULATOR_HOST set, google-cloud-storage sends no credentials at all; such a
    # request to the Cloud Storage routes acts as the applier unless this is set, when it is
    # the anonymous caller (`allUsers`) that GCS answers 401 for private data.
    require_auth: bool = False

    @classmethod
    def realistic(cls, **kwargs: object) -> EmulatorConfig:
        """GCP-like timings: minutes for clusters, a minute for IAM to settle."""
        base = {
            "propagation_delay_s": 60.0,
            "sa_propagation_delay_s": 10.0,
            "operation_s": {
                "createCluster": 300.0,
                "deleteCluster": 180.0,
                "createNodePool": 120.0,
                "deleteNodePool": 90.0,
                "updateCluster": 30.0,
                "updateNodePool": 60.0,
            },
            "call_latency_s": 0.05,
        }
        base.update(kwargs)
        return cls(**base)  # type: ignore[arg-type]
