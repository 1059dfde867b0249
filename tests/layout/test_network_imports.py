"""`gkeplan validate` of a spec with every network kind loads no Google client: the network
kinds name their drivers by string, and google-cloud-compute (seconds to import) is loaded
only on the paths that call Compute Engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .test_imports import PRINT_GOOGLE_CLIENTS_LOADED

SPEC = """\
version: 1
project: demo-project
region: us-central1
networks:
  ml-net: {}
subnetworks:
  ml-subnet:
    network: ml-net
    ipCidrRange: 10.10.0.0/20
    secondaryIpRanges: [{rangeName: pods, ipCidrRange: 10.20.0.0/14}]
routers:
  ml-router: {network: ml-net, nat: {name: ml-nat}}
firewalls:
  allow-ssh: {network: ml-net, sourceRanges: [0.0.0.0/0], allow: [{protocol: tcp, ports: ["22"]}]}
clusters:
  c:
    location: us-central1-c
    network: ml-net
    subnetwork: ml-subnet
    ipAllocationPolicy: {clusterSecondaryRangeName: pods}
    nodePools: {p: {machineType: e2-medium}}
"""


def test_validate_of_network_kinds_loads_no_google_client(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    code = (
        "import sys; from gkeplan.cli import main\n"
        "try:\n    main(['validate', sys.argv[1]])\n"
        "except SystemExit:\n    pass\n"
        f"{PRINT_GOOGLE_CLIENTS_LOADED}"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(spec)], capture_output=True, text=True, check=True
    )
    # the spec was read and judged (SSH open to the internet is an error of security-baseline)
    assert "SB040" in out.stdout, out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"
