"""Reading `from:` references at plan time: another spec's state, through the same state
stores a run of that spec uses (local file or GCS), on this run's target.

Read-only and without the lock: a read takes one consistent version (a local file is replaced
atomically; a GCS object read is of one generation), and taking the other spec's lock would
make a plan here fail while that spec is being applied. The value read is the one its last
finished write recorded, as terraform_remote_state reads.
"""

from __future__ import annotations

from pathlib import Path

from gkeplan.errors import GkeplanError, SpecError
from gkeplan.run.target import Target, connect, state_store
from gkeplan.spec.remote import Reader, ReadFailed, Reference
from gkeplan.state.gcs import parse_url
from gkeplan.state.model import StateDoc
from gkeplan.state.outputs import declared, outputs


def reader(target: Target) -> Reader:
    def read(ref: Reference, referring: str) -> str:
        from gkeplan.validation.load import load_spec

        base = Path(referring).parent
        try:
            if ref.spec is not None:
                other = load_spec(base / ref.spec, environment=ref.env)
                doc = _read(other, target, None)
                values = (
                    {**outputs(doc), **{k: v for k, (v, _) in declared(other, doc).items()}}
                    if doc
                    else {}
                )
            else:
                assert ref.state is not None
                location = ref.state if ref.state.startswith("gs://") else str(base / ref.state)
                doc = _read_location(location, target)
                stored = {k: o.get("value") for k, o in doc.outputs.items()} if doc else {}
                values = {**outputs(doc), **stored} if doc else {}
        except SpecError as exc:
            raise ReadFailed(
                f"{ref}: that spec is refused: {exc.diagnostics[0].render()}"
            ) from None
        except GkeplanError as exc:
            raise ReadFailed(f"{ref}: {exc}") from None
        if doc is None:
            raise ReadFailed(f"{ref}: that state does not exist yet")
        if ref.output not in values:
            have = ", ".join(sorted(values)) or "none"
            raise ReadFailed(f"{ref}: that state has no output {ref.output} (it has {have})")
        return str(values[ref.output])

    return read


def _read(spec: object, target: Target, state_path: str | None) -> StateDoc | None:
    from gkeplan.spec.base import Document

    assert isinstance(spec, Document)
    if spec.state.backend == "local" and not (state_path or "").startswith("gs://"):
        return state_store(spec, target, state_path).read()
    with connect(spec, target) as conn:
        return state_store(spec, target, state_path, conn).read()


def _read_location(location: str, target: Target) -> StateDoc | None:
    from gkeplan.kinds import Spec

    if location.startswith("gs://"):
        parse_url(location)  # refused early when it is not gs://BUCKET/PREFIX
    # only the project is read of it: where the sandbox serves this run's target
    bare = Spec.model_validate({"version": 1, "project": "from-state", "region": "-"})
    return _read(bare, target, location)
