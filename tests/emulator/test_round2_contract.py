"""Issue 27, the emulator's side: GKE and Compute Engine accept and refuse what gkeplan now
does, with GCP's own words. Each test names the source of the answer it pins."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from google.api_core import exceptions as gexc
from google.cloud import container_v1 as gke
from google.cloud.compute_v1.types import Allowed, Firewall, Network

from gkeplan.gcp.sandbox import connection_for
from gkeplan_emulator import Emulator, EmulatorConfig
from gkeplan_emulator.services.container.model import CHANNEL_DEFAULTS, VERSIONS_DATE

P = "demo-project"
ZONE = f"projects/{P}/locations/us-central1-c"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    room = (
        ("SSD_TOTAL_GB", 1e4),
        ("CPUS", 1e3),
        ("CPUS_ALL_REGIONS", 1e3),
        ("N2_CPUS", 1e3),
        ("A4_CPUS", 1e3),
    )
    quotas = (("HYPERDISK_BALANCED_TOTAL_GB", 150.0), ("LOCAL_SSD_TOTAL_GB", 375.0), *room)
    with Emulator(EmulatorConfig(operation_s={}, quota_overrides=quotas)) as emu:
        yield emu


def _create(emu: Emulator, name: str, cluster: gke.Cluster | None = None, /, **cfg: object) -> None:
    cluster = cluster or gke.Cluster()
    cluster.name = name
    if not cluster.autopilot.enabled:
        config = gke.NodeConfig(**{"machine_type": "e2-medium", **cfg})
        cluster.node_pools = [gke.NodePool(name="p", initial_node_count=1, config=config)]
    emu.clients().container().create_cluster(parent=ZONE, cluster=cluster)


def test_each_channel_creates_at_its_dated_default_and_a_served_patch_is_accepted(
    emu: Emulator,
) -> None:
    # GKE release notes' channel feeds (the list's date is VERSIONS_DATE): Rapid 1.36.4,
    # Regular 1.35.8, Stable 1.34.6; an exact patch of a served minor (the issue's
    # 1.35.3-gke.1737000) is accepted although the dated list lacks it
    assert VERSIONS_DATE == "2026-09-23"
    client = emu.clients().container()
    for i, (channel, version) in enumerate(sorted(CHANNEL_DEFAULTS.items())):
        _create(emu, f"c{i}", gke.Cluster(release_channel=gke.ReleaseChannel(channel=channel)))
        assert client.get_cluster(name=f"{ZONE}/clusters/c{i}").current_master_version == version
    _create(emu, "pinned", gke.Cluster(initial_cluster_version="1.35.3-gke.1737000"))
    got = client.get_cluster(name=f"{ZONE}/clusters/pinned")
    assert got.current_master_version == "1.35.3-gke.1737000"
    # GKE: 'Master version "1.14.7-gke.10" is unsupported.' (gke-networking-demos#37)
    with pytest.raises(gexc.BadRequest, match=re.escape('"1.14.7-gke.10" is unsupported.')):
        _create(emu, "old", gke.Cluster(initial_cluster_version="1.14.7-gke.10"))


def test_an_unoffered_machine_type_gets_gkes_words(emu: Emulator) -> None:
    # 'Invalid machine type "e2-standard-4" in zone "us-central2-b": GCE_NOT_FOUND'
    # (keras-team/kinetic#305); A2 is not offered in europe-west1
    cluster = gke.Cluster(name="c", locations=["europe-west1-b"])
    with pytest.raises(
        gexc.BadRequest,
        match=re.escape('Invalid machine type "a2-highgpu-1g" in zone "europe-west1-b": '),
    ):
        emu.clients().container().create_cluster(
            parent=f"projects/{P}/locations/europe-west1-b",
            cluster=gke.Cluster(
                name=cluster.name,
                node_pools=[
                    gke.NodePool(
                        name="p",
                        initial_node_count=1,
                        config=gke.NodeConfig(machine_type="a2-highgpu-1g"),
                    )
                ],
            ),
        )


def test_disks_gpus_and_dataplane_v2_are_refused_as_gcp_refuses_them(emu: Emulator) -> None:
    cases: list[tuple[dict[str, object], str]] = [
        # NVIDIA/aicr#2338; docs.cast.ai; GoogleCloudPlatform/cloud-image-tests#229
        (
            {"machine_type": "c4-standard-4", "disk_type": "pd-balanced"},
            "pd-balanced disk type cannot be used by c4-standard-4 machine type.",
        ),
        (
            {"machine_type": "c3-highcpu-4", "disk_type": "pd-standard"},
            "pd-standard disk type cannot be used by c3-highcpu-4 machine type.",
        ),
        (
            {"machine_type": "n1-standard-4", "disk_type": "hyperdisk-balanced"},
            "hyperdisk-balanced disk type cannot be used by n1-standard-4 machine type.",
        ),
        # kubernetes/test-infra#35205
        (
            {
                "machine_type": "e2-standard-2",
                "accelerators": [gke.AcceleratorConfig(accelerator_type="nvidia-tesla-t4")],
            },
            "[e2-standard-2, nvidia-tesla-t4] features are not compatible for creating instance.",
        ),
    ]
    for i, (cfg, words) in enumerate(cases):
        with pytest.raises(gexc.BadRequest, match=re.escape(words)):
            _create(emu, f"c{i}", **cfg)
    # GKE docs concepts/dataplane-v2
    dpv2 = gke.Cluster(
        network_config=gke.NetworkConfig(datapath_provider="ADVANCED_DATAPATH"),
        network_policy=gke.NetworkPolicy(enabled=True),
    )
    with pytest.raises(gexc.BadRequest, match="Enabling NetworkPolicy for clusters with"):
        _create(emu, "dpv2", dpv2)
    _create(emu, "n4", machine_type="n4-standard-2", disk_size_gb=100)  # hyperdisk by default
    pool = emu.clients().container().get_cluster(name=f"{ZONE}/clusters/n4").node_pools[0]
    assert pool.config.disk_type == "hyperdisk-balanced"


def test_hyperdisk_and_local_ssds_count_against_their_quotas(emu: Emulator) -> None:
    # HYPERDISK_BALANCED_TOTAL_GB (cluster-toolkit PR #5140) and LOCAL_SSD_TOTAL_GB at 375 GB a
    # disk (container v1 EphemeralStorageLocalSsdConfig), as FT001 counts them
    with pytest.raises(gexc.Forbidden, match='resource "HYPERDISK_BALANCED_TOTAL_GB"'):
        _create(emu, "hd", machine_type="n4-standard-2", disk_size_gb=200)
    with pytest.raises(gexc.Forbidden, match='resource "LOCAL_SSD_TOTAL_GB"'):
        _create(emu, "ssd", machine_type="n2-standard-4", local_ssd_count=2)
    _create(emu, "ok", machine_type="n2-standard-4", local_ssd_count=1)
    # A4's eight B200s count against GPUS_ALL_REGIONS (0 in a new project), as FT001 counts
    # them ("the specified GPU model automatically attaches", cloud.google.com/compute/docs/gpus)
    with pytest.raises(
        gexc.Forbidden, match=re.escape("resource \"GPUS_ALL_REGIONS\": request requires '8.0'")
    ):
        _create(emu, "a4", machine_type="a4-highgpu-8g")


def test_firewalls_take_ipv6_and_refuse_ports_on_icmp(emu: Emulator) -> None:
    # Firewall.sourceRanges: "Both IPv4 and IPv6 are supported."; allowed[].ports "only
    # applicable for the UDP or TCP protocol" (compute v1 discovery document); no source on
    # INGRESS is 0.0.0.0/0 (hashicorp/terraform-provider-google#6789)
    conn = connection_for(emu)
    conn.compute("networks").insert(
        project=P, network_resource=Network(name="net", auto_create_subnetworks=False)
    )
    net = f"projects/{P}/global/networks/net"
    client = conn.compute("firewalls")
    v6 = Firewall(
        name="v6",
        network=net,
        source_ranges=["2001:db8::/32"],
        allowed=[Allowed(I_p_protocol="tcp", ports=["443"])],
    )
    client.insert(project=P, firewall_resource=v6)
    assert list(client.get(project=P, firewall="v6").source_ranges) == ["2001:db8::/32"]
    icmp = Firewall(name="icmp", network=net, allowed=[Allowed(I_p_protocol="icmp", ports=["1"])])
    with pytest.raises(gexc.BadRequest, match=r"resource\.allowed\[0\]\.ports\[0\]"):
        client.insert(project=P, firewall_resource=icmp)
    open_ = Firewall(name="open", network=net, allowed=[Allowed(I_p_protocol="tcp")])
    client.insert(project=P, firewall_resource=open_)
    assert list(client.get(project=P, firewall="open").source_ranges) == ["0.0.0.0/0"]
