"""The dependency graph's data structure: a small directed graph with node and edge data.

Why not networkx here: importing networkx (it loads every algorithm it has) costs 0.13 s of CPU,
about half of a whole `gkeplan validate` of a 10-resource spec (0.28 s measured on the 2-core
benchmark machine), and validate needs only what is below: nodes and edges with data,
neighbours, a lexicographic topological order, ancestors/descendants and one cycle. The method
names follow networkx's DiGraph, and `to_networkx()` hands library users the real thing.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    import networkx as nx

Data = dict[str, Any]


class NodeView:
    def __init__(self, nodes: dict[str, Data]) -> None:
        self._nodes = nodes

    def __getitem__(self, node: str) -> Data:
        return self._nodes[node]

    def __iter__(self) -> Iterator[str]:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, node: object) -> bool:
        return node in self._nodes

    def __call__(self, data: str) -> Iterator[tuple[str, Any]]:
        """(node, its `data` attribute) pairs, as networkx's `G.nodes(data="node")`."""
        return ((n, d.get(data)) for n, d in self._nodes.items())


class EdgeView:
    def __init__(self, succ: dict[str, dict[str, Data]]) -> None:
        self._succ = succ

    def __getitem__(self, edge: tuple[str, str]) -> Data:
        return self._succ[edge[0]][edge[1]]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((u, v) for u, vs in self._succ.items() for v in vs)

    def __len__(self) -> int:
        return sum(len(vs) for vs in self._succ.values())

    @overload
    def __call__(self) -> Iterator[tuple[str, str]]: ...
    @overload
    def __call__(self, data: bool) -> Iterator[tuple[str, str, Data]]: ...
    def __call__(self, data: bool = False) -> Iterator[Any]:
        if not data:
            return iter(self)
        return ((u, v, d) for u, vs in self._succ.items() for v, d in vs.items())


class Graph:
    """Directed graph, edges from a dependency to its dependent."""

    def __init__(self) -> None:
        self._nodes: dict[str, Data] = {}
        self._succ: dict[str, dict[str, Data]] = {}
        self._pred: dict[str, dict[str, Data]] = {}

    def add_node(self, n: str, /, **data: Any) -> None:
        self._nodes.setdefault(n, {}).update(data)
        self._succ.setdefault(n, {})
        self._pred.setdefault(n, {})

    def add_edge(self, u: str, v: str, /, **data: Any) -> None:
        for end in (u, v):
            if end not in self._nodes:
                self.add_node(end)
        edge = self._succ[u].setdefault(v, {})
        edge.update(data)
        self._pred[v][u] = edge

    @property
    def nodes(self) -> NodeView:
        return NodeView(self._nodes)

    @property
    def edges(self) -> EdgeView:
        return EdgeView(self._succ)

    def has_edge(self, u: str, v: str) -> bool:
        return v in self._succ.get(u, {})

    def predecessors(self, node: str) -> Iterator[str]:
        return iter(self._pred[node])

    def successors(self, node: str) -> Iterator[str]:
        return iter(self._succ[node])

    def number_of_nodes(self) -> int:
        return len(self._nodes)

    def number_of_edges(self) -> int:
        return len(self.edges)

    def __contains__(self, node: object) -> bool:
        return node in self._nodes

    def __iter__(self) -> Iterator[str]:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def to_networkx(self) -> nx.DiGraph:
        import networkx as nx

        out = nx.DiGraph()
        out.add_nodes_from(self._nodes.items())
        out.add_edges_from(self.edges(data=True))
        return out


def topological_order(graph: Graph) -> list[str]:
    """Dependencies first; among nodes ready at once, the smallest name first (stable plans).
    Raises ValueError on a cycle."""
    indegree = {n: len(graph._pred[n]) for n in graph._nodes}
    ready = [n for n, d in indegree.items() if d == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for child in graph._succ[node]:
            indegree[child] -= 1
            if indegree[child] == 0:
                heapq.heappush(ready, child)
    if len(order) != len(indegree):
        raise ValueError("the graph has a cycle")
    return order


def _reach(start: str, neighbours: dict[str, dict[str, Data]]) -> set[str]:
    seen: set[str] = set()
    stack = list(neighbours[start])
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(neighbours[node])
    seen.discard(start)  # as networkx: a node is not its own ancestor, even on a cycle
    return seen


def ancestors(graph: Graph, node: str) -> set[str]:
    """Everything `node` depends on, directly or not."""
    return _reach(node, graph._pred)


def descendants(graph: Graph, node: str) -> set[str]:
    """Everything that depends on `node`, directly or not."""
    return _reach(node, graph._succ)


def find_cycle(graph: Graph) -> list[tuple[str, str]] | None:
    """The edges of one cycle, in order, or None when the graph is acyclic."""
    try:
        topological_order(graph)
        return None
    except ValueError:
        pass
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(graph._nodes, white)
    for root in sorted(graph._nodes):
        if colour[root] != white:
            continue
        path: list[str] = [root]
        iters = [iter(sorted(graph._succ[root]))]
        colour[root] = grey
        while iters:
            child = next(iters[-1], None)
            if child is None:
                colour[path.pop()] = black
                iters.pop()
            elif colour[child] == grey:
                cycle = path[path.index(child) :]
                return list(zip(cycle, [*cycle[1:], child], strict=True))
            elif colour[child] == white:
                colour[child] = grey
                path.append(child)
                iters.append(iter(sorted(graph._succ[child])))
    return None  # pragma: no cover - topological_order found a cycle, so DFS does too
