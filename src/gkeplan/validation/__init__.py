"""Validate a spec: load (YAML, variables, models), check (references, names, catalog),
graph, then policies; every problem reported together with file:line:col."""
