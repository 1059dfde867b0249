"""`gkeplan import --from-terraform STATE`: what a Terraform state says it made becomes
gkeplan's, at the spec's addresses, touching nothing in GCP.

Each instance's GCP id (from its attributes, by its type's mapping in the kind's `terraform`
module) is matched with the id the spec declares; a match is read from GCP (as `gkeplan
import` reads one) and journaled as adopted. What the spec does not declare is listed and
never adopted. Nothing is written without `write`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from gkeplan.convert.tfstate import TerraformStateError, TfState
from gkeplan.convert.translate import mappings
from gkeplan.kinds import BY_NAME
from gkeplan.kinds.driver import CallContext, Wanted, load_driver
from gkeplan.run.run import Run
from gkeplan.state.model import ResourceState, StateDoc


@dataclass
class Adoption:
    adopt: list[tuple[str, str, str]] = field(default_factory=list)  # (tf address, address, id)
    already: list[tuple[str, str]] = field(default_factory=list)  # (tf address, address)
    not_adopted: list[tuple[str, str]] = field(default_factory=list)  # (tf address, why)
    not_in_state: list[str] = field(default_factory=list)  # spec addresses Terraform lacks


def import_terraform(
    run: Run,
    tf: TfState,
    source: str,
    write: bool,
    progress: Callable[[str], None] | None = None,
) -> Adoption:
    doc = run.state() or StateDoc(project=run.spec.project)
    recorded = doc.terraform or {}
    if recorded.get("lineage") == tf.lineage and tf.serial < int(recorded.get("serial", 0)):
        raise TerraformStateError(
            f"{source}: serial {tf.serial} is older than serial {recorded['serial']} of the same "
            "Terraform state, which gkeplan's state was imported from; import the newest "
            "(`terraform state pull`)"
        )
    by_id: dict[str, str] = {}
    desired = {}
    for address in run.graph.nodes:
        node = run.graph.nodes[address]["node"]
        want = BY_NAME[node.kind].desired(run.spec, node)
        desired[address] = (node.kind, want)
        by_id[want.id] = address
    table = mappings()
    result = Adoption()
    matched: set[str] = set()
    wanted: dict[str, list[Wanted]] = defaultdict(list)
    pending: list[tuple[str, str, str]] = []
    for inst in tf.instances:
        if not inst.google:
            result.not_adopted.append((inst.address, f"not a Google resource ({inst.provider})"))
            continue
        mapping = table.get(inst.type)
        if mapping is None:
            result.not_adopted.append((inst.address, f"gkeplan has no kind for {inst.type}"))
            continue
        if mapping.part_of is not None:
            continue  # adopted with the resource it is part of
        ids = mapping.state_ids(inst.attributes)
        if not ids:
            result.not_adopted.append((inst.address, "its attributes name no GCP id"))
            continue
        for rid in ids:
            found_at = by_id.get(rid)
            if found_at is None:
                result.not_adopted.append((inst.address, f"the spec does not declare {rid}"))
                continue
            address = found_at
            matched.add(address)
            held = doc.resources.get(address)
            if held is not None:
                if held.id != rid:
                    result.not_adopted.append(
                        (inst.address, f"{address} is already gkeplan's, as {held.id}")
                    )
                else:
                    result.already.append((inst.address, address))
                continue
            kind, want = desired[address]
            wanted[kind].append(Wanted(address, rid, want.attributes, want.inputs))
            pending.append((inst.address, address, rid))
    found: dict[str, dict[str, object]] = {}
    ctx = CallContext(run.spec.project, run.conn)
    for kind, items in wanted.items():
        if progress is not None:
            progress(f"reading {len(items)} {kind} from GCP ...")
        found.update(load_driver(BY_NAME[kind].driver).read_all(ctx, items))
    for tf_address, address, rid in pending:
        if rid not in found:
            result.not_adopted.append((tf_address, f"{rid} is not in GCP (deleted outside?)"))
            continue
        result.adopt.append((tf_address, address, rid))
    result.not_in_state = sorted(a for a in desired if a not in matched)
    if write and result.adopt:
        doc.target = run.target.identity()
        for _, address, rid in result.adopt:
            kind = desired[address][0]
            doc.resources[address] = ResourceState(
                kind, rid, dict(found[rid]), dependencies=sorted(run.graph.predecessors(address))
            )
        doc.terraform = {"lineage": tf.lineage, "serial": tf.serial}
        doc.serial += 1
        run.store.write(doc)
    return result
