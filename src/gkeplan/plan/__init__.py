"""Plans: the `model` (a closed set of actions), the `diff` of desired against actual, the
`planner` that refreshes and diffs, and `render` for people (text, markdown) and machines."""
