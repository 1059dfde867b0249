"""YAML traps are refused quickly with one clear message, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from gkeplan.errors import SpecError
from gkeplan.spec.yamlsource import MAX_BYTES, load_yaml

from .helpers import BASE, rendered


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    text = BASE.replace("region: us-central1\n", "region: us-central1\nregion: europe-west1\n")
    assert rendered(tmp_path, text) == [
        "4:1: region: duplicate key 'region' (first defined at line 3)"
    ]


def test_unknown_tag_is_refused(tmp_path: Path) -> None:
    text = BASE.replace("project: demo-project", "project: !Ref demo")
    assert rendered(tmp_path, text) == ["2:10: project: unsupported YAML tag '!Ref'"]


def test_python_object_tag_is_refused_without_running_it(tmp_path: Path) -> None:
    text = BASE.replace("project: demo-project", "project: !!python/object/apply:os.system [echo]")
    assert rendered(tmp_path, text) == [
        "2:10: project: unsupported YAML tag '!!python/object/apply:os.system'"
    ]


def test_alias_bomb_is_refused_before_expansion() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        levels.append(f"a{i}: &a{i} [{refs}]")
    with pytest.raises(SpecError) as info:
        load_yaml("\n".join(levels) + "\n", "bomb.yaml")
    (diag,) = info.value.diagnostics
    # a0 is 11 nodes, each a(i) is 1 + 10 x a(i-1); the root adds itself and one key per level.
    sizes = [11]
    for _ in range(8):
        sizes.append(1 + 10 * sizes[-1])
    total = 1 + sum(1 + s for s in sizes)
    assert diag.message == f"YAML aliases expand to {total:,} nodes (limit 1,000,000)"


def test_oversized_input_is_refused() -> None:
    with pytest.raises(SpecError) as info:
        load_yaml("a: " + "x" * (MAX_BYTES + 1), "big.yaml")
    assert "the limit is 8,388,608" in info.value.diagnostics[0].message


def test_syntax_error_points_at_the_problem(tmp_path: Path) -> None:
    text = BASE.replace("region: us-central1", "region: [us-central1")
    assert rendered(tmp_path, text) == [
        "4:16: (top level): invalid YAML: did not find expected ',' or ']' "
        "(a flow sequence starting at line 3, column 9)"
    ]


def test_yes_no_keys_stay_strings(tmp_path: Path) -> None:
    # YAML 1.1 reads a bare `on` as true; as a key it must stay the word the user wrote.
    data, _ = load_yaml("on: project\nyes: 1\n", "x.yaml")
    assert data == {"on": "project", "yes": 1}


def test_empty_and_non_mapping_documents(tmp_path: Path) -> None:
    assert rendered(tmp_path, "") == ["1:1: (top level): the spec is empty"]
    assert rendered(tmp_path, "- a\n- b\n") == [
        "1:1: (top level): the spec must be a YAML mapping (keys such as version, project, region)"
    ]


def test_second_document_is_refused(tmp_path: Path) -> None:
    assert rendered(tmp_path, BASE + "---\nversion: 1\n") == [
        "21:1: (top level): a spec is one YAML document; found a second one"
    ]


def test_merge_keys_are_supported(tmp_path: Path) -> None:
    text = BASE.replace(
        "      pool:\n        machineType: n2-standard-4\n",
        "      pool:\n        <<: {machineType: n2-standard-4, diskSizeGb: 50}\n",
    )
    assert rendered(tmp_path, text) == []


def test_nesting_is_refused_on_the_line_that_crosses_the_limit() -> None:
    text = "a:\n" + "".join("  " * i + "k:\n" for i in range(1, 150))
    with pytest.raises(SpecError) as info:
        load_yaml(text, "deep.yaml")
    (diag,) = info.value.diagnostics
    assert diag.message == "mappings and lists nest deeper than 100 levels here"
    assert diag.location is not None and diag.location.line == 101  # level n starts on line n


def test_integers_beyond_64_bits_are_refused_before_parsing() -> None:
    with pytest.raises(SpecError) as info:
        load_yaml("a: 1\nb: " + "9" * 5000 + "\n", "big.yaml")
    (diag,) = info.value.diagnostics
    assert (diag.location.line, diag.location.col) == (2, 4)  # type: ignore[union-attr]
    assert "5,000 digits" in diag.message
