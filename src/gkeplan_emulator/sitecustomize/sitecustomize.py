"""Put this directory on PYTHONPATH of a Python process that asks for it
(`PYTHONPATH="$GKEPLAN_EMULATOR_SHIM" python script.py`, as `gkeplan sandbox env` says) with
GKEPLAN_EMULATOR_HTTP set, and it reaches the emulator with Google's clients built with no
arguments: see gkeplan_emulator/autoclient.py for what is defaulted and why."""

import os
import sys

if os.environ.get("GKEPLAN_EMULATOR_HTTP"):
    try:
        from gkeplan_emulator import autoclient
    except ImportError as exc:  # a Python without gkeplan installed: say so, run anyway
        sys.stderr.write(f"gkeplan emulator shim not loaded: {exc}\n")
    else:
        autoclient.install()
