"""The dependency graph is networkx's DiGraph: the spec's resources as nodes, and the two
helpers gkeplan adds (a stable order, one cycle to name) on random graphs."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from gkeplan import build_graph, load_spec
from gkeplan.graph.build import Graph, find_cycle, topological_order

NAMES = st.sampled_from([f"n{i}" for i in range(12)])


def test_build_graph_returns_a_networkx_digraph_of_the_specs_resources(examples: Path) -> None:
    spec = load_spec(examples / "stable-diffusion.yaml", {"PROJECT_ID": "demo-project"})
    graph = build_graph(spec)
    assert isinstance(graph, nx.DiGraph)
    assert nx.is_directed_acyclic_graph(graph)
    pool = "nodePool.sd-cluster.sd-node-pool"
    assert "serviceAccount.gke-node" in nx.ancestors(graph, pool)
    assert graph.nodes[pool]["kind"] == "nodePool"
    assert graph.edges["cluster.sd-cluster", pool]["reason"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(NAMES, NAMES), max_size=30), st.lists(NAMES, max_size=5))
def test_order_and_cycle_on_random_graphs(edges: list[tuple[str, str]], lone: list[str]) -> None:
    graph: Graph = nx.DiGraph()
    graph.add_nodes_from(lone)
    graph.add_edges_from(edges)
    cycle = find_cycle(graph)
    if nx.is_directed_acyclic_graph(graph):
        assert cycle is None
        order = topological_order(graph)
        assert order == list(nx.lexicographical_topological_sort(graph))
        assert all(order.index(u) < order.index(v) for u, v in graph.edges)
    else:
        assert cycle is not None
        assert all(graph.has_edge(u, v) for u, v in cycle)
        assert [v for _, v in cycle][-1] == cycle[0][0]  # it closes
