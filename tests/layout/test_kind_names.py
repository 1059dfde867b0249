"""A kind is one place: the stage modules hold no kind's name, and every kind's declarations
resolve through the registry."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from gkeplan.kinds import KINDS
from gkeplan.kinds.base import imported

SRC = Path(__file__).resolve().parents[2] / "src" / "gkeplan"
NAMES = sorted(k.name for k in KINDS)
# a string that is a kind's name, or starts an address (KIND.KEY) or a target (KIND:KEY) with it
_MENTION = re.compile(rf"\A({'|'.join(NAMES)})([.:]|\Z)")

# Where the same word means something else, by file and word: why it is not a kind's name.
NOT_A_KIND = {
    # GCP's IAM principal type (serviceAccount:EMAIL), which the member grammar reads
    ("spec/refs.py", "serviceAccount"),
    ("spec/strings.py", "serviceAccount"),
    # the least-privilege rules read and write members (serviceAccount:EMAIL) of grants
    ("policy/rules_iam.py", "serviceAccount"),
    # a key of the public price catalog the catalog build reads (storage.bucket prices)
    ("catalog/build.py", "bucket"),
}


# Kind names that are also gkeplan's own words: only their address (KIND.KEY) and target
# (KIND:KEY) forms count ("address" alone is a graph address everywhere).
WORDS = {"address"}


def _names_a_kind(text: str) -> str | None:
    m = _MENTION.match(text)
    if m is None or (m[1] in WORDS and not m[2]):
        return None
    return m[1]


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string constant, and the literal parts of f-strings, with its line."""
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def _stage_modules() -> list[Path]:
    return [
        p
        for p in sorted(SRC.rglob("*.py"))
        if p.relative_to(SRC).parts[0] != "kinds" and "__pycache__" not in p.parts
    ]


def test_no_stage_module_names_a_kind() -> None:
    found = []
    for path in _stage_modules():
        rel = path.relative_to(SRC).as_posix()
        for line, text in _strings(ast.parse(path.read_text(), rel)):
            kind = _names_a_kind(text)
            if kind and (rel, kind) not in NOT_A_KIND:
                found.append(f"{rel}:{line}: {text!r}")
    assert found == [], "kind names outside kinds/ (declare it on the kind):\n" + "\n".join(found)


def test_the_allowed_mentions_are_still_there() -> None:
    """Each exception names a real use; one that no longer exists is dropped from the list."""
    for rel, word in NOT_A_KIND:
        texts = [t for _, t in _strings(ast.parse((SRC / rel).read_text()))]
        mentioned = {k for t in texts if (k := _names_a_kind(t))}
        assert word in mentioned, rel


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_declaration_of_a_kind_resolves(kind: object) -> None:
    """What a kind names by string (driver, rules, usage, cost, its grant target's adapter)
    imports, and is what the stage that loads it expects."""
    from gkeplan.kinds.base import Kind
    from gkeplan.policy.model import Rule

    assert isinstance(kind, Kind)
    module, _, cls = kind.driver.partition(":")
    driver = imported(kind.driver)
    assert callable(driver) and cls and module.startswith("gkeplan.kinds.")
    if kind.rules:
        rules = imported(kind.rules)
        assert rules and all(isinstance(r, type) and issubclass(r, Rule) for r in rules)
    if kind.usage:
        assert callable(imported(kind.usage))
    if kind.cost:
        priced = imported(kind.cost)
        assert callable(priced.price) and callable(priced.as_it_is) and priced.kinds
    if kind.grant_target is not None:
        policies = imported(kind.grant_target.policies)
        assert callable(policies.read) and callable(policies.write)
        re.compile(kind.grant_target.pattern)
