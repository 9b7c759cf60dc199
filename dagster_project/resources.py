"""Dagster resources: the run settings and the dbt CLI.

Settings are resolved when a step runs (from `LER_*` variables, which `ler run` sets from its flags),
so one definitions module serves `ler run`, `dagster dev` and the scheduler alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from packaging import version

from dagster_project.project_paths import DBT_PROJECT_DIR, dbt_executable
from dagster_project.settings import Settings


class LerSettingsResource(ConfigurableResource):
    """The run's settings (LER_* environment variables; see dagster_project/settings.py)."""

    def load(self) -> Settings:
        return Settings.load()


class LerDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two start-up costs it pays on every `cli()` call.

    Pinned to dagster-dbt 0.29.27 (2026-12-01), whose `cli()` first runs `dbt --version` in a
    subprocess to learn the dbt version (3.6 s measured on the 2-core machine) and then loads the
    project and profile into an in-process dbt adapter (2.9 s), used only to fetch column metadata,
    which this project does not ask for. The dbt this resource runs is the venv's own
    (`dbt_executable()`), so its version is the installed dbt-core package's; the adapter is not
    needed. A test checks that dagster-dbt still has both hooks (tests/test_settings.py).
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


def dbt_resource(executable: str | None = None) -> LerDbtCliResource:
    """The dbt CLI resource of the project; `executable` instead of `dbt_executable()` (the warm
    dbt's launcher, warm_dbt.py)."""
    return LerDbtCliResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=executable or dbt_executable(),
    )
