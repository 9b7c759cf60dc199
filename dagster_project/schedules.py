"""The job and its nightly schedule: materialize everything once a night (cron from LER_NIGHTLY_CRON).

The job runs on the in-process executor: all steps of a run execute one after another in the run's
one process, the process that holds the warehouse lock (run_lock.py). The multiprocess default would
start one process per step, and those would lock each other out; nothing is lost, since every step
of this graph depends on the one before it except the four ingestion kinds, which are light.
Its loggers are the plain console and the run's log file (run_logs.py), on by default.
"""

from __future__ import annotations

import os

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
)

DEFAULT_NIGHTLY_CRON = "0 2 * * *"
# every run logs to the console (plain, below ERROR) and to <warehouse>/logs/<run id>.log
DEFAULT_LOGGER_CONFIG = {"console": {"config": {"log_level": "WARNING"}}, "run_log": {}}

full_refresh_job = define_asset_job(
    name="ler_full_refresh",
    selection=AssetSelection.all(),
    description="Ingest the whole landing zone, rebuild the warehouse, run every check, publish.",
    executor_def=in_process_executor,
    config={"loggers": DEFAULT_LOGGER_CONFIG},
)

nightly_schedule = ScheduleDefinition(
    name="ler_nightly",
    job=full_refresh_job,
    cron_schedule=os.environ.get("LER_NIGHTLY_CRON", DEFAULT_NIGHTLY_CRON),
    execution_timezone=os.environ.get("LER_NIGHTLY_TIMEZONE", "UTC"),
    default_status=DefaultScheduleStatus.STOPPED,
)
