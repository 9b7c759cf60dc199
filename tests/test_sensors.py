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


def test_sensor_waits_while_a_run_holds_the_warehouse(tmp_path: Path, monkeypatch) -> None:
    """A change seen while another run holds the warehouse lock is not turned into a run that would
    fail at once: the sensor skips and keeps its cursor, so the next tick asks again."""
    import subprocess
    import sys

    from dagster import RunRequest, SkipReason, build_sensor_context

    from dagster_project.sensors import landing_zone_sensor

    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    (landing / "wages").mkdir(parents=True)
    (landing / "wages" / "w_20240101.csv").write_text("ssn\n")
    warehouse.mkdir()
    monkeypatch.setenv("LER_LANDING_DIR", str(landing))
    monkeypatch.setenv("LER_WAREHOUSE_DIR", str(warehouse))
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from dagster_project.run_lock import acquire; acquire(Path(sys.argv[1]), 'run-x'); "
         "print('held', flush=True); time.sleep(60)", str(warehouse)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        context = build_sensor_context(cursor=None)
        result = landing_zone_sensor(context)
        assert isinstance(result, SkipReason) and f"pid {holder.pid}" in result.skip_message
        assert context.cursor is None
    finally:
        holder.kill()
        holder.wait()
    result = landing_zone_sensor(build_sensor_context(cursor=None))
    assert isinstance(result, RunRequest)  # the killed holder's lock is free again
