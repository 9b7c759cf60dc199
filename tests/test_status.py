"""Run history and `ler status` (docs/reporting_rules.md §9): every `ler run` is recorded in the
warehouse's Dagster instance (`<warehouse>/.dagster`, the home `make dev` gives `dagster dev`), and
`ler status` lists the recent runs from it, read-only.

The summary and formatting functions are tested on their own and on runs of a tiny job recorded by
Dagster's own SQLite client (as `dagster dev` writes them); the command end to end on the worked
example's shared run (tests/conftest.py), whose numbers are known by hand: 139 landed files, of which
3 quarantined, 1 duplicate and 1 loaded with 13 rejected rows (expected/load_expectations.json),
plus the 100 rows of `ui_wages_2022Q1_extra`, every one of which is rejected (its wages are `N/A`).
A full disk or a read-only instance folder ends `ler run` with one plain line (as test_failures.py).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import stat
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    DagsterInstance,
    MaterializeResult,
    asset,
    asset_check,
    materialize,
)

from dagster_project.cli.status import as_text, format_duration, run_json, run_lines
from dagster_project.failures import DISK_FULL, PERMISSION, Failure
from dagster_project.project_paths import PROJECT_DIR
from dagster_project.run_history import (
    FailedCheck,
    RunSummary,
    failed_checks,
    files_by_status,
    live_run_id,
    reading,
    recent_runs,
    result_of,
    started_by,
)
from dagster_project.run_instance import INSTANCE_YAML, instance_home, storage_failure
from dagster_project.run_lock import holding
from tests.support.pii import _text_tokens, collect_person_data
from tests.support.pipeline import ler, query, rows_as_dicts
from tests.support.scenarios import Scenario, copy_scenario
from tests.test_failures import assert_plain_failure, cli_run, mounted, published, remount_read_only

NOW = datetime(2026, 12, 2, 8, 0, 0, tzinfo=UTC)
LAKE_KEYS = frozenset({("lake", "reference"), ("lake", "wages")})


# -- summaries (pure) ----------------------------------------------------------------------------
def test_files_by_status_sums_the_kinds_and_splits_loaded() -> None:
    reference = {"files": 3, "loaded": 3, "with_rejects": 0, "quarantined": 0, "duplicate": 0,
                 "rows_loaded": 40, "rows_rejected": 0}
    wages = {"files": 6, "loaded": 4, "with_rejects": 1, "quarantined": 1, "duplicate": 1,
             "rows_loaded": 900, "rows_rejected": 113}
    files, rejected = files_by_status([reference, wages])
    assert files == {"LOADED": 6, "LOADED_WITH_REJECTS": 1, "QUARANTINED": 1, "DUPLICATE": 1}
    assert sum(files.values()) == 3 + 6 and rejected == 113
    assert files_by_status([]) is None  # ingestion never reported: not "zero files"


@pytest.mark.parametrize(
    ("status", "live", "shown"),
    [
        ("SUCCESS", False, "success"),
        ("FAILURE", False, "failure"),
        ("CANCELED", False, "canceled"),
        ("QUEUED", False, "queued"),
        ("STARTED", True, "running"),
        ("STARTED", False, "interrupted"),  # killed: it never recorded its end
        ("STARTING", False, "interrupted"),
    ],
)
def test_result_of_a_run_status(status: str, live: bool, shown: str) -> None:
    assert result_of(status, live) == shown


def test_started_by_names_the_schedule_the_sensor_or_the_command() -> None:
    assert started_by({"dagster/schedule_name": "ler_nightly"}) == "schedule ler_nightly"
    assert started_by({"dagster/sensor_name": "landing_zone_sensor"}) == "sensor landing_zone_sensor"
    assert started_by({"ler/started_by": "ler run"}) == "ler run"
    assert started_by({}) == "ui"


def test_failed_checks_once_each_errors_first() -> None:
    evaluations = [
        ("lake/wages", "no_quarantined_files", False, "WARN"),
        ("lake/wages", "no_quarantined_files", False, "WARN"),  # evaluated twice: listed once
        ("staging/stg_x", "not_null_stg_x_id", False, "ERROR"),
        ("lake/wages", "file_contracts", True, "ERROR"),
    ]
    assert failed_checks(evaluations) == (
        FailedCheck("staging/stg_x", "not_null_stg_x_id", "ERROR"),
        FailedCheck("lake/wages", "no_quarantined_files", "WARN"),
    )


@pytest.mark.parametrize(
    ("seconds", "shown"), [(None, "—"), (0, "0s"), (41.4, "41s"), (185, "3m 05s"), (7620, "2h 07m")]
)
def test_format_duration(seconds: float | None, shown: str) -> None:
    assert format_duration(seconds) == shown


def summary(**changes: object) -> RunSummary:
    base = {
        "run_id": "3f2a9c1e-0000-4000-8000-000000000001",
        "job": "ler_full_refresh",
        "started_by": "schedule ler_nightly",
        "result": "success",
        "started_at": NOW - timedelta(minutes=5),
        "ended_at": NOW - timedelta(minutes=3, seconds=55),
        "files": {"LOADED": 134, "LOADED_WITH_REJECTS": 1, "QUARANTINED": 3, "DUPLICATE": 1},
        "rows_rejected": 113,
        "wage_data_through": "2025Q2",
        "failed_checks": (FailedCheck("lake/wages", "no_quarantined_files", "WARN"),),
    }
    return RunSummary(**(base | changes))


def test_a_run_for_the_terminal() -> None:
    assert run_lines(summary(), NOW) == [
        "2026-12-02 07:55:00 UTC  success       1m 05s  schedule ler_nightly   "
        "run 3f2a9c1e-0000-4000-8000-000000000001",
        "    files: LOADED 134, LOADED_WITH_REJECTS 1, QUARANTINED 3, DUPLICATE 1; rows rejected 113; "
        "wage data through 2025Q2",
        "    failed checks: lake/wages no_quarantined_files (WARN)",
    ]
    failed = summary(result="failure", files=None, rows_rejected=None, wage_data_through=None,
                     failed_checks=(), failed_steps=("lake__wages",))
    assert run_lines(failed, NOW)[1:] == [
        "    files: not recorded (ingestion did not finish); rows rejected —; wage data through —",
        "    failed checks: none",
        "    failed steps: lake__wages",
    ]
    text = as_text(Path("/data/wh"), [summary(), failed], NOW)
    assert text.startswith("ler status: the 2 most recent run(s) of /data/wh, newest first\n")


def test_a_run_as_json() -> None:
    assert run_json(summary(), NOW) == {
        "run_id": "3f2a9c1e-0000-4000-8000-000000000001",
        "job": "ler_full_refresh",
        "started_by": "schedule ler_nightly",
        "result": "success",
        "started_at": "2026-12-02T07:55:00Z",
        "ended_at": "2026-12-02T07:56:05Z",
        "duration_seconds": 65.0,
        "files": {"LOADED": 134, "LOADED_WITH_REJECTS": 1, "QUARANTINED": 3, "DUPLICATE": 1},
        "rows_rejected": 113,
        "wage_data_through": "2025Q2",
        "failed_checks": [{"asset": "lake/wages", "check": "no_quarantined_files", "severity": "WARN"}],
        "failed_steps": [],
    }
    # a run still going counts to now; one that never recorded its end has no duration
    assert run_json(summary(result="running", ended_at=None), NOW)["duration_seconds"] == 300.0
    assert run_json(summary(result="interrupted", ended_at=None), NOW)["duration_seconds"] is None


def test_the_live_run_is_read_from_the_lock_file_without_taking_the_lock(tmp_path: Path) -> None:
    assert live_run_id(tmp_path) is None  # no lock file
    with holding(tmp_path, "run-in-progress"):
        assert live_run_id(tmp_path) == "run-in-progress"
    assert live_run_id(tmp_path) is None  # released cleanly: the file is empty
    dead = subprocess.run(["sh", "-c", "echo $$"], capture_output=True, text=True).stdout.strip()
    (tmp_path / ".lock").write_text(json.dumps({"pid": int(dead), "run_id": "killed-run"}))
    assert live_run_id(tmp_path) is None  # a killed run's note: not running


def test_storage_failures_name_the_instance_folder(tmp_path: Path) -> None:
    full = "(sqlite3.OperationalError) database or disk is full"
    assert storage_failure(RuntimeError(full), tmp_path) == Failure(
        DISK_FULL, "no space left on device", tmp_path
    )
    readonly = storage_failure(RuntimeError("attempt to write a readonly database"), tmp_path)
    assert readonly.kind == PERMISSION and readonly.path == tmp_path
    enospc = OSError(28, "No space left on device", str(tmp_path / "history" / "runs.db"))
    assert storage_failure(enospc, tmp_path).path == tmp_path / "history" / "runs.db"
    # a vague SQLite error on a writable disk with room, or any other error, is not explained
    assert storage_failure(RuntimeError("disk I/O error"), tmp_path) is None
    assert storage_failure(RuntimeError("no such table: runs"), tmp_path) is None


def test_the_instance_is_the_one_make_dev_uses(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tests.test_makefile import dry_run

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    line = next(x for x in dry_run("dev").splitlines() if "dagster dev" in x)
    make_home = re.search(r"DAGSTER_HOME=(\S+)", line).group(1)
    assert instance_home(PROJECT_DIR / "warehouse") == Path(make_home)
    monkeypatch.chdir(tmp_path)
    assert instance_home(Path("wh")) == tmp_path / "wh" / ".dagster"  # absolute
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "elsewhere"))
    assert instance_home(Path("wh")) == tmp_path / "elsewhere"


# -- runs recorded by Dagster's own client, read back ----------------------------------------------
@asset(key=["lake", "reference"])
def _reference() -> MaterializeResult:
    return MaterializeResult(metadata={"files": 2, "loaded": 2, "with_rejects": 0, "quarantined": 0,
                                       "duplicate": 0, "rows_loaded": 9, "rows_rejected": 0})


@asset(key=["lake", "wages"], deps=[_reference])
def _wages() -> MaterializeResult:
    return MaterializeResult(metadata={"files": 4, "loaded": 2, "with_rejects": 1, "quarantined": 1,
                                       "duplicate": 1, "rows_loaded": 50, "rows_rejected": 7})


@asset_check(asset=_wages, name="no_quarantined_files")
def _no_quarantined() -> AssetCheckResult:
    return AssetCheckResult(passed=False, severity=AssetCheckSeverity.WARN, metadata={"quarantined": 1})


@asset(key=["published"], deps=[_wages])
def _broken() -> None:
    raise RuntimeError("publication failed")


def test_runs_written_by_dagster_are_summarized(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    wh = tmp_path / "wh"
    with reading(wh) as none:
        assert none is None  # nothing recorded yet, and nothing created
    assert not wh.exists()
    home = wh / ".dagster"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(INSTANCE_YAML)
    with DagsterInstance.from_config(str(home)) as dagster:  # Dagster's own client, as `dagster dev`
        ok = materialize([_reference, _wages, _no_quarantined], instance=dagster,
                         tags={"ler/started_by": "ler run"})
        bad = materialize([_reference, _wages, _broken], instance=dagster, raise_on_error=False,
                          tags={"dagster/schedule_name": "ler_nightly"})
    with reading(wh) as instance:
        runs = recent_runs(instance, 5, LAKE_KEYS, {ok.run_id: "2025Q2"}, live=None)
    assert [r.run_id for r in runs] == [bad.run_id, ok.run_id]  # newest first
    newest, older = runs
    assert (older.result, older.started_by, older.wage_data_through) == ("success", "ler run", "2025Q2")
    assert older.files == {"LOADED": 3, "LOADED_WITH_REJECTS": 1, "QUARANTINED": 1, "DUPLICATE": 1}
    assert older.rows_rejected == 7
    assert older.failed_checks == (FailedCheck("lake/wages", "no_quarantined_files", "WARN"),)
    assert older.started_at <= older.ended_at and older.duration_seconds(NOW) >= 0
    assert (newest.result, newest.started_by) == ("failure", "schedule ler_nightly")
    assert newest.wage_data_through is None
    assert newest.failed_steps == ("published",) and newest.failed_checks == ()
    with reading(wh) as instance:
        assert [r.run_id for r in recent_runs(instance, 1, LAKE_KEYS, {}, None)] == [bad.run_id]


# -- end to end, on the worked example's run -------------------------------------------------------
def run_id_of(run: Scenario) -> str:
    return re.search(r"run log:\s+\S+/([0-9a-f-]{36})\.log", run.output["stdout"]).group(1)


def ler_status(warehouse: Path, *extra: str) -> subprocess.CompletedProcess:
    return ler("status", "--warehouse", str(warehouse), *extra, timeout=300)


def status_in_process(warehouse: Path, *extra: str) -> tuple[int, str, str]:
    """`ler status` run by its main function here (cheaper than a process): exit code, stdout, stderr."""
    from dagster_project.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["status", "--warehouse", str(warehouse), *extra])
    return code, out.getvalue(), err.getvalue()


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder` with its size and modification time."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


@pytest.mark.e2e
def test_ler_status_shows_the_example_run(example_run: Scenario) -> None:
    wh, run_id = example_run.warehouse, run_id_of(example_run)
    landed = sum(1 for p in example_run.landing.rglob("*") if p.is_file())
    assert landed == 139
    expected_files = {"LOADED": 134, "LOADED_WITH_REJECTS": 1, "QUARANTINED": 3, "DUPLICATE": 1}
    # the same numbers in the run's own audit tables
    manifest = dict(query(example_run.db, "select status, count(*) from audit.load_manifest group by 1"))
    assert manifest == expected_files
    assert query(example_run.db, "select sum(rows_rejected) from audit.load_manifest") == [(113,)]
    (meta,) = rows_as_dicts(example_run.db, "select run_id, wage_data_through from marts.run_metadata")
    assert meta == {"run_id": run_id, "wage_data_through": "2025Q2"}

    proc = ler_status(wh, "--json")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    document = json.loads(proc.stdout)
    assert document["warehouse"] == str(wh)
    (run,) = document["runs"]
    assert {k: run[k] for k in ("run_id", "job", "started_by", "result", "files", "rows_rejected",
                                "wage_data_through", "failed_checks", "failed_steps")} == {
        "run_id": run_id,
        "job": "ler_full_refresh",
        "started_by": "ler run",
        "result": "success",
        "files": expected_files,
        "rows_rejected": 113,  # 13 of ui_wages_2020Q3 + the 100 of the quarantined ui_wages_2022Q1_extra
        "wage_data_through": "2025Q2",
        "failed_checks": [  # warnings: wage data end in 2025Q2, over 2 quarters before any run since 2026Q1;
            # one quarantined transcript file, two quarantined wage files
            {"asset": "intermediate/int_wages__coverage", "check": "wage_data_fresh", "severity": "WARN"},
            {"asset": "lake/transcripts", "check": "no_quarantined_files", "severity": "WARN"},
            {"asset": "lake/wages", "check": "no_quarantined_files", "severity": "WARN"},
        ],
        "failed_steps": [],
    }
    started, ended = datetime.fromisoformat(run["started_at"]), datetime.fromisoformat(run["ended_at"])
    assert 0 < run["duration_seconds"] < 900
    assert abs((ended - started).total_seconds() - run["duration_seconds"]) <= 1  # whole seconds shown

    text = ler_status(wh)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == f"ler status: the 1 most recent run(s) of {wh}, newest first"
    assert lines[1].startswith(started.strftime("%Y-%m-%d %H:%M:%S UTC  success"))
    assert lines[1].endswith(f"{'ler run':<22} run {run_id}")
    assert lines[2:] == [
        "    files: LOADED 134, LOADED_WITH_REJECTS 1, QUARANTINED 3, DUPLICATE 1; rows rejected 113; "
        "wage data through 2025Q2",
        "    failed checks: intermediate/int_wages__coverage wage_data_fresh (WARN), "
        "lake/transcripts no_quarantined_files (WARN), lake/wages no_quarantined_files (WARN)",
    ]
    # names and counts only: no value of a person anywhere in what it prints
    data = collect_person_data(example_run.landing)
    assert not _text_tokens(text.stdout + proc.stdout) & data.text_needles()


@pytest.mark.e2e
def test_dagster_sees_the_run_in_the_warehouse_instance(example_run: Scenario) -> None:
    home, run_id = example_run.warehouse / ".dagster", run_id_of(example_run)
    with DagsterInstance.from_config(str(home)) as instance:
        (record,) = instance.get_run_records()
        assert record.dagster_run.run_id == run_id and record.dagster_run.is_success
        assert record.dagster_run.job_name == "ler_full_refresh"
        assert record.dagster_run.tags["ler/started_by"] == "ler run"
        materialized = instance.get_records_for_run(run_id, of_type=_materialization(), limit=5000).records
        keys = {r.event_log_entry.dagster_event.asset_key for r in materialized}
        assert {AssetKey(["lake", "wages"]), AssetKey(["published"])} <= keys
    # owner-only like the rest of the warehouse, and no person data in the event log or compute logs
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert (home / "dagster.yaml").read_text() == INSTANCE_YAML
    data = collect_person_data(example_run.landing)
    for path in home.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            assert not _text_tokens(text) & data.text_needles(), path


def _materialization():
    from dagster import DagsterEventType

    return DagsterEventType.ASSET_MATERIALIZATION


@pytest.mark.e2e
def test_ler_status_is_read_only_and_runs_while_a_run_holds_the_lock(
    example_run: Scenario, tmp_path: Path
) -> None:
    copy = copy_scenario(example_run, tmp_path / "copy")
    wh = copy.warehouse
    expected = json.loads(ler_status(example_run.warehouse, "--json").stdout)["runs"]
    with holding(wh, "a-run-in-progress"):
        lock = (wh / ".lock").read_text()
        before = tree(wh)
        proc = ler_status(wh, "--json", "--limit", "5")
        text = ler_status(wh)
        assert (wh / ".lock").read_text() == lock  # never taken, never written
        after = tree(wh)
    assert proc.returncode == 0 and text.returncode == 0, proc.stderr + text.stderr
    assert json.loads(proc.stdout)["runs"] == expected
    assert after == before  # every file as it was (SQLite's -shm/-wal come and go while reading)


def test_a_warehouse_without_runs_is_one_plain_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    wh = tmp_path / "wh"
    wh.mkdir()
    line = f"ler status: no runs recorded for {wh} yet (history: {wh / '.dagster'})\n"
    assert status_in_process(wh) == (0, line, "")
    code, out, _ = status_in_process(wh, "--json")
    assert code == 0 and json.loads(out) == {"warehouse": str(wh), "runs": []}
    assert os.listdir(wh) == []  # reading created nothing
    code, _, err = status_in_process(tmp_path / "nowhere")
    assert code == 2 and err.startswith(f"ler status: no warehouse folder at {tmp_path / 'nowhere'}")
    code, _, err = status_in_process(wh, "--limit", "0")
    assert (code, err) == (2, "ler status: --limit must be at least 1 (got 0)\n")


# -- when the instance cannot be written -----------------------------------------------------------
@pytest.mark.e2e
def test_a_full_disk_under_the_instance_is_one_plain_line(example_run: Scenario, tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    with mounted(disk, "-t", "tmpfs", "-o", "size=256m", "tmpfs") as ok:
        assert ok, "mounting a tmpfs is needed (the tests run as root)"
        wh = disk / "wh"
        shutil.copytree(example_run.warehouse, wh, symlinks=True)
        before = published(wh)
        df = subprocess.run(["df", "-k", "--output=used", str(disk)], capture_output=True, text=True)
        used = int(df.stdout.split()[-1])  # leave 12 KiB: not enough to record a new run
        assert subprocess.run(["mount", "-o", f"remount,size={used + 12}k", str(disk)]).returncode == 0
        proc = cli_run(example_run.landing, wh)
        line = assert_plain_failure(
            proc, f"the disk is full (no space left on device) writing {wh / '.dagster'}", "free space"
        )
        assert "the previous publication" in line and "is unchanged" in line and published(wh) == before
        code, _, err = status_in_process(wh)  # SQLite cannot read in WAL mode on a full disk either
        assert code == 1 and err.startswith(f"ler status: cannot read the run history in {wh / '.dagster'}: "
                                            "the disk is full")


@pytest.mark.e2e
def test_a_read_only_instance_folder_is_one_plain_line(example_run: Scenario, tmp_path: Path) -> None:
    copy = copy_scenario(example_run, tmp_path / "copy")
    wh, home = copy.warehouse, copy.warehouse / ".dagster"
    before = published(wh)
    with mounted(home, "--bind", str(home)) as ok:
        assert ok and remount_read_only(home, bind=True), "a read-only bind mount is needed (root)"
        proc = cli_run(copy.landing, wh)
        code, _, err = status_in_process(wh)
    line = assert_plain_failure(proc, f"cannot write {home} (read-only file system)", "write access")
    assert "the previous publication" in line and published(wh) == before
    assert code == 1
    assert err.startswith(f"ler status: cannot read the run history in {home} (read-only file system)")
