"""The state's format versions: version 1 (inputs and lifecycle in one `settings`) is read with
its lifecycle keys moved out, and written as version 2, which reads back the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gkeplan.errors import StateError
from gkeplan.lifecycle import V1_KEYS, Journaled, Lifecycle
from gkeplan.state.model import FORMAT_VERSION, StateDoc

V1 = Path(__file__).resolve().parents[1] / "data" / "format-v1"
POOL = "nodePool.sd-cluster.sd-node-pool"
CLUSTER = "cluster.sd-cluster"


def test_a_version_1_state_moves_its_lifecycle_keys_out_of_settings() -> None:
    text = (V1 / "state-v1-replaced.json").read_text()
    old = json.loads(text)["resources"]
    doc = StateDoc.from_json(text)
    for address, rec in doc.resources.items():
        assert rec.inputs == {k: v for k, v in old[address]["settings"].items() if k not in V1_KEYS}
    pool = doc.resources[POOL]
    assert pool.lifecycle == Lifecycle(
        create_before_destroy=True, spec_id=old[POOL]["settings"]["renamedFrom"]
    )
    assert doc.resources["bucket.models"].lifecycle == Lifecycle(keep_on_destroy=True)
    pool_id = old[CLUSTER]["settings"]["alsoCreates"][0]["id"]
    assert doc.resources[CLUSTER].lifecycle == Lifecycle(
        also_creates=(Journaled(POOL, "nodePool", pool_id),)
    )


def test_a_version_1_state_is_written_as_version_2_and_reads_back_the_same() -> None:
    doc = StateDoc.from_json((V1 / "state-v1-replaced.json").read_text())
    text = doc.to_json()
    written = json.loads(text)
    assert written["version"] == FORMAT_VERSION == 2
    assert all("settings" not in r for r in written["resources"].values())
    assert written["resources"][POOL]["lifecycle"]["specId"].endswith("/nodePools/sd-node-pool")
    again = StateDoc.from_json(text)
    assert again.resources == doc.resources
    assert again.to_json() == text


@pytest.mark.parametrize(
    ("lifecycle", "message"),
    [
        ({"keepOnDestroy": "yes"}, "lifecycle keepOnDestroy is 'yes', not true or false"),
        ({"specId": 3}, "lifecycle specId is 3, not a string"),
        ({"renamedFrom": "x"}, "unknown lifecycle field(s) renamedFrom"),
    ],
)
def test_a_lifecycle_of_the_wrong_shape_is_refused_by_name(
    lifecycle: dict[str, object], message: str
) -> None:
    doc = json.loads(StateDoc.from_json((V1 / "state-v1.json").read_text()).to_json())
    doc["resources"]["bucket.models"]["lifecycle"] = lifecycle
    with pytest.raises(StateError, match=r"not a gkeplan state: ValueError: ") as caught:
        StateDoc.from_json(json.dumps(doc))
    assert message in str(caught.value)


def test_a_state_of_a_newer_version_is_refused_naming_the_versions_read() -> None:
    doc = json.loads((V1 / "state-v1.json").read_text())
    doc["version"] = 3
    newer = r"unsupported state format version 3: this gkeplan reads versions 1, 2 "
    with pytest.raises(StateError, match=newer):
        StateDoc.from_json(json.dumps(doc))
