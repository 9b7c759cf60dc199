"""Settings: spec defaults, LER_* variables, CLI overrides, the hash-key rule (LER_SPEC.md §4, §9)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dagster_project.project_paths import DBT_PROJECT_DIR
from dagster_project.settings import DEMO_HASH_KEY, SETTINGS, Settings, SettingsError

SPEC_DEFAULTS = {
    "wage_lag_quarters": 0,
    "min_annual_earnings": 15080.0,
    "vae_min_n": 16,
    "min_cohort": 10,
    "min_cell": 10,
    "max_reject_rate": 0.10,
    "max_field_length": 1000,
    "max_json_depth": 64,
    "wpell_min_clock_hours": 150,
    "wpell_max_clock_hours": 599,
    "wpell_min_weeks": 8,
    "wpell_max_weeks_exclusive": 15,
    "wpell_completion_threshold": 0.70,
    "wpell_placement_threshold": 0.70,
    "wpell_normal_time_factor": 1.5,
    "poverty_multiplier": 1.5,
}


def test_defaults_are_the_spec_defaults(tmp_path: Path) -> None:
    s = Settings.load({"landing_dir": tmp_path}, environ={"LER_HASH_KEY": "k"})
    assert {name: getattr(s, name) for name in SPEC_DEFAULTS} == SPEC_DEFAULTS


def test_environment_then_cli_override(tmp_path: Path) -> None:
    env = {
        "LER_HASH_KEY": "k",
        "LER_LANDING_DIR": str(tmp_path),
        "LER_MIN_CELL": "5",
        "LER_WAGE_LAG_QUARTERS": "2",
    }
    s = Settings.load({"min_cell": "7"}, environ=env)
    assert (s.min_cell, s.wage_lag_quarters, s.landing_dir) == (7, 2, tmp_path.resolve())


def test_a_real_run_needs_the_hash_key(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="LER_HASH_KEY"):
        Settings.load({"landing_dir": tmp_path}, environ={})


def test_the_sample_run_uses_the_documented_demo_key(tmp_path: Path) -> None:
    s = Settings.load({"landing_dir": tmp_path}, environ={}, sample=True)
    assert s.hash_key == DEMO_HASH_KEY and s.uses_demo_key
    s = Settings.load({"landing_dir": tmp_path}, environ={"LER_SAMPLE_RUN": "1"})
    assert s.is_sample_run


def test_malformed_setting_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="LER_MIN_CELL"):
        Settings.load({"landing_dir": tmp_path}, environ={"LER_HASH_KEY": "k", "LER_MIN_CELL": "ten"})


def test_key_never_in_repr_or_recorded_settings(tmp_path: Path) -> None:
    s = Settings.load({"landing_dir": tmp_path}, environ={"LER_HASH_KEY": "super-secret-value"})
    assert "super-secret-value" not in repr(s) and "super-secret-value" not in str(s.in_force())


def test_dbt_var_defaults_equal_the_settings_defaults() -> None:
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    for setting in SETTINGS:
        if setting.dbt_var:
            assert project["vars"][setting.dbt_var] == setting.default, setting.dbt_var
