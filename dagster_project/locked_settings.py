"""The run's settings resource, holding the warehouse lock for as long as the run executes.

Every asset of the code location reads its settings through the `ler_settings` resource, so making
that resource take the warehouse lock (`run_lock.py`) when a run starts covers every way a run
starts: `ler run`, the nightly schedule, the landing-zone sensor, the UI. With the in-process
executor (schedules.py, definitions.py) the resource is set up once per run, in the run's one
process, before the first step, and torn down after the last, so the lock spans the whole run.
A run that finds the warehouse in use fails before its first step, naming the holder.
"""

from __future__ import annotations

from pathlib import Path

from dagster import InitResourceContext
from pydantic import PrivateAttr

from dagster_project.resources import LerSettingsResource
from dagster_project.run_lock import acquire, release
from dagster_project.settings import Settings


class LockedLerSettingsResource(LerSettingsResource):
    """LerSettingsResource that holds `<warehouse>/.lock` from the run's start to its end."""

    _warehouse: Path | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        warehouse = Settings.load().warehouse_dir
        warehouse.mkdir(parents=True, exist_ok=True)
        stale = acquire(warehouse, context.run_id)
        self._warehouse = warehouse
        if stale is not None and context.log is not None:
            context.log.warning(
                f"took over the warehouse lock of a run that ended without releasing it ({stale.describe()})"
            )

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._warehouse is not None:
            release(self._warehouse)
