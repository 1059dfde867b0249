"""A replacement is two vertices of the apply's walk: what each waits for."""

from __future__ import annotations

import networkx as nx

from gkeplan.apply.vertices import OLD, vertices
from gkeplan.lifecycle import Journaled, Lifecycle
from gkeplan.plan.model import Action, Change


def _change(
    address: str, action: Action, deps: tuple[str, ...] = (), lifecycle: Lifecycle | None = None
) -> Change:
    return Change(
        address,
        "k",
        address + "-new",
        action,
        dependencies=list(deps),
        lifecycle=lifecycle or Lifecycle(),
    )


CREATE_FIRST = Lifecycle(create_before_destroy=True)


def _order(changes: list[Change], old_ids: dict[str, str] | None = None) -> list[str]:
    by = {c.address: c for c in changes}
    olds = old_ids or {c.address: c.address + "-old" for c in changes if c.action is Action.REPLACE}
    verts, deps = vertices(by, olds)
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(verts)
    graph.add_edges_from((d, v) for v, ds in deps.items() for d in ds)
    assert nx.is_directed_acyclic_graph(graph)
    return list(nx.lexicographical_topological_sort(graph))


def test_delete_then_create_destroys_dependents_first_and_creates_dependencies_first() -> None:
    order = _order(
        [
            _change("net", Action.REPLACE),
            _change("subnet", Action.REPLACE, ("net",)),
            _change("firewall", Action.REPLACE, ("net",)),
        ]
    )
    assert order.index("subnet" + OLD) < order.index("net" + OLD)
    assert order.index("firewall" + OLD) < order.index("net" + OLD)
    assert order.index("net" + OLD) < order.index("net") < order.index("subnet")
    assert order.index("net") < order.index("firewall")


def test_create_before_destroy_removes_the_old_one_after_what_uses_it_moved() -> None:
    order = _order(
        [
            _change("pool", Action.REPLACE, lifecycle=CREATE_FIRST),
            _change("user", Action.UPDATE, ("pool",)),
        ]
    )
    assert order.index("pool") < order.index("user") < order.index("pool" + OLD)


def test_create_before_destroy_with_the_same_id_is_delete_then_create() -> None:
    pool = _change("pool", Action.REPLACE, lifecycle=CREATE_FIRST)
    order = _order([pool], {"pool": pool.id})
    assert order.index("pool" + OLD) < order.index("pool")


def test_a_create_first_dependent_of_a_delete_first_replacement_makes_no_cycle() -> None:
    # an account replaced under the same email, and a pool running as it replaced create-first
    order = _order(
        [
            _change("account", Action.REPLACE),
            _change("pool", Action.REPLACE, ("account",), lifecycle=CREATE_FIRST),
        ]
    )
    assert order.index("account" + OLD) < order.index("account") < order.index("pool")
    assert order.index("pool") < order.index("pool" + OLD)


def test_what_a_replaced_parent_creates_with_it_stays_one_vertex_after_the_parent() -> None:
    makes_pool = Lifecycle(also_creates=(Journaled("pool", "k", "pool-new"),))
    cluster = _change("cluster", Action.REPLACE, lifecycle=makes_pool)
    order = _order([cluster, _change("pool", Action.REPLACE, ("cluster",))])
    assert "pool" + OLD not in order  # deleting the cluster takes its pools along
    assert order.index("cluster" + OLD) < order.index("cluster") < order.index("pool")


def test_a_delete_waits_for_the_old_half_of_a_dependent_replacement() -> None:
    order = _order(
        [_change("old-net", Action.DELETE), _change("subnet", Action.REPLACE, ("old-net",))]
    )
    assert order.index("subnet" + OLD) < order.index("old-net")
