"""Render the dependency graph as Graphviz dot, Mermaid or JSON."""

from __future__ import annotations

import json

from gkeplan.graph.dag import Graph


def _id(address: str) -> str:
    return "n" + "".join(c if c.isalnum() else "_" for c in address)


def render(graph: Graph, fmt: str) -> str:
    nodes = sorted(graph.nodes)
    edges = sorted(graph.edges(data=True), key=lambda e: (e[0], e[1]))
    if fmt == "json":
        return json.dumps(
            {
                "nodes": [{"address": n, "kind": graph.nodes[n]["kind"]} for n in nodes],
                "edges": [{"from": u, "to": v, "reason": d["reason"]} for u, v, d in edges],
            },
            indent=2,
        )
    if fmt == "mermaid":
        lines = ["flowchart LR"]
        lines += [f'  {_id(n)}["{n}"]' for n in nodes]
        lines += [f"  {_id(u)} -->|{d['reason']}| {_id(v)}" for u, v, d in edges]
        return "\n".join(lines)
    lines = ["digraph gkeplan {", "  rankdir=LR;", "  node [shape=box];"]
    lines += [f'  "{n}";' for n in nodes]
    lines += [f'  "{u}" -> "{v}" [label="{d["reason"]}"];' for u, v, d in edges]
    lines.append("}")
    return "\n".join(lines)
