"""The Dagster code location: ingestion -> dbt warehouse -> publish, with checks, schedule and sensor.

`dagster dev -m dagster_project.definitions` shows this graph; `ler run` materializes the same job.
Loading the code location sets the process umask to 077 (permissions.py) before any run writes,
so every file a run creates is owner-only from its first byte, in `ler run` and in runs the
Dagster daemon or UI start alike. Every run, including a UI materialization of a few assets,
runs on the in-process executor and holds the warehouse lock through its `ler_settings` resource
(locked_settings.py); its logs go to the plain console and `<warehouse>/logs/<run id>.log`.
"""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from dagster_project.assets.dbt import warehouse_models
from dagster_project.assets.docs_site import dbt_docs
from dagster_project.assets.feedback import provider_feedback
from dagster_project.assets.ingest import ingest_assets
from dagster_project.assets.publish import published
from dagster_project.checks import ingest_checks, ops_checks
from dagster_project.locked_settings import LockedLerSettingsResource
from dagster_project.permissions import restrict_new_files
from dagster_project.resources import dbt_resource
from dagster_project.run_logs import LOGGERS
from dagster_project.schedules import full_refresh_job, nightly_schedule
from dagster_project.sensors import landing_zone_sensor

# before any run of this code location writes a file (importing writes none to a warehouse)
restrict_new_files()

defs = Definitions(
    assets=[*ingest_assets(), warehouse_models, published, provider_feedback, dbt_docs],
    asset_checks=[*ingest_checks(), *ops_checks()],
    jobs=[full_refresh_job],
    schedules=[nightly_schedule],
    sensors=[landing_zone_sensor],
    resources={"ler_settings": LockedLerSettingsResource(), "dbt": dbt_resource()},
    executor=in_process_executor,
    loggers=LOGGERS,
)
