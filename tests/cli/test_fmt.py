"""`gkeplan fmt` from the user's side: a spec written by hand, keys scrambled and commented,
comes out in the models' order with every comment on its own key, and says so as
`terraform fmt` does (the files it rewrote; with --check exit 3 and nothing written)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from gkeplan import load_spec
from gkeplan.cli import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

SCRAMBLED = """\
# yaml-language-server: $schema=../spec/gkeplan.schema.json
# The team's bucket and its reader.

buckets:
  models:  # the weights
    # EU for the data's residency
    location: EU
    name: ${PROJECT_ID}-models
    storageClass: STANDARD
region: europe-west4
project: ${PROJECT_ID}
variables:
    PROJECT_ID:
        description: |
          Where it goes.
          # not a comment: the description's own line
version: 1

serviceAccounts:
  reader: {displayName: Reads the models}   # serving pods

iam:
  # the pods read, nothing more
  - roles: [roles/storage.objectViewer]
    on: bucket:models
    member: serviceAccount:reader  # least privilege
# end of the spec
"""

CANONICAL = """\
# yaml-language-server: $schema=../spec/gkeplan.schema.json
# The team's bucket and its reader.

version: 1
project: ${PROJECT_ID}
region: europe-west4
variables:
  PROJECT_ID:
    description: |
      Where it goes.
      # not a comment: the description's own line

serviceAccounts:
  reader: {displayName: Reads the models}  # serving pods

iam:
  # the pods read, nothing more
  - member: serviceAccount:reader  # least privilege
    roles: [roles/storage.objectViewer]
    on: bucket:models
buckets:
  models:  # the weights
    name: ${PROJECT_ID}-models
    # EU for the data's residency
    location: EU
    storageClass: STANDARD
# end of the spec
"""


def _fmt(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["fmt", *args], input=input)
    return result.exit_code, result.stdout, result.stderr


def test_a_scrambled_commented_spec_formats_to_the_models_order_comments_kept(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "gkeplan.yaml"
    spec.write_text(SCRAMBLED)
    spec.chmod(0o640)
    code, out, err = _fmt(str(spec))
    assert (code, err) == (0, "")
    assert out == f"{spec}\n"  # the file it rewrote, as terraform fmt lists them
    assert spec.read_text() == CANONICAL
    assert spec.stat().st_mode & 0o777 == 0o640  # the file keeps its mode
    # the same spec, only written differently
    variables = {"PROJECT_ID": "demo-project"}
    assert (
        load_spec(spec, variables).model_dump()
        == load_spec(_write(tmp_path / "before.yaml", SCRAMBLED), variables).model_dump()
    )
    # idempotent: a formatted spec is left alone and not listed
    assert _fmt(str(spec)) == (0, "", "")
    assert spec.read_text() == CANONICAL


def test_check_lists_the_files_to_format_exits_3_and_writes_nothing(tmp_path: Path) -> None:
    messy = _write(tmp_path / "a.gkeplan.yaml", SCRAMBLED)
    clean = _write(tmp_path / "b.gkeplan.yaml", CANONICAL)
    code, out, _ = _fmt("--check", str(messy), str(clean))
    assert code == 3  # terraform fmt -check's exit status for unformatted input
    assert out == f"{messy}\n"
    assert messy.read_text() == SCRAMBLED
    assert _fmt("--check", str(clean)) == (0, "", "")


def test_diff_shows_the_change_as_a_unified_diff(tmp_path: Path) -> None:
    messy = _write(tmp_path / "gkeplan.yaml", SCRAMBLED)
    code, out, _ = _fmt("--check", "--diff", str(messy))
    assert code == 3
    assert out.startswith(f"--- {messy}\n+++ {messy}\n")
    assert "-    member: serviceAccount:reader  # least privilege\n" in out
    assert "+  - member: serviceAccount:reader  # least privilege\n" in out


def test_standard_input_formats_to_standard_output() -> None:
    code, out, _ = _fmt("-", input=SCRAMBLED)
    assert (code, out) == (0, CANONICAL)


def test_the_examples_keep_their_content_and_format_once(tmp_path: Path) -> None:
    for example in sorted(EXAMPLES.glob("*.yaml")):
        copy = _write(tmp_path / example.name, example.read_text())
        assert _fmt(str(copy))[0] == 0
        formatted = copy.read_text()
        assert _fmt("--check", str(copy)) == (0, "", ""), example.name
        comments = [ln.strip() for ln in example.read_text().splitlines() if "#" in ln]
        assert sorted(comments) == sorted(ln.strip() for ln in formatted.splitlines() if "#" in ln)
        declared = "PROJECT_ID:" in example.read_text()  # not every example has the variable
        variables = {"PROJECT_ID": "demo-project"} if declared else {}
        assert load_spec(copy, variables).model_dump() == load_spec(example, variables).model_dump()


def test_bad_yaml_is_one_line_at_its_place_and_the_file_is_untouched(tmp_path: Path) -> None:
    bad = _write(tmp_path / "gkeplan.yaml", "version: 1\nregion: [us-central1\n")
    code, _, err = _fmt(str(bad))
    assert code == 1
    assert err.startswith(f"{bad}:3:1: error:")
    assert "invalid YAML" in err
    assert bad.read_text() == "version: 1\nregion: [us-central1\n"
    assert _fmt(str(tmp_path / "missing.yaml"))[0] == 2


def test_a_spec_with_a_merge_key_is_left_as_it_is_with_a_warning(tmp_path: Path) -> None:
    text = (
        "version: 1\nregion: r\nproject: p\nbuckets:\n  a: &b {location: US, name: x}\n"
        "  c:\n    <<: *b\n    name: y\n"
    )
    spec = _write(tmp_path / "gkeplan.yaml", text)
    code, out, err = _fmt("--check", str(spec))
    assert (code, out) == (0, "")
    assert err.startswith(f"{spec}:7:5: warning: ")
    assert "YAML merge key (<<)" in err
    assert spec.read_text() == text


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
