"""What gkeplan may touch: only what its state says it created, or what a person adopted.

A resource is gkeplan's when the state has its address with its id. A create journals what
its request makes besides its own resource (a cluster's create makes its node pools in the
same request: the cluster's settings list them under `alsoCreates`, and the executor writes
them as pending-create before the call). Anything else that exists is outside gkeplan: a
create that meets it is refused, with the two ways to take it over explicitly
(`gkeplan import`, or `adopt: true` in the spec).
"""

from __future__ import annotations

from typing import Any

from gkeplan.commandline import CommandLine
from gkeplan.state.model import ResourceState, StateDoc

ALSO_CREATES = "alsoCreates"  # settings key: [{address, kind, id}] made by the same request
JOURNALED_BY = "journaledBy"  # settings key: the address whose create journaled this entry
RENAMED_FROM = "renamedFrom"  # settings key: the spec's id of a resource living under another
KEPT = "kept"  # settings key: left in place by a destroy (keepOnDestroy), still gkeplan's


def owned(state: StateDoc | None, address: str, rid: str) -> bool:
    rec = state.resources.get(address) if state is not None else None
    return rec is not None and rec.id == rid


def journal_entries(settings: dict[str, Any], dependency: str) -> dict[str, ResourceState]:
    """The entries a create journals, before its call, for what its request makes with it."""
    return {
        str(e["address"]): ResourceState(
            str(e["kind"]),
            str(e["id"]),
            status="pending-create",
            dependencies=[dependency],
            settings={JOURNALED_BY: dependency},
        )
        for e in settings.get(ALSO_CREATES) or ()
    }


def resource_options(config: Any) -> dict[str, Any]:
    """The settings every kind's resource carries from the spec: `adopt: true` and
    `lifecycle.preventDestroy`. A node's config is the spec model (or, for IAM members, a
    view of the grant that holds them)."""
    model = getattr(config, "grant", config)
    out: dict[str, Any] = {}
    if getattr(model, "adopt", False):
        out["adopt"] = True
    lifecycle = getattr(model, "lifecycle", None)
    if lifecycle is not None and lifecycle.prevent_destroy:
        out["preventDestroy"] = True
    return out


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
