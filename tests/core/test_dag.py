"""The dependency graph's own structure, against networkx's answers on the same graphs."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from gkeplan.graph.dag import Graph, ancestors, descendants, find_cycle, topological_order

NAMES = st.sampled_from([f"n{i}" for i in range(12)])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(NAMES, NAMES), max_size=30), st.lists(NAMES, max_size=5))
def test_agrees_with_networkx(edges: list[tuple[str, str]], lone: list[str]) -> None:
    ours, theirs = Graph(), nx.DiGraph()
    for n in lone:
        ours.add_node(n)
        theirs.add_node(n)
    for u, v in edges:
        ours.add_edge(u, v, reason="r")
        theirs.add_edge(u, v, reason="r")
    assert set(ours) == set(theirs.nodes) and set(ours.edges) == set(theirs.edges)
    cycle = find_cycle(ours)
    if nx.is_directed_acyclic_graph(theirs):
        assert cycle is None
        assert topological_order(ours) == list(nx.lexicographical_topological_sort(theirs))
    else:
        assert cycle is not None
        assert all(theirs.has_edge(u, v) for u, v in cycle)
        assert [v for _, v in cycle][-1] == cycle[0][0]  # it closes
    for n in theirs.nodes:
        assert ancestors(ours, n) == nx.ancestors(theirs, n)
        assert descendants(ours, n) == nx.descendants(theirs, n)
    assert nx.utils.graphs_equal(ours.to_networkx(), theirs)
