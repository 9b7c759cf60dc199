"""The nightly load: materialize everything once a night (cron from LER_NIGHTLY_CRON)."""

from __future__ import annotations

import os

from dagster import AssetSelection, DefaultScheduleStatus, ScheduleDefinition, define_asset_job

DEFAULT_NIGHTLY_CRON = "0 2 * * *"

full_refresh_job = define_asset_job(
    name="ler_full_refresh",
    selection=AssetSelection.all(),
    description="Ingest the whole landing zone, rebuild the warehouse, run every check, publish.",
)

nightly_schedule = ScheduleDefinition(
    name="ler_nightly",
    job=full_refresh_job,
    cron_schedule=os.environ.get("LER_NIGHTLY_CRON", DEFAULT_NIGHTLY_CRON),
    execution_timezone=os.environ.get("LER_NIGHTLY_TIMEZONE", "UTC"),
    default_status=DefaultScheduleStatus.STOPPED,
)
