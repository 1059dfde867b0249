"""The dependency graph: `build` makes it from a spec, `render` prints it (dot, Mermaid, JSON)."""
