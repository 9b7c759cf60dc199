"""Dagster resources: the run settings and the dbt CLI.

Settings are resolved when a step runs (from `LER_*` variables, which `ler run` sets from its flags),
so one definitions module serves `ler run`, `dagster dev` and the scheduler alike.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource

from dagster_project.project_paths import DBT_PROJECT_DIR
from dagster_project.settings import Settings


class LerSettingsResource(ConfigurableResource):
    """The run's settings (LER_* environment variables; see dagster_project/settings.py)."""

    def load(self) -> Settings:
        return Settings.load()


def dbt_executable() -> str:
    """The venv's own `dbt`, so runs never depend on PATH (RECIPES.md)."""
    return str(Path(sys.executable).parent / "dbt")


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable()
    )
