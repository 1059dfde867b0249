"""Generated hostile and extreme inputs for `gkeplan validate`, one row of issue 15 per group.

Each case is a spec text (or None for the base spec), extra command-line arguments, extra files
and environment; `flag` names the option a refusal must name when it comes from the command line
(exit 2) rather than from the spec (exit 1 with file:line:col). `{dir}` in an argument is the
case's directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BASE = """\
version: 1
project: demo-project
region: us-central1
variables:
  USER_EMAIL:
    description: who may impersonate gke-node
    default: ada@example.com
serviceAccounts:
  gke-node:
    displayName: nodes
    impersonators: ["user:${USER_EMAIL}"]
iam:
  - member: serviceAccount:gke-node
    roles: [roles/container.defaultNodeServiceAccount]
clusters:
  sd-cluster:
    location: us-central1-c
    nodePools:
      pool:
        machineType: n2-standard-4
        serviceAccount: gke-node
        diskSizeGb: 50
buckets:
  models:
    name: demo-project-models
"""

POOL = "        diskSizeGb: 50\n"
BUCKET = "    name: demo-project-models\n"


@dataclass(frozen=True)
class Case:
    row: str
    name: str
    spec: str = BASE
    args: tuple[str, ...] = ()
    files: dict[str, bytes] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    flag: str | None = None  # the refusal must name this option (exit 2)

    @property
    def id(self) -> str:
        return f"{self.row}/{self.name}"


def _pool(extra: str) -> str:
    return BASE.replace(POOL, POOL + extra)


def _bucket(extra: str) -> str:
    return BASE.replace(BUCKET, BUCKET + extra)


def _top(extra: str) -> str:
    return BASE + extra


def huge_numbers() -> Iterator[Case]:
    row = "huge-number"
    for digits in (20, 4_400, 4_600, 5_000):
        n = "9" * digits
        places = {
            "diskSizeGb": BASE.replace("diskSizeGb: 50", f"diskSizeGb: {n}"),
            "version": BASE.replace("version: 1", f"version: {n}"),
            "quota": _top(f"policy:\n  quotas:\n    N2_CPUS: {n}\n"),
            "parameter": _top(f"policy:\n  parameters:\n    maxMonthlyUsd: {n}\n"),
            "variable-default": BASE.replace("default: ada@example.com", f"default: {n}"),
            "maxNodeCount": _pool(f"        autoscaling: {{minNodeCount: 1, maxNodeCount: {n}}}\n"),
            "initialNodeCount": _pool(f"        initialNodeCount: -{n}\n"),
            "maxSurge": _pool(f"        upgradeSettings: {{maxSurge: {n}}}\n"),
            "accelerator-count": _pool(
                f"        accelerators: [{{type: nvidia-tesla-t4, count: {n}}}]\n"
            ),
            "lifecycle-age": _bucket(
                f"    lifecycleRules: [{{action: {{type: Delete}}, condition: {{age: {n}}}}}]\n"
            ),
            "label-value": _bucket(f"    labels: {{team: {n}}}\n"),
        }
        for place, text in places.items():
            yield Case(row, f"{place}-{digits}", text)
        yield Case(
            row,
            f"var-file-{digits}",
            args=("--var-file", "{dir}/vars.yaml"),
            files={"vars.yaml": f"USER_EMAIL: {n}\n".encode()},
            flag="--var-file",
        )
        yield Case(
            row,
            f"var-into-disk-{digits}",
            BASE.replace("diskSizeGb: 50", "diskSizeGb: ${SIZE}").replace(
                "variables:\n", "variables:\n  SIZE: {}\n"
            ),
            args=("--var", f"SIZE={n}"),
        )
        yield Case(row, f"hex-{digits}", BASE.replace("diskSizeGb: 50", f"diskSizeGb: 0x{n}"))


def int_bounds() -> Iterator[Case]:
    row = "int-bound"
    values = {
        "maxNodeCount": ["9223372036854775808", "9223372036854775807", "1001", "0", "-1"],
        "minNodeCount": ["-9223372036854775809", "1001", "-1"],
        "initialNodeCount": ["1001", "2147483648", "-1"],
        "diskSizeGb": ["65537", "9", "2147483648", "-9223372036854775808", "1e400", ".nan"],
        "maxPodsPerNode": ["257", "7", "9223372036854775807"],
        "maxSurge": ["2147483648", "-1"],
    }
    for fld, vals in values.items():
        for v in vals:
            if fld in ("maxNodeCount", "minNodeCount"):
                other = "minNodeCount: 0" if fld == "maxNodeCount" else "maxNodeCount: 2"
                text = _pool(f"        autoscaling: {{{other}, {fld}: {v}}}\n")
            elif fld == "maxSurge":
                text = _pool(f"        upgradeSettings: {{maxSurge: {v}}}\n")
            elif fld == "diskSizeGb":
                text = BASE.replace("diskSizeGb: 50", f"diskSizeGb: {v}")
            else:
                text = _pool(f"        {fld}: {v}\n")
            yield Case(row, f"{fld}={v}", text)
    for v in (".inf", "-.inf", ".nan", "-1"):
        yield Case(row, f"quota={v}", _top(f"policy:\n  quotas:\n    N2_CPUS: {v}\n"))
    for v in ("2147483648", "-1"):
        yield Case(
            row,
            f"age={v}",
            _bucket(
                f"    lifecycleRules: [{{action: {{type: Delete}}, condition: {{age: {v}}}}}]\n"
            ),
        )


def deep_nesting() -> Iterator[Case]:
    row = "deep-nesting"
    for depth in (101, 150, 500, 900, 999, 1500):
        flow_seq = "[" * depth + "x" + "]" * depth
        flow_map = "{a: " * depth + "x" + "}" * depth
        block_seq = "\n" + "".join("  " * (i + 3) + "-\n" for i in range(min(depth, 400)))
        block_map = "\n" + "".join("  " * (i + 3) + "k:\n" for i in range(min(depth, 400)))
        for style, value in (
            ("flow-seq", flow_seq),
            ("flow-map", flow_map),
            ("block-seq", block_seq),
            ("block-map", block_map),
        ):
            if style.startswith("block") and depth > 400:
                continue  # indentation makes the file quadratic; 400 is deep enough
            yield Case(row, f"labels-{style}-{depth}", _bucket(f"    labels: {value}\n"))
            yield Case(row, f"top-{style}-{depth}", _top(f"extra: {value}\n"))
        yield Case(
            row,
            f"var-file-{depth}",
            args=("--var-file", "{dir}/vars.yaml"),
            files={"vars.yaml": f"USER_EMAIL: {flow_seq}\n".encode()},
            flag="--var-file",
        )
    aliased = "a: &a " + "[" * 60 + "x" + "]" * 60 + "\n"
    yield Case(
        row, "alias-doubles-depth", _top(aliased + "b: " + "[" * 60 + "*a" + "]" * 60 + "\n")
    )


def odd_files() -> Iterator[Case]:
    row = "odd-file"
    kinds: dict[str, bytes | None] = {
        "binary": bytes(range(256)) * 64,
        "nul-bytes": b"version: 1\x00\x00\n",
        "latin-1": "version: 1\nproject: d\xe9mo\n".encode("latin-1"),
        "utf-16": BASE.encode("utf-16"),
        "empty": b"",
        "directory": None,
    }
    for kind, content in kinds.items():
        # a name ending in '/' is made a directory; one ending in '@' a symlink to its content
        files = {"odd.yaml/": b""} if content is None else {"odd.yaml": content}
        # click refuses a directory SPEC itself (dir_okay=False), naming SPEC
        flag = "SPEC" if kind == "directory" else None
        yield Case(row, f"spec-{kind}", spec="@{dir}/odd.yaml", files=files, flag=flag)
        yield Case(
            row,
            f"var-file-{kind}",
            args=("--var-file", "{dir}/odd.yaml"),
            files=files,
            flag="--var-file",
        )
    for dev in ("/dev/zero", "/dev/urandom", "/dev/null"):
        name = dev.rsplit("/", 1)[1]
        link = {"odd.yaml@": dev.encode()}
        yield Case(row, f"spec-symlink-{name}", spec="@{dir}/odd.yaml", files=link)
        yield Case(row, f"spec-{name}", spec=f"@{dev}")
        yield Case(
            row,
            f"var-file-symlink-{name}",
            args=("--var-file", "{dir}/odd.yaml"),
            files=link,
            flag="--var-file",
        )
    yield Case(row, "var-file-missing", args=("--var-file", "{dir}/nope.yaml"), flag="--var-file")
    yield Case(row, "spec-too-big", _top("# " + "x" * (8 * 1024 * 1024) + "\n"))
    yield Case(
        row,
        "var-file-too-big",
        args=("--var-file", "{dir}/vars.yaml"),
        files={"vars.yaml": b"A: " + b"x" * (8 * 1024 * 1024) + b"\n"},
        flag="--var-file",
    )


BIDI = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
CONTROLS = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\r", "\x9b"]


def variable_values() -> Iterator[Case]:
    row = "variable-value"
    bad = {f"U+{ord(c):04X}": c for c in BIDI + CONTROLS}
    bad["surrogate-ff"] = "\udcff"
    bad["surrogate-c3"] = "\udcc3\udca9"
    for label, ch in bad.items():
        value = f"ada{ch}@example.com"
        yield Case(row, f"var-{label}", args=("--var", f"USER_EMAIL={value}"), flag="--var")
        if ch != "\x00" and not 0xD800 <= ord(ch[0]) <= 0xDFFF:  # environ cannot hold these
            yield Case(row, f"env-{label}", env={"GKEPLAN_VAR_USER_EMAIL": value})
        escaped = "".join(f"\\u{ord(c):04x}" if not c.isascii() or c < " " else c for c in value)
        yield Case(
            row,
            f"var-file-{label}",
            args=("--var-file", "{dir}/vars.yaml"),
            files={"vars.yaml": f'USER_EMAIL: "{escaped}"\n'.encode()},
            flag="--var-file",
        )
        yield Case(
            row,
            f"default-{label}",
            BASE.replace("default: ada@example.com", f'default: "{escaped}"'),
        )
    for label, value in {
        "no-at": "ada",
        "two-ats": "a@b@example.com",
        "space": "ada lovelace@example.com",
        "no-domain": "ada@",
        "no-local": "@example.com",
        "single-label-domain": "ada@localhost",
        "trailing-dot": "ada@example.com.",
        "comma": "ada,x@example.com",
        "too-long": "a" * 250 + "@example.com",
        "colon": "user:ada@example.com",
        "empty": "",
    }.items():
        yield Case(row, f"member-{label}", args=("--var", f"USER_EMAIL={value}"))
    for label, pair in {
        "no-equals": "USER_EMAIL",
        "empty-name": "=x",
        "bad-name": "USER-EMAIL=x",
        "bidi-name": "USER\u202eEMAIL=x",
        "surrogate-name": "USER\udcffEMAIL=x",
    }.items():
        yield Case(row, f"pair-{label}", args=("--var", pair), flag="--var")
    yield Case(row, "undeclared", args=("--var", "USER_EMAL=ada@example.com"))


def spec_strings() -> Iterator[Case]:
    row = "spec-string"
    for label, ch in {f"U+{ord(c):04X}": c for c in BIDI + CONTROLS[1:]}.items():
        esc = f"\\u{ord(ch):04x}"
        yield Case(
            row,
            f"display-name-{label}",
            BASE.replace("displayName: nodes", f'displayName: "n{esc}"'),
        )
        yield Case(row, f"label-key-{label}", _bucket(f'    labels: {{"te{esc}am": ml}}\n'))
    for label, text in {
        "label-upper": "{Team: ml}",
        "label-key-digit": "{1team: ml}",
        "label-value-space": "{team: m l}",
        "label-key-long": "{" + "k" * 64 + ": v}",
        "label-value-long": "{k: " + "v" * 64 + "}",
        "label-65": "{" + ", ".join(f"k{i}: v" for i in range(65)) + "}",
    }.items():
        yield Case(row, label, _bucket(f"    labels: {text}\n"))
    for label, member in {
        "member-no-kind": "ada@example.com",
        "member-bad-kind": "robot:ada@example.com",
        "member-user-no-email": "user:ada",
        "member-domain-bad": "domain:-example-.com",
        "member-principal-bad": "principal:iam.googleapis.com",
        "member-deleted-bad": "deleted:user:ada@example.com",
        "member-sa-unknown": "serviceAccount:gke-nod",
    }.items():
        yield Case(row, label, BASE.replace("member: serviceAccount:gke-node", f"member: {member}"))
    for label, name in {
        "bucket-goog": "goog-models",
        "bucket-upper": "Models-Bucket",
        "bucket-ip": "192.168.5.4",
        "cluster-name": "Sd_Cluster",
        "account-id-short": "abc",
    }.items():
        if label.startswith("bucket"):
            yield Case(row, label, BASE.replace("name: demo-project-models", f"name: {name}"))
        elif label == "cluster-name":
            yield Case(
                row,
                label,
                BASE.replace(
                    "    location: us-central1-c", f"    name: {name}\n    location: us-central1-c"
                ),
            )
        else:
            yield Case(row, label, BASE.replace("displayName: nodes", f"accountId: {name}"))


def oauth_scopes() -> Iterator[Case]:
    row = "oauth-scope"
    for label, scope in {
        "not-a-url": "not-a-url",
        "typo-alias": "cloud-platfrom",
        "upper-alias": "CLOUD-PLATFORM",
        "http": "http://www.googleapis.com/auth/cloud-platform",
        "other-host": "https://evil.example.com/auth/cloud-platform",
        "bare-prefix": "https://www.googleapis.com/auth/",
        "dot-dot": "https://www.googleapis.com/auth/../x",
        "query": "https://www.googleapis.com/auth/cloud-platform?x=1",
        "space": "' cloud-platform'",
        "empty": "''",
        "number": "42",
        "bidi": '"cloud-platform\\u202e"',
    }.items():
        yield Case(row, label, _pool(f"        oauthScopes: [{scope}]\n"))


def state_prefixes() -> Iterator[Case]:
    row = "state-prefix"
    for label, prefix in {
        "dot-dot-slash": "../x",
        "inner-dot-dot": "a/../b",
        "dot-dot": "..",
        "dot": ".",
        "leading-slash": "/abs",
        "double-slash": "a//b",
        "newline": '"a\\nb"',
        "carriage-return": '"a\\rb"',
        "hash": '"a#b"',
        "star": '"a*b"',
        "question": '"a?b"',
        "brackets": '"a[0]"',
        "acme": ".well-known/acme-challenge/x",
        "too-long": "p" * 1010,
        "bidi": '"a\\u202eb"',
    }.items():
        yield Case(
            row, label, _top(f"state: {{backend: gcs, bucket: demo-state, prefix: {prefix}}}\n")
        )
    for label, bucket in {
        "bucket-goog": "goog-state",
        "bucket-slash": "a/b",
        "bucket-short": "ab",
    }.items():
        yield Case(row, label, _top(f"state: {{backend: gcs, bucket: {bucket}}}\n"))


def depends_on() -> Iterator[Case]:
    row = "depends-on"
    yield Case(row, "self-bucket", _bucket("    dependsOn: [bucket.models]\n"))
    yield Case(
        row,
        "self-account",
        BASE.replace(
            "displayName: nodes", "displayName: nodes\n    dependsOn: [serviceAccount.gke-node]"
        ),
    )
    yield Case(
        row,
        "self-cluster",
        BASE.replace(
            "    location: us-central1-c",
            "    location: us-central1-c\n    dependsOn: [cluster.sd-cluster]",
        ),
    )
    yield Case(
        row,
        "two-cycle",
        _bucket("    dependsOn: [serviceAccount.gke-node]\n").replace(
            "displayName: nodes", "displayName: nodes\n    dependsOn: [bucket.models]"
        ),
    )
    yield Case(row, "typo", _bucket("    dependsOn: [bucket.model]\n"))
    for n in (2_000,):
        refs = ", ".join(f"bucket.nothing-{i:05d}" for i in range(n))
        yield Case(row, f"{n}-unknown", _bucket(f"    dependsOn: [{refs}]\n"))


def truncations() -> Iterator[Case]:
    row = "truncation"
    tail = "policy: {packs: [free-trial], quotas: {N2_CPUS: 24, us-central1/CPUS: 8}}\n"
    for cut in range(9, len(tail) - 2, 2):
        yield Case(row, f"flow-at-{cut}", BASE + tail[:cut] + "\n")
    quoted = 'description: "a long description that never ends\n'
    yield Case(row, "unterminated-quote", _top(quoted))


def type_swaps() -> Iterator[Case]:
    row = "type-swap"
    swaps = {"list": "[a, b]", "mapping": "{a: b}", "null": "null", "float": "1.5"}
    fields = {
        "version": ("version: 1", "version: {}"),
        "project": ("project: demo-project", "project: {}"),
        "region": ("region: us-central1", "region: {}"),
        "diskSizeGb": ("diskSizeGb: 50", "diskSizeGb: {}"),
        "machineType": ("machineType: n2-standard-4", "machineType: {}"),
        "serviceAccounts": ("serviceAccounts:\n", "serviceAccounts: {}\nx-old-accounts:\n"),
        "bucket-name": ("name: demo-project-models", "name: {}"),
        "member": ("member: serviceAccount:gke-node", "member: {}"),
    }
    for fld, (old, new) in fields.items():
        for label, value in swaps.items():
            if (fld, label) in (("project", "float"), ("bucket-name", "null")):
                continue  # null is a valid name (the key is used), 1.5 a valid project text
            yield Case(row, f"{fld}-{label}", BASE.replace(old, new.format(value), 1))


def yaml_traps() -> Iterator[Case]:
    row = "yaml-trap"
    yield Case(
        row,
        "duplicate-key",
        BASE.replace("region: us-central1\n", "region: us-central1\nregion: europe-west1\n"),
    )
    yield Case(row, "unknown-tag", BASE.replace("project: demo-project", "project: !Ref demo"))
    yield Case(
        row,
        "python-tag",
        BASE.replace("project: demo-project", "project: !!python/object/apply:os.system [echo]"),
    )
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        levels.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    yield Case(row, "alias-bomb", "\n".join(levels) + "\n")
    yield Case(row, "syntax-error", BASE.replace("region: us-central1", "region: [us-central1"))
    yield Case(row, "empty", "")
    yield Case(row, "comment-only", "# nothing\n")
    yield Case(row, "non-mapping", "- a\n- b\n")
    yield Case(row, "scalar", "just text\n")
    yield Case(row, "second-document", BASE + "---\nversion: 1\n")
    yield Case(row, "merge-non-mapping", _top("extra:\n  <<: [1, 2]\n"))
    yield Case(row, "set-tag", _top("extra: !!set {a, b}\n"))
    yield Case(row, "binary-tag", _top("extra: !!binary aGVsbG8=\n"))
    yield Case(row, "complex-key", _top("? [a, b]\n: c\n"))
    yield Case(row, "tab-indent", BASE.replace("    displayName: nodes", "\tdisplayName: nodes"))
    yield Case(
        row, "raw-control-char", BASE.replace("displayName: nodes", "displayName: no\x07des")
    )
    yield Case(row, "undefined-alias", _top("extra: *nowhere\n"))
    yield Case(row, "unknown-key", _top("clustres: {}\n"))


GROUPS = (
    huge_numbers,
    int_bounds,
    deep_nesting,
    odd_files,
    variable_values,
    spec_strings,
    oauth_scopes,
    state_prefixes,
    depends_on,
    truncations,
    type_swaps,
    yaml_traps,
)


def all_cases() -> list[Case]:
    return [case for group in GROUPS for case in group()]


def materialise(case: Case, where: Path) -> str:
    """Write the case's files under `where`; return the SPEC argument.

    A file name ending in '/' is made a directory, one ending in '@' a symlink to its content.
    """
    for name, content in case.files.items():
        if name.endswith("/"):
            (where / name.rstrip("/")).mkdir()
        elif name.endswith("@"):
            os.symlink(content.decode(), where / name.rstrip("@"))
        else:
            (where / name).write_bytes(content)
    if case.spec.startswith("@"):
        return case.spec[1:].replace("{dir}", str(where))
    spec = where / "spec.yaml"
    spec.write_bytes(case.spec.encode("utf-8", "surrogateescape"))
    return str(spec)


def arguments(case: Case, spec: str, where: Path) -> list[str]:
    return ["validate", spec, *(a.replace("{dir}", str(where)) for a in case.args)]
