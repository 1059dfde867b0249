"""The dependency graph: one node per resource, an edge from each dependency to its dependent."""

from __future__ import annotations

from collections.abc import Iterable

from gkeplan.errors import Diagnostic, Path, SpecError
from gkeplan.graph.dag import Graph, find_cycle
from gkeplan.kinds import BY_NAME, expand
from gkeplan.spec.base import Document


def build_graph(spec: Document) -> Graph:
    """The spec's resources and their order; raises SpecError naming any cycle."""
    nodes, problems = expand(spec)
    graph = Graph()
    for address, node in nodes.items():
        graph.add_node(address, node=node, kind=node.kind)
    for address, node in nodes.items():
        for dep in (*node.deps, *BY_NAME[node.kind].link(spec, node, nodes)):
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
