"""The whole asset graph (keys, groups, kinds, dependencies, checks and their blocking flags) equals
the committed snapshot, so a lineage change nobody meant (a source mapped to the wrong ingestion
asset, a check that stopped blocking, a model that lost its upstream) fails here.

When a change is meant: `.venv/bin/python -m tests.support.asset_graph`, then commit the snapshot
with the change that caused it.
"""

from __future__ import annotations

import difflib

from tests.support.asset_graph import SNAPSHOT, describe_graph, render


def test_asset_graph_equals_the_snapshot() -> None:
    current = render(describe_graph())
    committed = SNAPSHOT.read_text(encoding="utf-8")
    if current != committed:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                current.splitlines(keepends=True),
                "snapshot",
                "current graph",
                n=2,
            )
        )
        raise AssertionError(
            "the asset graph changed; if that is meant, run `.venv/bin/python -m tests.support.asset_graph` "
            f"and commit the snapshot:\n{diff[:6000]}"
        )


def test_snapshot_is_not_trivial() -> None:
    """The snapshot itself holds the facts the graph must keep (so an empty file cannot pass)."""
    import json

    graph = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert {"lake/reference", "lake/transcripts", "lake/noncredit", "lake/wages", "published"} <= set(graph)
    for kind in ("reference", "transcripts", "noncredit", "wages"):
        checks = {c["name"]: c["blocking"] for c in graph[f"lake/{kind}"]["checks"]}
        assert checks["file_contracts"] is True and checks["no_quarantined_files"] is False
    assert "lake/reference" in graph["lake/transcripts"]["deps"]
