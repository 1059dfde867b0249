"""What gkeplan may touch: only what its state says it created, or what a person adopted.

A resource is gkeplan's when the state has its address with its id. A create journals what
its request makes besides its own resource (a cluster's create makes its node pools in the
same request: the cluster's lifecycle lists them (`also_creates`), and the executor writes
them as pending-create before the call). Anything else that exists is outside gkeplan: a
create that meets it is refused, with the two ways to take it over explicitly
(`gkeplan import`, or `adopt: true` in the spec).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from gkeplan.commandline import CommandLine
from gkeplan.lifecycle import Lifecycle
from gkeplan.state.model import ResourceState, StateDoc


def owned(state: StateDoc | None, address: str, rid: str) -> bool:
    rec = state.resources.get(address) if state is not None else None
    return rec is not None and rec.id == rid


def journal_entries(lifecycle: Lifecycle, dependency: str) -> dict[str, ResourceState]:
    """The entries a create journals, before its call, for what its request makes with it."""
    return {
        e.address: ResourceState(
            e.kind,
            e.id,
            status="pending-create",
            dependencies=[dependency],
            lifecycle=Lifecycle(journaled_by=dependency),
        )
        for e in lifecycle.also_creates
    }


def with_spec_options(lifecycle: Lifecycle, config: Any) -> Lifecycle:
    """What every kind's resource carries from the spec besides its kind's: `adopt: true` and
    `lifecycle.preventDestroy`. A node's config is the spec model (or, for IAM members, a
    view of the grant that holds them)."""
    model = getattr(config, "grant", config)
    spec_lifecycle = getattr(model, "lifecycle", None)
    return replace(
        lifecycle,
        adopt=lifecycle.adopt or bool(getattr(model, "adopt", False)),
        prevent_destroy=lifecycle.prevent_destroy
        or bool(spec_lifecycle is not None and spec_lifecycle.prevent_destroy),
    )


def outside_message(
    address: str, rid: str, where: str | None = None, commands: CommandLine | None = None
) -> str:
    at = f" (declared at {where})" if where else ""
    # `import ADDRESS` reads the id from the spec: nothing to retype, nothing to mistype
    how = (commands or CommandLine()).quoted("import", address, spec_option=True)
    return (
        f"{address}: {rid} already exists and gkeplan did not create it{at}; gkeplan never "
        f"takes over what it does not own. To manage it, import it ({how}) or set "
        "`adopt: true` on it in the spec; otherwise give the resource another name"
    )
