"""`ler status`: the recent runs of a warehouse, newest first (docs/reporting_rules.md §9).

    ler status [--warehouse DIR] [--limit N] [--json]

For each run: its id, start (UTC), duration, result (success, failure, canceled, running, queued,
interrupted), what started it, files by load status, rows rejected, `wage_data_through` and the
asset checks that failed (name and severity). Read from the warehouse's Dagster instance
(run_history.py, run_instance.py) and from the current publication's `reporting.run_metadata`;
read-only: it takes no lock, opens neither the restricted `warehouse.duckdb` nor the lake, and
works while a run holds the warehouse. Names and counts only: nothing row-level is printed.
Exit 0 (also when no run is recorded yet: one plain line); 2 for bad input (no warehouse folder,
--limit below 1); 1 when the history cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dagster_project.cli import published
from dagster_project.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail
from dagster_project.landing.registry import Registry, lake_asset_path

if TYPE_CHECKING:  # run_history imports Dagster (0.7 s): only `ler status` itself pays for it
    from dagster_project.run_history import RunSummary

COMMAND = "status"
DEFAULT_LIMIT = 10
NOT_KNOWN = "—"


def register(sub: argparse._SubParsersAction, registry: Registry) -> None:
    cmd = sub.add_parser(
        COMMAND,
        help="the recent runs: result, files by status, rows rejected, wage data through, failed checks",
        description="List the recent runs of a warehouse, newest first, from its Dagster instance "
        "(<warehouse>/.dagster, or DAGSTER_HOME): runs of ler run, of the nightly schedule, of the sensor "
        "and of the UI. Read-only; works while a run is going on. Names and counts only.",
    )
    published.add_warehouse_flag(cmd)
    cmd.add_argument("--limit", type=int, default=DEFAULT_LIMIT, metavar="N",
                     help=f"how many runs (default {DEFAULT_LIMIT})")
    cmd.add_argument("--json", action="store_true", help="JSON for scripts instead of lines for a terminal")
    cmd.set_defaults(handler=execute)


def execute(args: argparse.Namespace, registry: Registry) -> int:
    from dagster_project.run_history import live_run_id, reading, recent_runs
    from dagster_project.run_instance import instance_home
    from dagster_project.settings import SettingsError

    if args.limit < 1:
        return fail(COMMAND, f"--limit must be at least 1 (got {args.limit})", EXIT_USAGE)
    try:
        warehouse = published.warehouse_dir(args)
    except SettingsError as exc:
        return fail(COMMAND, str(exc), EXIT_USAGE)
    if not warehouse.is_dir():
        return fail(COMMAND, f"no warehouse folder at {warehouse}: run `ler run` first, or point to one "
                             "with --warehouse DIR or LER_WAREHOUSE_DIR", EXIT_USAGE)
    lake_keys = frozenset(lake_asset_path(kind) for kind in registry.kinds)
    home = instance_home(warehouse)
    try:
        with reading(warehouse) as instance:
            runs = [] if instance is None else recent_runs(
                instance, args.limit, lake_keys, published_wage_through(warehouse), live_run_id(warehouse)
            )
    except Exception as exc:  # an unreadable or damaged instance: one plain line, never a traceback
        return fail(COMMAND, unreadable(exc, home), EXIT_FAILED)
    now = datetime.now(tz=UTC)
    if args.json:
        sys.stdout.write(as_json(warehouse, runs, now))
    elif not runs:
        print(f"ler status: no runs recorded for {warehouse} yet (history: {home})")
    else:
        sys.stdout.write(as_text(warehouse, runs, now))
    return EXIT_OK


def unreadable(exc: BaseException, home: Path) -> str:
    """Why the history cannot be read, and what to do. SQLite reads a database in WAL mode only
    where it can create its `-shm` / `-wal` files next to it: not on a full disk, not on a
    read-only mount."""
    from dagster_project.failures import DISK_FULL
    from dagster_project.run_instance import storage_failure

    failure = storage_failure(exc, home)
    if failure is not None and failure.kind == DISK_FULL:
        return (f"cannot read the run history in {home}: the disk is full (no space left on device), and "
                "SQLite needs a little space to read it: free space on that disk, then run again")
    if failure is not None:
        return (f"cannot read the run history in {home} ({failure.reason}): SQLite must be able to create "
                "its -shm and -wal files in that folder to read it: run ler status as the user that runs "
                "ler run, on a writable mount")
    text = str(exc).strip()
    reason = text.splitlines()[0] if text else type(exc).__name__
    return (f"cannot read the run history in {home} ({reason}): check that folder, or set DAGSTER_HOME "
            "to the instance the runs were recorded in")


def published_wage_through(warehouse: Path) -> dict[str, str]:
    """run id -> wage_data_through, from the current publication's `reporting.run_metadata` (public,
    read-only); {} when nothing is published or the table is not there."""
    import duckdb

    try:
        con = published.connect(published.current_publication(warehouse))
    except (published.NotPublished, duckdb.Error, OSError):
        return {}
    try:
        rows = con.execute("select run_id, wage_data_through from run_metadata").fetchall()
    except duckdb.Error:
        return {}
    finally:
        con.close()
    return {run_id: through for run_id, through in rows if through is not None}


# -- formatting (pure) ---------------------------------------------------------------------------
def format_duration(seconds: float | None) -> str:
    """`41s`, `3m 05s`, `2h 07m`; — when not known."""
    if seconds is None:
        return NOT_KNOWN
    s = max(0, round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {s % 3600 // 60:02d}m"


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else NOT_KNOWN


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z") if moment else None


def run_lines(run: RunSummary, now: datetime) -> list[str]:
    """One run for a terminal: a heading line, then its files and checks, indented."""
    head = (f"{_when(run.started_at)}  {run.result:<11} {format_duration(run.duration_seconds(now)):>8}  "
            f"{run.started_by:<22} run {run.run_id}")
    if run.files is None:
        files = "files: not recorded (ingestion did not finish)"
    else:
        files = "files: " + ", ".join(f"{status} {n}" for status, n in run.files.items())
    rejected = NOT_KNOWN if run.rows_rejected is None else str(run.rows_rejected)
    through = run.wage_data_through or NOT_KNOWN
    lines = [head, f"    {files}; rows rejected {rejected}; wage data through {through}"]
    checks = ", ".join(f"{c.asset} {c.check} ({c.severity})" for c in run.failed_checks) or "none"
    lines.append(f"    failed checks: {checks}")
    if run.failed_steps:
        lines.append(f"    failed steps: {', '.join(run.failed_steps)}")
    return lines


def as_text(warehouse: Path, runs: Sequence[RunSummary], now: datetime) -> str:
    out = [f"ler status: the {len(runs)} most recent run(s) of {warehouse}, newest first"]
    for run in runs:
        out += run_lines(run, now)
    return "\n".join(out) + "\n"


def run_json(run: RunSummary, now: datetime) -> dict:
    duration = run.duration_seconds(now)
    checks = [{"asset": c.asset, "check": c.check, "severity": c.severity} for c in run.failed_checks]
    return {
        "run_id": run.run_id,
        "job": run.job,
        "started_by": run.started_by,
        "result": run.result,
        "started_at": _iso(run.started_at),
        "ended_at": _iso(run.ended_at),
        "duration_seconds": None if duration is None else round(duration, 1),
        "files": run.files,
        "rows_rejected": run.rows_rejected,
        "wage_data_through": run.wage_data_through,
        "failed_checks": checks,
        "failed_steps": list(run.failed_steps),
    }


def as_json(warehouse: Path, runs: Sequence[RunSummary], now: datetime) -> str:
    document = {"warehouse": str(warehouse), "runs": [run_json(r, now) for r in runs]}
    return json.dumps(document, indent=2) + "\n"
