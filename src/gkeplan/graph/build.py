"""The dependency graph: a networkx DiGraph with one node per resource (its address; data
`node` and `kind`) and an edge from each dependency to its dependent (data `reason`, `path`).
networkx's algorithms serve every stage: order, ancestors and descendants, cycles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeAlias

import networkx as nx

from gkeplan.errors import Diagnostic, Path, SpecError
from gkeplan.kinds import BY_NAME, expand
from gkeplan.kinds.base import Dep
from gkeplan.spec.base import Document

if TYPE_CHECKING:
    Graph: TypeAlias = nx.DiGraph[str]
else:
    Graph = nx.DiGraph


def topological_order(graph: Graph) -> list[str]:
    """Dependencies first; among resources ready at once, the smallest address first, so plans
    list the same changes in the same order every time."""
    return list(nx.lexicographical_topological_sort(graph))


def find_cycle(graph: Graph) -> list[tuple[str, str]] | None:
    """The edges of one cycle, in order, or None when the graph is acyclic."""
    # A topological sort says whether there is one in a fifth of find_cycle's time (measured
    # at 10,000 resources: 0.02 s against 0.11 s); only a spec with a cycle pays for naming it.
    if nx.is_directed_acyclic_graph(graph):
        return None
    try:
        return [(u, v) for u, v, *_ in nx.find_cycle(graph, source=sorted(graph))]
    except nx.NetworkXNoCycle:
        return None


def build_graph(spec: Document) -> Graph:
    """The spec's resources and their order; raises SpecError naming any cycle. Built once per
    spec (a spec is frozen): validation, the policies and the run share one graph, which no
    stage changes."""
    return spec.memo("graph.build", lambda: _build(spec))


def _build(spec: Document) -> Graph:
    nodes, problems = expand(spec)
    graph: Graph = nx.DiGraph()
    for address, node in nodes.items():
        graph.add_node(address, node=node, kind=node.kind)
    enablers = {
        api: address
        for address, node in nodes.items()
        for api in BY_NAME[node.kind].enables(spec, node)
    }
    for address, node in nodes.items():
        # a node waits for the nodes that turn on the APIs its driver calls
        calls = BY_NAME[node.kind].apis(spec, node) if enablers else ()
        enabled_by = [
            Dep(enablers[api], "enables its API", node.path) for api in calls if api in enablers
        ]
        for dep in (*node.deps, *BY_NAME[node.kind].link(spec, node, nodes), *enabled_by):
            if dep.address == address and dep.reason == "dependsOn":
                problems.append(_self_cycle(spec, address, dep.path))
            known = dep.address in nodes and dep.address != address
            if known and not graph.has_edge(dep.address, address):
                graph.add_edge(dep.address, address, reason=dep.reason, path=dep.path)
    problems.extend(_cycles(spec, graph))
    if problems:
        raise SpecError(problems)
    return graph


def _self_cycle(spec: Document, address: str, path: Path) -> Diagnostic:
    return Diagnostic(
        f"dependency cycle: {address} -> {address} (a resource cannot depend on itself)",
        spec.source.value(path) if spec.source else None,
        path,
        "remove this dependsOn entry",
        code="graph",
    )


def _cycles(spec: Document, graph: Graph) -> Iterable[Diagnostic]:
    edges = find_cycle(graph)
    if edges is None:
        return []
    chain = " -> ".join([edges[0][0], *(v for _, v in edges)])
    links = []
    for u, v in edges:
        data = graph.edges[u, v]
        loc = spec.source.value(data["path"]) if spec.source else None
        links.append(f"{loc.file}:{loc.line}" if loc else "?")
    first = graph.edges[edges[0][0], edges[0][1]]
    return [
        Diagnostic(
            f"dependency cycle: {chain}",
            spec.source.value(first["path"]) if spec.source else None,
            first["path"],
            "links at "
            + ", ".join(f"{u} -> {v} ({at})" for (u, v), at in zip(edges, links, strict=True))
            + "; remove one of these dependsOn entries",
            code="graph",
        )
    ]
