"""The layout's promises, checked over every import in src/: those inside functions and under
TYPE_CHECKING included, since each is a dependency a reader has to follow."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx

import gkeplan

SRC = Path(__file__).resolve().parents[2] / "src"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    # gkeplan's own modules; the emulator (gkeplan_emulator) has a layout test of its own
    return {_module_name(p): p for p in (SRC / "gkeplan").rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports; `from pkg import mod` counts as importing pkg.mod."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                if sub in known:
                    out.add(sub)
                elif module in known:
                    out.add(module)
    out.discard(name)
    return out


def _graph() -> nx.DiGraph[str]:
    modules = _modules()
    known = set(modules)
    graph: nx.DiGraph[str] = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for dep in _imports(name, path, known):
            graph.add_edge(name, dep)
    return graph


def test_no_module_imports_itself_back_through_others() -> None:
    graph = _graph()
    cycles = [c for c in nx.simple_cycles(graph) if len(c) > 1]
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join([*c, c[0]]) for c in cycles)


def test_the_spec_layer_knows_no_resource_kind_and_nothing_above_it() -> None:
    graph = _graph()
    above = (
        "gkeplan.kinds",
        "gkeplan.validation",
        "gkeplan.graph",
        "gkeplan.policy",
        "gkeplan.plan",
        "gkeplan.apply",
        "gkeplan.run",
        "gkeplan.cli",
    )
    for module in (m for m in graph if m.startswith("gkeplan.spec")):
        reached = nx.descendants(graph, module)
        assert not [r for r in reached if r.startswith(above)], module


def test_validate_never_reaches_a_kind_driver() -> None:
    """Drivers are named by string in each kind and imported only on the paths that call GCP."""
    graph = _graph()
    reached = nx.descendants(graph, "gkeplan.cli.validate") | {"gkeplan.cli.validate"}
    drivers = [m for m in reached if m.startswith("gkeplan.kinds.") and m.endswith(".driver")]
    assert drivers == [] or drivers == ["gkeplan.kinds.driver"]  # the interface, not a driver


# The Google client modules whose code ran: google.cloud itself is a namespace, with no code,
# and the placeholder gkeplan.lazy_compute puts in sys.modules for Compute Engine's package
# has run none of its own (its `__all__` is unset).
PRINT_GOOGLE_CLIENTS_LOADED = (
    "print(sorted(m for m, mod in sys.modules.items()"
    " if m.startswith(('google.cloud.', 'google.api_core', 'grpc'))"
    " and not (m == 'google.cloud.compute_v1' and '__all__' not in vars(mod))))"
)


def test_validate_loads_no_google_client(examples: Path) -> None:
    code = (
        "import sys; from gkeplan.cli import main\n"
        "try:\n    main(['validate', sys.argv[1], '--var', 'PROJECT_ID=demo-project'])\n"
        "except SystemExit:\n    pass\n"
        f"{PRINT_GOOGLE_CLIENTS_LOADED}"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(examples / "stable-diffusion.yaml")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_stages_flow_one_way() -> None:
    """spec -> kinds -> graph -> policy -> validation (which runs them) -> plan -> apply -> run
    -> cli: nothing reaches back."""
    order = [
        "gkeplan.spec",
        "gkeplan.kinds",
        "gkeplan.graph",
        "gkeplan.policy",
        "gkeplan.validation",
        "gkeplan.plan",
        "gkeplan.apply",
        "gkeplan.run",
        "gkeplan.cli",
    ]
    rank = {stage: i for i, stage in enumerate(order)}

    def stage(module: str) -> str | None:
        if _is_kind_rules(module):
            return "gkeplan.policy"
        return next((s for s in order if module == s or module.startswith(s + ".")), None)

    backwards = []
    for u, v in _graph().edges:
        su, sv = stage(u), stage(v)
        # kinds' drivers consume plan.model's Change: the executor hands it to them
        if su and sv and rank[sv] > rank[su] and v != "gkeplan.plan.model":
            backwards.append(f"{u} -> {v}")
    assert backwards == []


# A kind's policy plug-ins, named by its Kind: its rules (`Kind.rules`), quota use
# (`Kind.usage`) and cost (`Kind.cost`): policy-stage code kept in the kind's package.
_PLUG_INS = (".rules", ".usage", ".cost")


def _is_kind_rules(module: str) -> bool:
    return module.startswith("gkeplan.kinds.") and module.endswith(_PLUG_INS)


def test_a_kinds_policy_plug_ins_are_imported_by_name_only() -> None:
    """The policy stage imports each kind's rules, usage and cost by the name its Kind gives;
    no module outside them imports one directly, so a kind's own code never loads the policy
    stage."""
    graph = _graph()
    plug_ins = [m for m in graph if _is_kind_rules(m)]
    assert len(plug_ins) >= 8
    importers = [(u, v) for u, v in graph.edges if v in plug_ins and not _is_kind_rules(u)]
    assert importers == []


def test_the_public_api_is_pinned() -> None:
    assert gkeplan.__all__ == [
        "Autoscaling",
        "Bucket",
        "Cluster",
        "Condition",
        "Diagnostic",
        "Document",
        "GkeplanError",
        "IamGrant",
        "Location",
        "NodePool",
        "Policy",
        "PolicyRefused",
        "ServiceAccount",
        "Severity",
        "Spec",
        "SpecError",
        "StalePlan",
        "State",
        "StateConflict",
        "StateLocked",
        "Target",
        "ValidationResult",
        "Variable",
        "__version__",
        "build_graph",
        "check_spec",
        "format_spec",
        "load_spec",
        "validate",
    ]
    for name in gkeplan.__all__:
        assert getattr(gkeplan, name) is not None
