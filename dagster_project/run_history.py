"""What `ler status` reads: the recent runs of a warehouse, from its Dagster instance (run_instance.py).

Pure functions over Dagster's instance API (`get_run_records`, `get_records_for_run`); reading
never takes the warehouse lock and never opens the restricted `warehouse.duckdb` (a reader there
would block the next run's writer), so it works while a run holds the lock:
- files by status and rows rejected come from the materialization metadata of the run's ingestion
  assets (`KindReport.summary` of landing/results.py, summed over the kinds): exact for every run,
  failed and running ones included, and cheap (one indexed query per run). `rows_rejected` is the
  load manifest's (`sum(rows_rejected)` of `audit.load_manifest`, a quarantined file's rows
  included), not run_metadata's (loaded files only, docs/reporting_rules.md §7.4).
- `wage_data_through` comes from the current publication's `reporting.run_metadata`, which holds
  every run that built the outcome tables up to the run published last (cli/status.py reads it).
- failed checks are the run's asset-check evaluations that did not pass: names and severity only,
  never their metadata or descriptions, so nothing row-level leaves the instance this way.
- a run that never recorded its end (killed, the machine rebooted) stays STARTED in the instance;
  it is shown `running` only while the warehouse lock file names it and its process is alive.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dagster_project.project_paths import WarehousePaths
from dagster_project.run_instance import has_history, instance_home, open_instance
from dagster_project.run_lock import read_holder

if TYPE_CHECKING:
    from dagster import DagsterInstance

STARTED_BY_TAG = "ler/started_by"  # set by `ler run`; schedule and sensor runs carry Dagster's tags


# -- what one run was ----------------------------------------------------------------------------
@dataclass(frozen=True)
class FailedCheck:
    asset: str  # the asset key, "/"-joined: "lake/wages"
    check: str
    severity: str  # ERROR or WARN


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    job: str
    started_by: str  # ler run, schedule <name>, sensor <name>, backfill, ui
    result: str  # success, failure, canceled, running, queued, interrupted
    started_at: datetime | None  # UTC
    ended_at: datetime | None
    files: dict[str, int] | None  # by load status; None when ingestion did not report (yet)
    rows_rejected: int | None
    wage_data_through: str | None
    failed_checks: tuple[FailedCheck, ...] = ()
    failed_steps: tuple[str, ...] = ()

    def duration_seconds(self, now: datetime) -> float | None:
        """Start to end; start to now while running; unknown for a run that never recorded its end."""
        if self.started_at is None:
            return None
        if self.ended_at is not None:
            return (self.ended_at - self.started_at).total_seconds()
        return (now - self.started_at).total_seconds() if self.result == "running" else None


def result_of(status: str, is_live: bool) -> str:
    """The result shown for a Dagster run status. A run not ended whose process is gone (killed,
    the machine rebooted) stays STARTED in the instance for ever: it is `interrupted`."""
    done = {"SUCCESS": "success", "FAILURE": "failure", "CANCELED": "canceled"}
    if status in done:
        return done[status]
    if status in ("QUEUED", "NOT_STARTED"):
        return "queued"
    return "running" if is_live else "interrupted"


def started_by(tags: Mapping[str, str]) -> str:
    if tags.get("dagster/schedule_name"):
        return f"schedule {tags['dagster/schedule_name']}"
    if tags.get("dagster/sensor_name"):
        return f"sensor {tags['dagster/sensor_name']}"
    if tags.get("dagster/backfill"):
        return "backfill"
    return tags.get(STARTED_BY_TAG) or "ui"


def files_by_status(summaries: Iterable[Mapping[str, int]]) -> tuple[dict[str, int], int] | None:
    """Files by load status and rows rejected, from the ingestion assets' metadata (one summary per
    kind: files, loaded = LOADED + LOADED_WITH_REJECTS, with_rejects, quarantined, duplicate,
    rows_rejected); None when no kind reported."""
    summaries = list(summaries)
    if not summaries:
        return None
    total = {k: sum(int(s.get(k, 0)) for s in summaries) for k in
             ("loaded", "with_rejects", "quarantined", "duplicate", "rows_rejected")}
    files = {
        "LOADED": total["loaded"] - total["with_rejects"],
        "LOADED_WITH_REJECTS": total["with_rejects"],
        "QUARANTINED": total["quarantined"],
        "DUPLICATE": total["duplicate"],
    }
    return files, total["rows_rejected"]


def failed_checks(evaluations: Iterable[tuple[str, str, bool, str]]) -> tuple[FailedCheck, ...]:
    """(asset, check, passed, severity) evaluations -> the ones that failed, once each, sorted."""
    failed = {FailedCheck(a, c, s) for a, c, passed, s in evaluations if not passed}
    return tuple(sorted(failed, key=lambda f: (f.severity != "ERROR", f.asset, f.check)))


# -- reading the instance ------------------------------------------------------------------------
@dataclass
class _RunEvents:
    ingest: list[dict[str, int]] = field(default_factory=list)
    checks: list[tuple[str, str, bool, str]] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)


def _run_events(instance: DagsterInstance, run_id: str, lake_keys: frozenset[tuple[str, ...]]) -> _RunEvents:
    """The events of one run that the summary needs (one filtered query per page of 1,000)."""
    from dagster import DagsterEventType

    kinds = {
        DagsterEventType.ASSET_MATERIALIZATION,
        DagsterEventType.ASSET_CHECK_EVALUATION,
        DagsterEventType.STEP_FAILURE,
    }
    out, cursor = _RunEvents(), None
    while True:
        page = instance.get_records_for_run(run_id, cursor=cursor, of_type=kinds, limit=1000)
        for record in page.records:
            event = record.event_log_entry.dagster_event
            if event is None:
                continue
            if event.event_type == DagsterEventType.STEP_FAILURE:
                out.failed_steps.append(event.step_key or "")
            elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
                ev = event.asset_check_evaluation_data
                out.checks.append(("/".join(ev.asset_key.path), ev.check_name, ev.passed, ev.severity.value))
            elif tuple(event.asset_key.path) in lake_keys:
                meta = event.step_materialization_data.materialization.metadata
                out.ingest.append({k: v.value for k, v in meta.items() if isinstance(v.value, int)})
        cursor = page.cursor
        if not page.has_more:
            return out


def _utc(timestamp: float | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, tz=UTC) if timestamp is not None else None


def live_run_id(warehouse: Path) -> str | None:
    """The run id the warehouse lock names when its holder process is alive. Reads the lock file,
    never takes the lock (the run's `flock` stays undisturbed)."""
    holder = read_holder(WarehousePaths(warehouse).lock)
    if holder is None or holder.pid is None or not holder.run_id:
        return None
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another user's
    return holder.run_id


def recent_runs(
    instance: DagsterInstance,
    limit: int,
    lake_keys: frozenset[tuple[str, ...]],
    wage_through: Mapping[str, str],
    live: str | None,
) -> list[RunSummary]:
    """The `limit` newest runs of the instance, newest first."""
    out = []
    for record in instance.get_run_records(limit=limit, order_by="create_timestamp", ascending=False):
        run = record.dagster_run
        events = _run_events(instance, run.run_id, lake_keys)
        counted = files_by_status(events.ingest)
        out.append(
            RunSummary(
                run_id=run.run_id,
                job=run.job_name,
                started_by=started_by(run.tags),
                result=result_of(run.status.value, run.run_id == live),
                started_at=_utc(record.start_time) or record.create_timestamp.astimezone(UTC),
                ended_at=_utc(record.end_time),
                files=counted[0] if counted else None,
                rows_rejected=counted[1] if counted else None,
                wage_data_through=wage_through.get(run.run_id),
                failed_checks=failed_checks(events.checks),
                failed_steps=tuple(dict.fromkeys(events.failed_steps)),
            )
        )
    return out


@contextlib.contextmanager
def reading(warehouse: Path) -> Iterator[DagsterInstance | None]:
    """The warehouse's instance for reading, or None when it has recorded nothing yet."""
    home = instance_home(warehouse)
    if not has_history(home):
        yield None
        return
    with open_instance(home) as instance:
        yield instance
