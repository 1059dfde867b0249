"""Did-you-mean: difflib's answer for small sets, an indexed answer for large ones."""

from __future__ import annotations

import difflib

from gkeplan.spec.suggest import SMALL, Suggester


def test_small_sets_get_difflibs_answer() -> None:
    names = ["bucket.models", "bucket.logs", "serviceAccount.gke-node", "cluster.sd-cluster"]
    for word in ("bucket.model", "buckt.logs", "serviceAccount.gke-nod", "nothing-alike"):
        assert Suggester(names).closest(word) == difflib.get_close_matches(word, names, 3, 0.6)


def test_large_sets_find_a_typo_at_the_start_middle_or_end() -> None:
    names = [f"serviceAccount.sa-{i:05d}" for i in range(20 * SMALL)]
    index = Suggester(names)
    assert index.closest("serviceAccount.sa-01234x")[0] == "serviceAccount.sa-01234"
    assert index.closest("xserviceAccount.sa-01234")[0] == "serviceAccount.sa-01234"
    assert index.closest("serviceAcount.sa-01234")[0] == "serviceAccount.sa-01234"
    assert index.closest("bucket.something-else") == []
