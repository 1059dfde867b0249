"""Every kind's name rule at its edges, through `gkeplan validate`, over the registry: the
longest name the source allows is taken, one character more is refused, and so are a digit
first, a hyphen last and (where the source says lowercase) a capital. Each rule names its
source; a kind with no name of its own is listed as such, so a new kind fails this test until
its rule is written here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from gkeplan.errors import Severity
from gkeplan.kinds import KINDS

from .helpers import diagnostics

HEAD = "version: 1\nproject: demo-project\nregion: us-central1\npolicy: {packs: []}\n"
NET = "networks:\n  n: {autoCreateSubnetworks: false}\n"
POOL = "    nodePools:\n      {pool}: {{machineType: n2-standard-4}}\n"


@dataclass(frozen=True)
class Rule:
    spec: Callable[[str], str]  # a spec naming one resource of the kind so
    longest: int
    source: str
    lowercase: bool = True  # a capital is refused
    letter_first: bool = True  # a digit first is refused
    hyphen_last: bool = True  # a hyphen last is refused
    refuses: Severity = Severity.ERROR  # unsourced rules only warn


COMPUTE = "compute v1 discovery document, NAME.name: 1-63 characters, [a-z]([-a-z0-9]*[a-z0-9])?"
RULES: dict[str, Rule] = {
    "serviceAccount": Rule(
        lambda n: HEAD + f"serviceAccounts:\n  sa: {{accountId: {n}}}\n",
        30,
        "iam v1 discovery document, CreateServiceAccountRequest.accountId: 6-30 characters, "
        "[a-z]([-a-z0-9]*[a-z0-9])",
    ),
    "bucket": Rule(
        lambda n: HEAD + f"buckets:\n  b: {{name: {n}}}\n",
        63,
        "https://cloud.google.com/storage/docs/buckets#naming: 3-63 characters, lowercase "
        "letters, digits, '-', '_', '.', a letter or digit first and last",
        letter_first=False,
    ),
    "artifactRepository": Rule(
        lambda n: HEAD + f"artifactRepositories:\n  r: {{name: {n}, format: DOCKER}}\n",
        63,
        "none found: the common GCP id grammar, so it only warns",
        refuses=Severity.WARNING,
    ),
    "secret": Rule(
        lambda n: HEAD + f"secrets:\n  s: {{secretId: {n}}}\n",
        255,
        "secretmanager v1 discovery document, projects.secrets.create secretId: at most 255 "
        "letters (either case), digits, '-' and '_'",
        lowercase=False,
        letter_first=False,
        hyphen_last=False,
    ),
    "network": Rule(lambda n: HEAD + f"networks:\n  x: {{name: {n}}}\n", 63, COMPUTE),
    "subnetwork": Rule(
        lambda n: (
            HEAD + NET + f"subnetworks:\n  x: {{name: {n}, network: n, ipCidrRange: 10.0.0.0/24}}\n"
        ),
        63,
        COMPUTE,
    ),
    "address": Rule(
        lambda n: HEAD + f"addresses:\n  x: {{name: {n}, region: us-central1}}\n", 63, COMPUTE
    ),
    "router": Rule(
        lambda n: HEAD + NET + f"routers:\n  x: {{name: {n}, network: n}}\n", 63, COMPUTE
    ),
    "firewall": Rule(
        lambda n: (
            HEAD + NET + f"firewalls:\n  x: {{name: {n}, network: n, sourceRanges: [10.0.0.0/8], "
            "allow: [{protocol: tcp, ports: ['22']}]}\n"
        ),
        63,
        COMPUTE,
    ),
    "cluster": Rule(
        lambda n: (
            HEAD
            + f"clusters:\n  c:\n    name: {n}\n    location: us-central1-c\n"
            + POOL.format(pool="pool")
        ),
        40,
        "container v1 discovery document, Cluster.name: up to 40 characters, lowercase "
        "letters, digits and hyphens, a letter first, a letter or digit last",
    ),
    "nodePool": Rule(
        lambda n: (
            HEAD
            + "clusters:\n  c:\n    location: us-central1-c\n"
            + "    nodePools:\n      p: {name: "
            + n
            + ", machineType: n2-standard-4}\n"
        ),
        40,
        "GKE's 400 for node_pool.name (pulumi/pulumi-gcp#1510): "
        "(?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?), no longer than 40 characters",
    ),
}
# kinds whose resources have no name of their own: an IAM member is a binding, a project
# service is an API's own name (its shape is the kind's check)
NO_NAME = {"iamMember", "projectService"}


def test_every_kind_has_its_name_rule_here() -> None:
    assert {k.name for k in KINDS} == set(RULES) | NO_NAME


def _about(tmp_path: Path, rule: Rule, name: str) -> list[Severity]:
    """The severities of what validate says about the name (and only it)."""
    return [
        d.severity
        for d in diagnostics(tmp_path, rule.spec(name))
        if name in d.message and d.severity is not Severity.INFO
    ]


def _names(rule: Rule) -> dict[str, str]:
    good = "a" + "b" * (rule.longest - 2) + "1"
    bad = {"one-too-long": "a" + "b" * (rule.longest - 1) + "1"}
    if rule.hyphen_last:
        bad["hyphen-last"] = "abc-"
    if rule.lowercase:
        bad["a-capital"] = "abC1"
    if rule.letter_first:
        bad["digit-first"] = "1abc"
    return {"longest": good, **bad}


CASES = [(kind, case) for kind, rule in RULES.items() for case in _names(rule)]


@pytest.mark.parametrize(("kind", "case"), CASES)
def test_a_name_at_the_edge_of_its_rule(tmp_path: Path, kind: str, case: str) -> None:
    rule = RULES[kind]
    name = _names(rule)[case]
    found = _about(tmp_path, rule, name)
    if case == "longest":
        assert found == [], f"{kind}: {name!r} is allowed ({rule.source})"
    else:
        assert found == [rule.refuses], f"{kind} {case}: {name!r} ({rule.source}): {found}"
