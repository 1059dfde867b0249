"""Apply: `walk` the dependency graph in parallel, `executor` runs each change through its
driver and records it in the state, `progress` shows it to a person or a CI log."""
