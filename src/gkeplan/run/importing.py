"""`gkeplan import`: take over an existing resource as the spec's ADDRESS, touching nothing in
GCP. Its id comes from the spec (the id the plan would look for there); an id given must be
the same, since a resource imported under another id would be replaced at the next apply."""

from __future__ import annotations

from gkeplan.errors import GkeplanError
from gkeplan.kinds import BY_NAME
from gkeplan.kinds.driver import CallContext, Wanted, load_driver
from gkeplan.run.run import Run
from gkeplan.state.model import ResourceState, StateDoc


class ImportRefused(GkeplanError):
    """The resource cannot be imported as asked (named in the message, with what to do)."""


def import_resource(run: Run, address: str, resource_id: str | None = None) -> str:
    """Record the resource the spec declares as `address` as gkeplan's; returns its id."""
    if address not in run.graph:
        raise ImportRefused(f"{address} is not declared in {run.commands.spec}")
    node = run.graph.nodes[address]["node"]
    declared = BY_NAME[node.kind].desired(run.spec, node).id
    if resource_id is not None and resource_id != declared:
        raise ImportRefused(
            f"{run.commands.spec} declares {address} as {declared}, not {resource_id}; run "
            f"{run.commands.quoted('import', address, spec_option=True)} (the id comes from "
            "the spec), or change the spec to name the resource you mean"
        )
    found = load_driver(BY_NAME[node.kind].driver).read_all(
        CallContext(run.spec.project, run.conn), [Wanted(address, declared, {})]
    )
    if declared not in found:
        raise ImportRefused(f"no {node.kind} {declared} exists to import")
    doc = run.state() or StateDoc(project=run.spec.project)
    doc.target = run.target.identity()
    doc.environment = run.spec.environment
    if address in doc.resources:
        forget = run.commands.state_command("rm", address)
        raise ImportRefused(f"{address} is already managed; `{forget}` it first")
    doc.resources[address] = ResourceState(
        node.kind, declared, found[declared], dependencies=sorted(run.graph.predecessors(address))
    )
    doc.serial += 1
    run.store.write(doc)
    return declared
