"""The landing-zone sensor's change detection (a pure function over fingerprints)."""

from __future__ import annotations

import os
from pathlib import Path

from dagster_project.sensors import changes_since, landing_fingerprints


def test_changes_since_cursor() -> None:
    new, cursor = changes_since(None, {"wages/a.csv:1:10"})
    assert new == {"wages/a.csv:1:10"}
    new, cursor2 = changes_since(cursor, {"wages/a.csv:1:10"})
    assert new == set() and cursor2 == cursor
    new, _ = changes_since(cursor, {"wages/a.csv:2:10", "wages/b.csv:1:5"})
    assert new == {"wages/a.csv:2:10", "wages/b.csv:1:5"}


def test_fingerprints_change_with_content_and_ignore_uploads(tmp_path: Path) -> None:
    (tmp_path / "wages").mkdir()
    f = tmp_path / "wages" / "a.csv"
    f.write_text("x")
    (tmp_path / "wages" / "b.csv.part").write_text("partial")
    first = landing_fingerprints(tmp_path)
    assert len(first) == 1 and next(iter(first)).startswith("wages/a.csv:")
    f.write_text("xy")
    os.utime(f, (1, 1))
    assert landing_fingerprints(tmp_path) != first
