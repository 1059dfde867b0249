"""The journal: every state write an apply makes, each through the group-committing writer.

A change is journaled before its call (`pending-<action>`) and after it (`ok`), so a run killed
in between knows what to finish. The entries a create's request makes besides its own resource
(a cluster's node pools) are journaled with it, and moves re-key the state in one write.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable

from gkeplan.errors import StateConflict
from gkeplan.plan.model import Change, Plan
from gkeplan.plan.moves import move_entries
from gkeplan.plan.ownership import journal_entries
from gkeplan.state.model import ResourceState, StateDoc, Status
from gkeplan.state.store import StateStore


class StateWriter:
    """Serialises state updates; concurrent updates share one atomic write (group commit)."""

    def __init__(self, store: StateStore, doc: StateDoc) -> None:
        self.store = store
        self.doc = doc
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._version = 0
        self._written = 0
        self._lost: StateConflict | None = None  # someone else wrote: we never write again

    def update(self, fn: Callable[[StateDoc], None]) -> None:
        with self._lock:
            fn(self.doc)
            self._version += 1
            mine = self._version
        with self._write_lock:
            if self._lost is not None:
                raise self._lost
            if self._written >= mine:
                return  # a write that started after our update already covered it
            with self._lock:
                self.doc.serial += 1
                text_version = self._version
                # Entries are replaced, never mutated, so a shallow copy is a stable snapshot.
                # (every field carried: the target, the Terraform lineage, the environment)
                snapshot = dataclasses.replace(
                    self.doc, resources=dict(self.doc.resources), outputs=dict(self.doc.outputs)
                )
            try:
                self.store.write(snapshot)
            except StateConflict as exc:
                self._lost = exc
                raise
            self._written = text_version


class Journal:
    """What an apply writes to the state, in the words of its steps."""

    def __init__(self, writer: StateWriter) -> None:
        self.writer = writer

    def entry(self, address: str) -> ResourceState | None:
        return self.writer.doc.resources.get(address)

    def record(
        self, change: Change, status: Status, attrs: dict[str, object] | None, rid: str
    ) -> None:
        def fn(doc: StateDoc) -> None:
            doc.resources[change.address] = ResourceState(
                kind=change.kind,
                id=rid,
                attributes=dict(attrs or {}),
                status=status,
                dependencies=list(change.dependencies),
                inputs=dict(change.inputs),
                lifecycle=change.lifecycle,
                sensitive=list(change.sensitive),
            )

        self.writer.update(fn)

    def forget(self, change: Change) -> None:
        def fn(doc: StateDoc) -> None:
            doc.resources.pop(change.address, None)

        self.writer.update(fn)

    def in_flight(self, change: Change, operation: str) -> None:
        """An operation the person stopped waiting for: the next apply waits for it."""

        def fn(doc: StateDoc) -> None:
            rec = doc.resources.get(change.address)
            if rec is not None:
                doc.resources[change.address] = dataclasses.replace(rec, operation=operation)

        self.writer.update(fn)

    def also_created(self, change: Change) -> None:
        """The entries the create's request makes with it, pending, before its call."""
        entries = journal_entries(change.lifecycle, change.address)

        def fn(doc: StateDoc) -> None:
            for address, entry in entries.items():
                had = doc.resources.get(address)
                if had is None or had.id != entry.id:  # a replaced cluster's pools move with it
                    doc.resources[address] = entry

        if entries:
            self.writer.update(fn)

    def held_before(self, change: Change) -> Callable[[], bool]:
        """Whether the state held this id for this address before this change wrote to it."""
        prior = self.entry(change.address)
        return lambda: prior is not None and prior.id == change.id

    def made_by_another(self, change: Change) -> bool:
        """Journaled by the create of another resource whose request makes this one too."""
        rec = self.entry(change.address)
        return (
            rec is not None
            and rec.id == change.id
            and rec.status == "pending-create"
            and rec.lifecycle.journaled_by is not None
            and not (change.before or {}).get("_error")
        )

    def moves(self, plan: Plan) -> int:
        """Re-key the state for every move of the plan, in one write before any call: a run
        killed after it finds each resource at its new address, one killed before at its old."""
        by_target = {
            c.address: c.moved_from
            for c in plan.changes
            if c.moved_from is not None and c.moved_from in self.writer.doc.resources
        }
        if by_target:

            def fn(doc: StateDoc) -> None:
                doc.resources = move_entries(doc.resources, by_target)

            self.writer.update(fn)
        return len(by_target)
