"""Failures explained (docs/reporting_rules.md §9): a full disk, a folder we may not write, a
landing zone we may not read or that is missing end `ler run` with exit 1 and one plain line naming
the path and what to do; no traceback on the console (the detail is in the run's log file); the
previous publication intact.

The disk is filled for real (a small tmpfs holding a copy of a built warehouse; an injected ENOSPC
only where mounting is refused) and "permission denied" is a read-only mount, since root ignores
file modes; an unreadable landing file is read by a `ler` without the capabilities that let root
ignore them.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

from dagster_project.failures import (
    DISK_FULL,
    MISSING,
    PERMISSION,
    Failure,
    classify,
    error_info_messages,
    explain,
)
from dagster_project.publication import publish
from tests.support.pipeline import ler_command, ler_environ, ler_run, query
from tests.support.scenarios import Scenario, copy_scenario
from tests.test_publication import make_warehouse

LANDING, WH = Path("/data/landing"), Path("/data/wh")
# a Python error, a DuckDB error, and dbt's output as dagster-dbt relays it
PY_FULL = "[Errno 28] No space left on device: '/data/wh/lake/x.parquet'"
DUCKDB_FULL = 'IO Error: Could not write file "/data/wh/warehouse.duckdb": No space left on device'
DBT_FULL = "The dbt CLI process failed.\n\nEncountered an error:\n[Errno 28] No space left on device\n"
DUCKDB_DENIED = 'IO Error: Cannot open file "/data/landing/wages/w.csv": Permission denied'


def test_classify_finds_the_kind_and_the_path() -> None:
    assert classify([PY_FULL]) == Failure(DISK_FULL, "no space left on device", WH / "lake" / "x.parquet")
    assert classify(["wrapper", DUCKDB_FULL]).path == WH / "warehouse.duckdb"
    assert classify([DBT_FULL]) == Failure(DISK_FULL, "no space left on device", None)
    assert classify([DUCKDB_DENIED]) == Failure(PERMISSION, "permission denied", LANDING / "wages" / "w.csv")
    ro = str(OSError(30, "Read-only file system", "/data/wh/.lock"))
    assert classify([ro]) == Failure(PERMISSION, "read-only file system", WH / ".lock")
    gone = str(FileNotFoundError(2, "No such file or directory", "/data/landing/wages/w.csv"))
    assert classify([gone]) == Failure(MISSING, "no such file or folder", LANDING / "wages" / "w.csv")
    # a data or code problem is not an operational failure: reported as a failed step
    assert classify(["Binder Error: column x not found", "ICESA layout: not valid JSON"]) is None


@pytest.mark.parametrize("name", ["it's a \"test\" — Zoë", "plain name", "it's"])
def test_classify_reads_odd_paths_back(name: str) -> None:
    path = f"/data/wh/{name}/f.parquet"
    assert classify([str(PermissionError(13, "Permission denied", path))]).path == Path(path)
    assert classify([f'IO Error: Could not write file "{path}": No space left on device']).path == Path(path)


def test_the_messages_of_a_step_failure_chain_are_all_read() -> None:
    inner = SimpleNamespace(message=PY_FULL, cause=None, context=None)
    outer = SimpleNamespace(message="Error occurred while executing op", cause=inner, context=None)
    assert classify(error_info_messages(outer)).kind == DISK_FULL


def test_explain_says_what_to_do() -> None:
    full = explain(Failure(DISK_FULL, "no space left on device", None), LANDING, WH)
    assert "disk is full" in full and f"writing {WH}" in full and "free space" in full
    denied = explain(Failure(PERMISSION, "permission denied", LANDING / "a.csv"), LANDING, WH)
    assert denied.startswith(f"cannot read {LANDING / 'a.csv'} (permission denied)") and "readable" in denied
    ro = explain(Failure(PERMISSION, "read-only file system", WH / ".lock"), LANDING, WH)
    assert ro.startswith(f"cannot write {WH / '.lock'} (read-only file system)") and "write access" in ro
    gone = explain(Failure(MISSING, "no such file or folder", LANDING / "a.csv"), LANDING, WH)
    assert "disappeared" in gone and "temporary name" in gone


# -- real runs ---------------------------------------------------------------------------------------
def published(wh: Path) -> list[tuple]:
    return query(wh / "published.duckdb", "select * from reporting.run_metadata order by all")


def assert_plain_failure(proc: subprocess.CompletedProcess, *phrases: str) -> str:
    """Exit 1 and one plain line on the console; returns the line."""
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.startswith("ler run:")]
    assert len(lines) == 1, proc.stderr
    for phrase in phrases:
        assert phrase in lines[0], (phrase, lines[0])
    return lines[0]


def cli_run(landing: Path, wh: Path, prefix: tuple[str, ...] = (), env: dict | None = None):
    """`ler run`, unchecked; under `prefix` (e.g. another user) a plain subprocess, else as
    pipeline.ler_run runs it."""
    if not prefix:
        return ler_run(landing, wh, env=env, check=False)
    return subprocess.run(
        [*prefix, *ler_command("run", "--landing", str(landing), "--warehouse", str(wh))],
        env=ler_environ(env),
        capture_output=True,
        text=True,
        timeout=600,
    )


@contextmanager
def mounted(target: Path, *mount_args: str) -> Iterator[bool]:
    """`mount <args> <target>` for the block (unmounted after); yields False when refused."""
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", *mount_args, str(target)], capture_output=True).returncode == 0
    try:
        yield done
    finally:
        if done:
            subprocess.run(["umount", "-l", str(target)], capture_output=True)


def remount_read_only(target: Path, bind: bool = False) -> bool:
    options = "remount,bind,ro" if bind else "remount,ro"
    return subprocess.run(["mount", "-o", options, str(target)], capture_output=True).returncode == 0


def test_a_missing_landing_zone(tmp_path: Path) -> None:
    proc = cli_run(tmp_path / "nowhere", tmp_path / "wh")
    assert_plain_failure(proc, f"landing zone {tmp_path / 'nowhere'} does not exist", "--landing")
    assert not (tmp_path / "wh").exists()  # nothing was started


def test_an_unreadable_landing_file(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / "wages").mkdir(parents=True)
    secret = landing / "wages" / "ui_wages_2024Q1_20240515.csv"
    secret.write_text("ssn,employer_account,wage_year,wage_quarter,wage_amount\n")
    secret.chmod(0)
    wh = make_warehouse(tmp_path / "wh")
    publish(wh, "run-1")
    before = published(wh)
    assert shutil.which("setpriv"), "setpriv (util-linux) runs ler as a root that obeys file modes"
    # root reads any file; without these two capabilities it obeys file modes like any user
    drop = ("setpriv", "--bounding-set", "-dac_override,-dac_read_search")
    proc = cli_run(landing, wh, prefix=drop)
    assert_plain_failure(proc, f"cannot read {secret} (permission denied)", "readable by the user")
    assert published(wh) == before


def test_a_read_only_warehouse(tmp_path: Path) -> None:
    wh, landing = tmp_path / "wh", tmp_path / "landing"
    landing.mkdir()
    with mounted(wh, "-t", "tmpfs", "-o", "size=8m", "tmpfs") as ok:
        assert ok, "mounting a tmpfs is needed (the tests run as root)"
        make_warehouse(wh)
        publish(wh, "run-1")
        before = published(wh)
        assert remount_read_only(wh)
        proc = cli_run(landing, wh)
        assert_plain_failure(proc, f"cannot write {wh / '.lock'} (read-only file system)", "write access")
        assert published(wh) == before


@pytest.fixture
def failing_zone(rules_run: Scenario, tmp_path: Path) -> Scenario:
    return copy_scenario(rules_run, tmp_path / "zone")


INJECT_ENOSPC = (
    "import errno, pathlib\n"
    "_mkdir = pathlib.Path.mkdir\n"
    "def mkdir(self, *args, **kwargs):\n"
    "    if self.name.startswith('.build-'):\n"
    "        raise OSError(errno.ENOSPC, 'No space left on device', str(self))\n"
    "    return _mkdir(self, *args, **kwargs)\n"
    "pathlib.Path.mkdir = mkdir\n"
)


@pytest.mark.e2e
def test_the_disk_fills_during_a_run(failing_zone: Scenario, tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    with mounted(disk, "-t", "tmpfs", "-o", "size=256m", "tmpfs") as ok:
        wh = disk / "wh"
        shutil.copytree(failing_zone.warehouse, wh, symlinks=True)
        before = published(wh)
        # the run's Dagster instance off this disk: it is the run's own first write that fills it
        # (a full disk under the instance: tests/test_status.py)
        (tmp_path / "instance").mkdir()
        env = {"DAGSTER_HOME": str(tmp_path / "instance")}
        if ok:  # leave 12 KiB: the run fills the disk in its first step
            df = subprocess.run(["df", "-k", "--output=used", str(disk)], capture_output=True, text=True)
            used = int(df.stdout.split()[-1])
            assert subprocess.run(["mount", "-o", f"remount,size={used + 12}k", str(disk)]).returncode == 0
        else:  # mounting refused: the same failure, injected where ingestion starts writing
            (tmp_path / "inject").mkdir()
            (tmp_path / "inject" / "sitecustomize.py").write_text(INJECT_ENOSPC)
            env["PYTHONPATH"] = str(tmp_path / "inject")
        proc = cli_run(failing_zone.landing, wh, env=env)
        line = assert_plain_failure(proc, "the disk is full (no space left on device) writing", "free space")
        assert f"writing {wh}" in line and "then run again" in line
        assert "the previous publication" in line and "is unchanged" in line
        assert published(wh) == before
        log = Path(line.split("details in ")[1].split(" (incomplete")[0])
        assert log.parent == wh / "logs" and "RUN_START" in log.read_text()


@pytest.mark.e2e
def test_a_read_only_folder_during_a_run(failing_zone: Scenario) -> None:
    wh, lake = failing_zone.warehouse, failing_zone.warehouse / "lake"
    before = published(wh)
    with mounted(lake, "--bind", str(lake)) as ok:
        assert ok and remount_read_only(lake, bind=True), "a read-only bind mount is needed (root)"
        proc = cli_run(failing_zone.landing, wh)
    line = assert_plain_failure(proc, f"cannot write {lake}", "(read-only file system)", "write access")
    assert "the previous publication" in line and published(wh) == before
