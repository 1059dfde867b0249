"""The specs `make bench` generates are valid gkeplan specs (a benchmark of refused specs
measures nothing), with as many resources as asked for."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from gkeplan.validation.pipeline import validate

GENERATE = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("shape", ["default", "two clusters", "deep chains"])
def test_generated_bench_specs_are_valid(generate: ModuleType, shape: str, tmp_path: Path) -> None:
    infra = {
        "default": lambda: generate.infra(100, all_packs=True),
        "two clusters": lambda: generate.infra(200, clusters=2),
        "deep chains": lambda: generate.deep_chains(clusters=2, pools=2, filler=5),
    }[shape]()
    path = tmp_path / "spec.yaml"
    path.write_text(generate.to_yaml(infra))
    result = validate(path, {}, environ={}, policies=False)
    assert result.diagnostics == [], [d.render() for d in result.diagnostics]
    assert result.graph is not None
    assert len(result.graph.nodes) == infra.resources()
