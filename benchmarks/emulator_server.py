"""gkeplan's emulator as its own process (as GCP would be: its CPU is not the client's), with
EmulatorConfig.realistic()'s latencies multiplied by one factor so a run takes seconds.

`python benchmarks/emulator_server.py --scale 0.05 [--quota-profile unlimited]`: the first
stdout line is a JSON object {http, grpc, config}; `config` holds the latencies in force, so a
benchmark can build bounds from what was configured. SIGTERM stops it.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import Any


def realistic_emulator(
    scale: float, project: str, quota_profile: str
) -> tuple[Any, dict[str, Any]]:
    """ADAPTER (internal gkeplan import; re-point after the module move): an unstarted
    emulator with EmulatorConfig.realistic() latencies x `scale`, and those latencies."""
    import dataclasses

    from gkeplan_emulator import Emulator, EmulatorConfig

    base = EmulatorConfig.realistic(project=project, quota_profile=quota_profile)
    config = dataclasses.replace(
        base,
        propagation_delay_s=base.propagation_delay_s * scale,
        sa_propagation_delay_s=base.sa_propagation_delay_s * scale,
        operation_s={k: v * scale for k, v in base.operation_s.items()},
        call_latency_s=base.call_latency_s * scale,
    )
    latencies = {
        "scale": scale,
        "call_latency_s": config.call_latency_s,
        "propagation_delay_s": config.propagation_delay_s,
        "sa_propagation_delay_s": config.sa_propagation_delay_s,
        "operation_s": dict(config.operation_s),
        "unscaled": {
            "call_latency_s": base.call_latency_s,
            "propagation_delay_s": base.propagation_delay_s,
            "sa_propagation_delay_s": base.sa_propagation_delay_s,
            "operation_s": dict(base.operation_s),
        },
    }
    return Emulator(config), latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--project", default="demo-project")
    parser.add_argument("--quota-profile", default="unlimited")
    args = parser.parse_args()
    emu, latencies = realistic_emulator(args.scale, args.project, args.quota_profile)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with emu:
        info = {"http": emu.endpoints.http, "grpc": emu.endpoints.grpc, "config": latencies}
        sys.stdout.write(json.dumps(info) + "\n")
        sys.stdout.flush()
        stop.wait()


if __name__ == "__main__":
    main()
