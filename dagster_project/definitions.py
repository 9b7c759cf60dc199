"""The Dagster code location: ingestion -> dbt warehouse -> publish, with checks, schedule and sensor.

`dagster dev -m dagster_project.definitions` shows this graph; `ler run` materializes the same job.
"""

from __future__ import annotations

from dagster import Definitions

from dagster_project.assets.dbt import warehouse_models
from dagster_project.assets.ingest import ingest_assets
from dagster_project.assets.publish import published
from dagster_project.checks import ingest_checks
from dagster_project.resources import LerSettingsResource, dbt_resource
from dagster_project.schedules import full_refresh_job, nightly_schedule
from dagster_project.sensors import landing_zone_sensor

defs = Definitions(
    assets=[*ingest_assets(), warehouse_models, published],
    asset_checks=ingest_checks(),
    jobs=[full_refresh_job],
    schedules=[nightly_schedule],
    sensors=[landing_zone_sensor],
    resources={"ler_settings": LerSettingsResource(), "dbt": dbt_resource()},
)
