"""kill -9 during writes, then re-run: never a duplicate, never an outside resource adopted or
an outside member lost. `make test` kills once; `make test-slow` runs the full
campaign, of GKEPLAN_CRASH_KILLS kills (3 unless set; 30 for a long run)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from . import campaign
from .conftest import EXAMPLE


def _assert_nothing_went_wrong(figures: campaign.Figures, kills: int) -> None:
    print(json.dumps({**figures.to_dict(), "interrupted": figures.interrupted}))
    assert figures.kills == kills
    assert figures.in_flight * 2 > kills, f"most kills must hit a write: {figures}"
    assert figures.not_converged == 0
    assert figures.duplicates == 0
    assert figures.adopted_outside == 0
    assert figures.outside_members_lost == 0
    assert figures.outside_resources_lost == 0


@pytest.mark.parametrize(
    "kills",
    [
        pytest.param(1, id="one-kill"),
        pytest.param(
            int(os.environ.get("GKEPLAN_CRASH_KILLS", "3")), id="full", marks=pytest.mark.slow
        ),
    ],
)
def test_kills_during_writes_converge_without_touching_what_is_not_gkeplans(
    tmp_path: Path, kills: int
) -> None:
    _assert_nothing_went_wrong(campaign.run(tmp_path, EXAMPLE.read_text(), kills), kills)


@pytest.mark.slow
def test_kills_during_an_apply_with_a_pending_move_converge_and_lose_nothing(
    tmp_path: Path,
) -> None:
    """The bucket's key renamed (a move of it and its grant) while its labels and the pool's
    size change too: killed mid-apply, the rerun finds each resource at its new address or
    its old, and the bucket keeps its model."""
    kills = int(os.environ.get("GKEPLAN_CRASH_KILLS", "2"))
    before = EXAMPLE.read_text()
    moved = (
        before.replace("  models:\n", "  weights:\n")
        .replace("on: bucket:models", "on: bucket:weights")
        .replace("    keepOnDestroy: true\n", "    keepOnDestroy: true\n    labels: {model: sd}\n")
        .replace("maxNodeCount: 2", "maxNodeCount: 1")
    )
    figures = campaign.run(tmp_path, moved, kills, before_text=before)
    _assert_nothing_went_wrong(figures, kills)
    assert figures.objects_lost == 0
