"""Kubernetes Engine v1: clusters, node pools and their long-running operations.

Operations finish by clock time: each read first settles the operations whose time has come,
so nothing runs in the background and a ManualClock drives them in tests.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from google.cloud import container_v1 as gke

from gkeplan_emulator import facts
from gkeplan_emulator.authz import project_resource
from gkeplan_emulator.errors import (
    ApiError,
    failed_precondition,
    invalid_argument,
    not_found,
    quota_exceeded,
)
from gkeplan_emulator.quota import NodeGroup, Usage, first_shortfall

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

# GKE's versions as its release notes list them on 2026-09-23 (the date of this list): each
# channel's default for cluster creation, from the channel feeds of the GKE release notes
# (docs.cloud.google.com/feeds/gke-<channel>-channel-release-notes.xml): Rapid "1.36.4-gke.
# 1391000 is now the default version for cluster creation" (2026-09-23), Regular 1.35.8-gke.
# 1036000 (2026-09-17), Stable 1.34.6-gke.1307000 (2026-05-27, its newest default entry found;
# 1.34.8-gke.1278000 and 1.33.12-gke.1165000 "now available in the Stable channel" on
# 2026-07-10); clusters in no channel 1.35.8-gke.1225000 (2026-09-23). The Extended channel's
# entries were not found: it takes the no-channel default.
VERSIONS_DATE = "2026-09-23"
CHANNEL_DEFAULTS = {
    "RAPID": "1.36.4-gke.1391000",
    "REGULAR": "1.35.8-gke.1036000",
    "STABLE": "1.34.6-gke.1307000",
}
VERSION = "1.35.8-gke.1225000"  # no channel (and Extended, see above)
# Versions offered: the above; the Stable additions of 2026-07-10; and older ones quoted in
# real answers, kept for the minors GKE still serves (the release notes' current-versions table
# lists minors 1.30 to 1.36 across the channels, Extended reaching back to 1.30):
# terraform-google-modules/terraform-google-kubernetes-engine#2177 quotes the STABLE list
# "[1.28.14-gke.1099000, 1.29.9-gke.1177000, 1.30.5-gke.1014003]".
VERSIONS = (
    "1.30.5-gke.1014003",
    "1.33.5-gke.1162000",
    "1.33.12-gke.1165000",
    "1.34.8-gke.1278000",
    *CHANNEL_DEFAULTS.values(),
    VERSION,
)
# Minors GKE serves (the same table); an exact 1.X.Y-gke.N of one of them is accepted even
# when this dated list lacks it (GKE publishes patches weekly), any other minor is refused as
# GKE refuses it: 'Error 400: Master version "1.14.7-gke.10" is unsupported., badRequest'
# (GoogleCloudPlatform/gke-networking-demos#37).
SERVED_MINORS = range(30, 37)
# NodeConfig.metadata's reserved keys (container v1 REST reference).
RESERVED_METADATA = frozenset(
    {
        "cluster-location",
        "cluster-name",
        "cluster-uid",
        "configure-sh",
        "containerd-configure-sh",
        "enable-os-login",
        "gci-ensure-gke-docker",
        "gci-metrics-enabled",
        "gci-update-strategy",
        "instance-template",
        "kube-env",
        "startup-script",
        "user-data",
        "disable-address-manager",
        "windows-startup-script-ps1",
        "common-psm1",
        "k8s-node-setup-psm1",
        "install-ssh-psm1",
        "user-profile-psm1",
    }
)
# GKE's answer to any call on an Autopilot cluster's node pools: "Error 400: Autopilot node
# pools cannot be accessed or modified." (turbot/steampipe-plugin-gcp#591,
# gke-labs/kube-agents#920)
AUTOPILOT_POOLS = "Autopilot node pools cannot be accessed or modified."


# Compute Engine's refusals of a boot disk the series cannot use, as GKE passes them on:
# "pd-balanced disk type cannot be used by a4x-highgpu-4g machine type" (NVIDIA/aicr#2338),
# "pd-standard disk type cannot be used by c3d-standard-90 machine type., badRequest"
# (docs.cast.ai), "hyperdisk-balanced disk type cannot be used by n1-standard-1 machine type.,
# badRequest" (GoogleCloudPlatform/cloud-image-tests#229); the series lists are gkeplan's
# catalog/build.py's, each with its source.
HYPERDISK_ONLY = frozenset({"c4", "c4a", "c4d", "n4", "n4a", "n4d", "a4x"})
NO_PD_STANDARD = frozenset({"c3", "c3d", "a3"})
NO_HYPERDISK = frozenset({"n1", "n2", "n2d", "e2"})
NO_GPUS = frozenset({"e2"})


def check_machine_disk_gpus(cfg: gke.NodeConfig) -> None:
    machine, disk = cfg.machine_type, cfg.disk_type
    family = machine.split("-")[0]
    refused = (
        (disk.startswith("pd-") and family in HYPERDISK_ONLY)
        or (disk == "pd-standard" and family in NO_PD_STANDARD)
        or (disk.startswith("hyperdisk") and family in NO_HYPERDISK)
    )
    if refused:
        raise invalid_argument(f"{disk} disk type cannot be used by {machine} machine type.")
    if family in NO_GPUS and cfg.accelerators:
        # "[e2-standard-2, nvidia-tesla-t4] features are not compatible for creating
        # instance." (Compute Engine, kubernetes/test-infra#35205)
        gpu = cfg.accelerators[0].accelerator_type
        raise invalid_argument(
            f"[{machine}, {gpu}] features are not compatible for creating instance."
        )


def check_network_policy(cluster: gke.Cluster) -> None:
    """GKE docs (concepts/dataplane-v2): "If you try to explicitly enable or disable network
    policy enforcement in a cluster that uses GKE Dataplane V2, the request will fail with the
    error message Enabling NetworkPolicy for clusters with DatapathProvider=ADVANCED_DATAPATH is
    not allowed." """
    advanced = cluster.network_config.datapath_provider == gke.DatapathProvider.ADVANCED_DATAPATH
    if advanced and cluster.network_policy.enabled:
        raise invalid_argument(
            "Enabling NetworkPolicy for clusters with DatapathProvider=ADVANCED_DATAPATH is not "
            "allowed."
        )


def check_autoscaling(autoscaling: gke.ClusterAutoscaling) -> None:
    """GKE's answers to node auto-provisioning without its cpu and memory limits, and to
    limits without it: "Resource limits for cpu, memory must be specified when enabling node
    autoprovisioning." (hashicorp/terraform-provider-google#24232), "Resource limits are
    supported only with node autoprovisioning." (aptos-labs/aptos-core#5645)."""
    types = {r.resource_type for r in autoscaling.resource_limits}
    if autoscaling.enable_node_autoprovisioning and not {"cpu", "memory"} <= types:
        raise invalid_argument(
            "Resource limits for cpu, memory must be specified when enabling node autoprovisioning."
        )
    if not autoscaling.enable_node_autoprovisioning and types:
        raise invalid_argument("Resource limits are supported only with node autoprovisioning.")


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in version.replace("-gke.", ".").split(".") if n.isdigit())


def resolve_version(asked: str, what: str = "Master", default: str = VERSION) -> str:
    """A version or alias as GKE resolves it (ClusterUpdate.desiredMasterVersion: "latest"
    the highest, "1.X" / "1.X.Y" the highest patch of it, "1.X.Y-gke.N" exactly, "-" or ""
    the default). GKE refuses one it does not offer: 'Error 400: Master version
    "1.14.7-gke.10" is unsupported., badRequest' (GoogleCloudPlatform/gke-networking-demos#37);
    node versions are worded the same way here."""
    if asked in ("", "-"):
        return default
    if asked == "latest":
        return max(VERSIONS, key=_key)
    wanted = _key(asked)
    found = [
        v
        for v in VERSIONS
        if v == asked or ("-gke." not in asked and _key(v)[: len(wanted)] == wanted)
    ]
    served = len(wanted) >= 2 and wanted[0] == 1 and wanted[1] in SERVED_MINORS
    if not found and "-gke." in asked and served:
        return asked  # a patch of a served minor, newer or older than this dated list
    if not found:
        raise invalid_argument(f'{what} version "{asked}" is unsupported.')
    return max(found, key=_key)


def channel_default(channel: str) -> str:
    """The version GKE creates a cluster at when none is asked: its channel's default."""
    return CHANNEL_DEFAULTS.get(channel, VERSION)


# Cluster.name "can be up to 40 characters ... Lowercase letters, numbers, and hyphens only.
# Must start with a letter. Must end with a number or a letter." (container v1 discovery
# document); node pools: the same regex in GKE's 400 (pulumi/pulumi-gcp#1510)
_NAME = re.compile(r"[a-z]([-a-z0-9]{0,38}[a-z0-9])?\Z")
_ids = itertools.count(1)


def to_json(msg: Any) -> dict[str, Any]:
    import json

    data: dict[str, Any] = json.loads(
        type(msg).to_json(
            msg, use_integers_for_enums=False, always_print_fields_with_no_presence=False
        )
    )
    return data


@dataclass
class Operation:
    name: str
    project: str
    location: str
    kind: str
    target: str
    started: float
    done_at: float
    on_done: Callable[[], None] | None = None
    error: str | None = None
    settled: bool = False

    def proto(self, now: float) -> gke.Operation:
        done = now >= self.done_at
        op = gke.Operation(
            name=self.name,
            zone=self.location,
            location=self.location,
            operation_type=self.kind,
            status=gke.Operation.Status.DONE if done else gke.Operation.Status.RUNNING,
            self_link=f"https://container.googleapis.com/v1/projects/{self.project}/locations/"
            f"{self.location}/operations/{self.name}",
            target_link=f"https://container.googleapis.com/v1/{self.target}",
            start_time=_stamp(self.started),
        )
        if done:
            op.end_time = _stamp(self.done_at)
            if self.error:
                op.error = {"code": 9, "message": self.error}
                op.status_message = self.error
        return op


def _stamp(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1e6):06d}Z"


@dataclass
class ContainerModel:
    backend: Backend
    clusters: dict[str, gke.Cluster] = field(default_factory=dict)  # full name -> cluster
    operations: dict[str, Operation] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    # -- helpers -------------------------------------------------------------------------
    @property
    def project(self) -> str:
        return self.backend.config.project

    def settle(self) -> None:
        now = self.backend.clock.now()
        with self.lock:
            for op in sorted(self.operations.values(), key=lambda o: o.done_at):
                if not op.settled and op.done_at <= now:
                    op.settled = True
                    if op.on_done is not None:
                        op.on_done()

    def require(self, principal: str, permission: str) -> None:
        self.backend.authz.require(
            principal,
            permission,
            project_resource(self.project),
            project=self.project,
            shown=f"projects/{self.project}",
        )

    def check_location(self, project: str, location: str) -> None:
        if project != self.project:
            raise ApiError("PERMISSION_DENIED", f"Permission denied on project {project}.")
        if not (facts.is_zone(location) or facts.is_region(location)):
            raise invalid_argument(f'Location "{location}" does not exist.')

    def workload_pools(self) -> set[str]:
        """The workload identity pools the project's clusters made (workloadIdentityConfig)."""
        self.settle()
        with self.lock:
            return {
                c.workload_identity_config.workload_pool
                for c in self.clusters.values()
                if c.workload_identity_config.workload_pool
            }

    def cluster(self, name: str) -> gke.Cluster:
        self.settle()
        c = self.clusters.get(name)
        if c is None:
            raise not_found(f"Not found: {name}.")
        return c

    def busy(self, cluster_name: str) -> None:
        now = self.backend.clock.now()
        for op in self.operations.values():
            if op.target.startswith(cluster_name) and op.done_at > now:
                raise failed_precondition(f"Cluster is running incompatible operation {op.name}.")

    def start(
        self,
        project: str,
        location: str,
        kind: str,
        target: str,
        seconds_key: str,
        on_done: Callable[[], None],
    ) -> gke.Operation:
        now = self.backend.clock.now()
        seconds = self.backend.config.operation_s.get(seconds_key, 0.0)
        name = f"operation-{int(now * 1000)}-{next(_ids):08x}"
        op = Operation(name, project, location, kind, target, now, now + seconds, on_done)
        op.error = getattr(self.backend.request_faults, "operation_error", None)
        if op.error and kind == "CREATE_CLUSTER":
            cluster = self.clusters[target]

            def broken() -> None:
                cluster.status = gke.Cluster.Status.ERROR  # type: ignore[assignment]
                cluster.status_message = op.error or ""

            op.on_done = broken
        self.operations[name] = op
        if seconds <= 0:
            self.settle()
        return op.proto(self.backend.clock.now())

    def get_operation(self, principal: str, name: str) -> gke.Operation:
        self.require(principal, "container.operations.get")
        self.settle()
        op = self.operations.get(name.rsplit("/", 1)[-1])
        if op is None:
            raise not_found(f"Not found: {name}.")
        return op.proto(self.backend.clock.now())

    def list_operations(self, project: str, location: str) -> gke.ListOperationsResponse:
        """The project's operations in `location` ("-": all), oldest first."""
        self.settle()
        now = self.backend.clock.now()
        with self.lock:
            found = [
                op.proto(now)
                for op in sorted(self.operations.values(), key=lambda o: o.started)
                if op.project == project and location in ("-", op.location)
            ]
        return gke.ListOperationsResponse(operations=found)

    # -- quota -----------------------------------------------------------------------------
    def _zones(self, cluster: gke.Cluster, pool: gke.NodePool | None = None) -> list[str]:
        if pool is not None and pool.locations:
            return list(pool.locations)
        if cluster.locations:
            return list(cluster.locations)
        if facts.is_zone(cluster.location):
            return [cluster.location]
        return list(facts.zones_of(cluster.location))[:3]

    def forget(self, name: str) -> None:
        self.clusters.pop(name, None)

    def _groups(self, items: list[tuple[gke.Cluster, gke.NodePool, int]]) -> list[NodeGroup]:
        groups = []
        for cluster, pool, per_zone in items:
            cfg = pool.config
            groups.append(
                NodeGroup(
                    region=facts.region_of(cluster.location),
                    # GKE reserves initial nodes in each of the pool's zones at create.
                    count=per_zone * len(self._zones(cluster, pool)),
                    machine_type=cfg.machine_type or "e2-medium",
                    disk_type=cfg.disk_type or "pd-balanced",
                    disk_size_gb=cfg.disk_size_gb or 100,
                    accelerators=tuple(
                        (a.accelerator_type, int(a.accelerator_count)) for a in cfg.accelerators
                    ),
                    external_ips=not cluster.private_cluster_config.enable_private_nodes,
                    local_ssds=int(cfg.local_ssd_count)
                    + int(cfg.ephemeral_storage_local_ssd_config.local_ssd_count),
                )
            )
        return groups

    def usage(self) -> Usage:
        """What the project's nodes hold now, as Compute Engine's quotas report it."""
        existing = [
            (c, p, p.initial_node_count) for c in self.clusters.values() for p in c.node_pools
        ]
        return Usage.of(self._groups(existing))

    def check_quota(self, extra: list[tuple[gke.Cluster, gke.NodePool, int]]) -> None:
        profile = facts.quota_profile(
            self.backend.config.quota_profile, self.backend.config.quota_overrides
        )
        existing = [
            (c, p, p.initial_node_count) for c in self.clusters.values() for p in c.node_pools
        ]
        short = first_shortfall(profile, self._groups(existing), self._groups(extra))
        if short is None:
            return
        # GKE's words, e.g. (kubeflow/website#1065, kubeflow/pipelines#10907):
        # Insufficient project quota to satisfy request: resource "CPUS_ALL_REGIONS": request
        # requires '16.0' and is short '4.0'. project has a quota of '12.0' with '12.0'
        # available. View and manage quotas at
        # https://console.cloud.google.com/iam-admin/quotas?usage=USED&project=PROJECT
        raise quota_exceeded(
            f"Insufficient {short.scope} quota to satisfy request: resource "
            f"\"{short.metric}\": request requires '{short.requested:.1f}' and is short "
            f"'{short.short:.1f}'. project has a quota of '{short.limit:.1f}' with "
            f"'{short.available:.1f}' available. View and manage quotas at "
            f"https://console.cloud.google.com/iam-admin/quotas?usage=USED&project={self.project}"
        )

    # -- validation of what nodes run as ---------------------------------------------------
    def check_pool(self, principal: str, cluster: gke.Cluster, pool: gke.NodePool) -> None:
        if not pool.name or not _NAME.match(pool.name):
            # GKE's words: 'Invalid value for field "node_pool.name":
            # "primaryPreemptibleNodes-b8a97f9". Must be a match of regex ...'
            # (pulumi/pulumi-gcp#1510)
            raise invalid_argument(
                f'Invalid value for field "node_pool.name": "{pool.name}". Must be a match of '
                "regex '(?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?)' (only lowercase alphanumerics "
                "and '-' allowed, must start with a letter and end with an alphanumeric, and "
                "must be no longer than 40 characters)."
            )
        cfg = pool.config
        if not cfg.machine_type:
            cfg.machine_type = "e2-medium"
        for zone in self._zones(cluster, pool):
            if not facts.machine_available(cfg.machine_type, zone):
                # GKE: 'googleapi: Error 400: Invalid machine type "e2-standard-4" in zone
                # "us-central2-b": GCE_NOT_FOUND' (keras-team/kinetic#305)
                raise invalid_argument(
                    f'Invalid machine type "{cfg.machine_type}" in zone "{zone}": GCE_NOT_FOUND'
                )
        if not cfg.disk_size_gb:
            cfg.disk_size_gb = 100
        family = cfg.machine_type.split("-")[0]
        if not cfg.disk_type:
            # the Google provider's default: hyperdisk-balanced where pd-balanced is refused
            cfg.disk_type = "hyperdisk-balanced" if family in HYPERDISK_ONLY else "pd-balanced"
        check_machine_disk_gpus(cfg)
        no_reservation = gke.ReservationAffinity.Type.NO_RESERVATION
        if pool.queued_provisioning.enabled and (
            cfg.reservation_affinity.consume_reservation_type != no_reservation
        ):
            # "Error 400: Queued_provisioning requires reservation affinity to be set to none"
            # (hashicorp/terraform-provider-google#18341)
            raise invalid_argument(
                "Queued_provisioning requires reservation affinity to be set to none"
            )
        if not cfg.image_type:
            cfg.image_type = "COS_CONTAINERD"
        number = self.backend.models["projects"].number(self.project)
        email = cfg.service_account or f"{number}-compute@developer.gserviceaccount.com"
        iam = self.backend.models["iam"]
        if email.endswith(".iam.gserviceaccount.com") and not iam.usable(email):
            raise invalid_argument(f'Service account "{email}" does not exist.')
        if not self.backend.authz.can_act_as(principal, email, self.project):
            # GKE refuses with HTTP 400: rancher/rancher#10553 "Error 400: The user does not have
            # access to service account "default"., badRequest"; the tf-serving-gke tutorial's
            # modules/iam/main.tf: "code=400, message=The user does not have access to service
            # account".
            raise ApiError(
                "INVALID_ARGUMENT",
                f'The user does not have access to service account "{email}". Ask a project '
                "owner to grant you the iam.serviceAccountUser role on the service account",
                http=400,
                legacy_reason="badRequest",
            )
        if not cfg.oauth_scopes:
            cfg.oauth_scopes = ["https://www.googleapis.com/auth/cloud-platform"]
        # "From GKE 1.12 onwards, disable-legacy-endpoints is set to true by the API" (Google
        # provider docs, quoted in hashicorp/terraform-provider-google#3725)
        if "disable-legacy-endpoints" not in cfg.metadata:
            cfg.metadata["disable-legacy-endpoints"] = "true"
        for key in cfg.metadata:
            if key in RESERVED_METADATA:
                # The rule is NodeConfig.metadata's ("keys must not ... be one of the reserved
                # keys"); the wording of GKE's refusal is not sourced, this one is ours.
                raise invalid_argument(
                    f'Metadata key "{key}" is reserved and cannot be set on node pools.'
                )
        pool.version = resolve_version(
            pool.version, "Node", cluster.current_master_version or VERSION
        )

    def dump(self) -> dict[str, Any]:
        self.settle()
        with self.lock:
            return {"clusters": {n: to_json(c) for n, c in self.clusters.items()}}

    def load(self, data: dict[str, Any]) -> None:
        import json

        with self.lock:
            self.operations = {}
            self.clusters = {
                n: gke.Cluster.from_json(json.dumps(c), ignore_unknown_fields=True)
                for n, c in (data.get("clusters") or {}).items()
            }
