from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
EXAMPLE = EXAMPLES / "stable-diffusion.yaml"
TUTORIAL = EXAMPLES / "tutorial-as-written.yaml"
