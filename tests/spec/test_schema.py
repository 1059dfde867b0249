from __future__ import annotations

import json
from pathlib import Path

from gkeplan.validation.schema import render

ROOT = Path(__file__).resolve().parents[2]


def test_committed_schema_is_generated_from_the_models() -> None:
    committed = (ROOT / "spec" / "gkeplan.schema.json").read_text()
    assert committed == render(), "spec/gkeplan.schema.json is stale: run `make schema`"


def test_example_points_editors_at_the_schema() -> None:
    first = (ROOT / "examples" / "stable-diffusion.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../spec/gkeplan.schema.json"
    schema = json.loads((ROOT / "spec" / "gkeplan.schema.json").read_text())
    assert set(schema["required"]) == {"version", "project", "region"}
    assert "serviceAccounts" in schema["properties"]
