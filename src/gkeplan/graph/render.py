"""Render the dependency graph as Graphviz dot, Mermaid or JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable

from gkeplan.graph.build import Graph


def dot_string(text: str) -> str:
    """A DOT quoted string: only '"' and '\\' need escaping (graphviz.org/doc/info/lang.html)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mermaid_text(text: str) -> str:
    """A Mermaid quoted label: '"' cannot appear inside one, so it and the characters Mermaid
    parses in labels are written as entity codes (mermaid.js.org/syntax/flowchart.html,
    "Entity codes to escape characters")."""
    out = []
    for ch in text:
        out.append(f"#{ord(ch)};" if ch in '"#|<>[]{}()`' else ch)
    return '"' + "".join(out) + '"'


def mermaid_ids(nodes: Iterable[str]) -> dict[str, str]:
    """One id per address by position: addresses differing only in punctuation (`models-a`,
    `models_a`) stay apart, and the ids are valid whatever the address holds."""
    return {n: f"n{i}" for i, n in enumerate(sorted(nodes))}


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
        ids = mermaid_ids(nodes)
        lines = ["flowchart LR"]
        lines += [f"  {ids[n]}[{mermaid_text(n)}]" for n in nodes]
        lines += [f"  {ids[u]} -->|{mermaid_text(d['reason'])}| {ids[v]}" for u, v, d in edges]
        return "\n".join(lines)
    lines = ["digraph gkeplan {", "  rankdir=LR;", "  node [shape=box];"]
    lines += [f"  {dot_string(n)};" for n in nodes]
    lines += [
        f"  {dot_string(u)} -> {dot_string(v)} [label={dot_string(d['reason'])}];"
        for u, v, d in edges
    ]
    lines.append("}")
    return "\n".join(lines)
