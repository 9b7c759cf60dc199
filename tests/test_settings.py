"""Settings: spec defaults, LER_* variables, CLI overrides, the hash-key rule (docs/submission_manual.md §4,
docs/reporting_rules.md §9),
and how settings and run bookkeeping reach dbt (vars, environment, build arguments)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import pytest
import yaml

from dagster_project.project_paths import DBT_PROJECT_DIR
from dagster_project.settings import (
    DBT_THREADS_DEFAULT,
    DEMO_HASH_KEY,
    DUCKDB_MEMORY_LIMIT_DEFAULT,
    MIN_HASH_KEY_LENGTH,
    RULE_CONSTANT_VARS,
    SETTINGS,
    Settings,
    SettingsError,
)
from tests.support.pipeline import TEST_KEY

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
    s = Settings.load({"landing_dir": tmp_path}, environ={"LER_HASH_KEY": TEST_KEY})
    assert {name: getattr(s, name) for name in SPEC_DEFAULTS} == SPEC_DEFAULTS


def test_environment_then_cli_override(tmp_path: Path) -> None:
    env = {
        "LER_HASH_KEY": TEST_KEY,
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


@pytest.mark.parametrize("sample", [False, True])
def test_a_key_shorter_than_32_characters_refuses_the_run_and_says_why(tmp_path: Path, sample: bool) -> None:
    """docs/submission_manual.md §4: a set key is checked in every run, the sample run's too (it uses
    the demo key only when no key is set); surrounding spaces do not count; the key is never shown."""
    assert MIN_HASH_KEY_LENGTH == 32
    short = "s3cr3t-" * 4 + "xyz"  # 31 characters
    for key in (short, f"   {short}  "):
        with pytest.raises(SettingsError) as refused:
            Settings.load({"landing_dir": tmp_path}, environ={"LER_HASH_KEY": key}, sample=sample)
        message = str(refused.value)
        assert "LER_HASH_KEY is 31 characters long" in message and "at least 32" in message
        assert short not in message and "s3cr3t" not in message
    with pytest.raises(SettingsError, match="at least 32"):
        Settings.load({"landing_dir": tmp_path, "hash_key": short}, environ={}, sample=sample)
    s = Settings.load({"landing_dir": tmp_path}, environ={"LER_HASH_KEY": short + "!"}, sample=sample)
    assert s.hash_key == short + "!" and not s.uses_demo_key


def test_the_documented_demo_key_is_itself_long_enough(tmp_path: Path) -> None:
    assert len(DEMO_HASH_KEY) >= MIN_HASH_KEY_LENGTH
    assert Settings.load({"landing_dir": tmp_path}, environ={"LER_HASH_KEY": "  "}, sample=True).uses_demo_key


def test_malformed_setting_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="LER_MIN_CELL"):
        Settings.load({"landing_dir": tmp_path}, environ={"LER_HASH_KEY": TEST_KEY, "LER_MIN_CELL": "ten"})


def test_key_never_in_repr_or_recorded_settings(tmp_path: Path) -> None:
    secret = "super-secret-value-" * 2
    s = Settings.load({"landing_dir": tmp_path}, environ={"LER_HASH_KEY": secret})
    assert secret not in repr(s) and secret not in str(s.in_force())


def test_dbt_var_defaults_equal_the_settings_defaults() -> None:
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    for setting in SETTINGS:
        if setting.dbt_var:
            assert project["vars"][setting.dbt_var] == setting.default, setting.dbt_var
    # every other var is a rule constant the spec fixes, never a setting in disguise
    setting_vars = {s.dbt_var for s in SETTINGS if s.dbt_var}
    assert set(project["vars"]) - setting_vars == set(RULE_CONSTANT_VARS)
    assert not setting_vars & set(RULE_CONSTANT_VARS)
    assert project["vars"]["ler:wpell:excluded_exit_reasons"] == [
        "INCARCERATED",
        "DECEASED",
        "MILITARY",
        "MEDICAL",
    ]
    assert project["vars"]["ler:attachment_min_quarters"] == 3


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings.load(
        {"landing_dir": tmp_path, "warehouse_dir": tmp_path / "wh", **overrides},
        environ={"LER_HASH_KEY": TEST_KEY},
    )


def test_a_run_passes_only_the_vars_off_their_default(tmp_path: Path) -> None:
    from dagster_project.assets.dbt import dbt_build_args

    default = _settings(tmp_path)
    assert default.dbt_var_overrides() == {}
    assert "--vars" not in dbt_build_args(default)  # the project's var defaults, partial parse kept
    changed = _settings(tmp_path, min_cell="5", wage_lag_quarters="1")
    assert changed.dbt_var_overrides() == {"ler:min_cell": 5, "ler:wage_lag_quarters": 1}
    args = dbt_build_args(changed)
    assert json.loads(args[args.index("--vars") + 1]) == {"ler:min_cell": 5, "ler:wage_lag_quarters": 1}


def test_the_production_build_runs_no_unit_tests_with_the_threads_setting(tmp_path: Path) -> None:
    from dagster_project.assets.dbt import dbt_build_args

    args = dbt_build_args(_settings(tmp_path, dbt_threads="3"))
    assert args[0] == "build"
    assert args[args.index("--exclude-resource-type") + 1] == "unit_test"
    assert args[args.index("--threads") + 1] == "3"


def test_run_bookkeeping_reaches_dbt_as_environment_not_vars(tmp_path: Path) -> None:
    from dagster_project.assets.dbt import dbt_run_environment

    s = Settings.load(
        {"landing_dir": tmp_path, "warehouse_dir": tmp_path / "wh"}, environ={"LER_HASH_KEY": "secret-k" * 4}
    )
    started = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    env = dbt_run_environment(s, "run-1", started)
    assert (env["LER_RUN_ID"], env["LER_RUN_STARTED_AT"]) == ("run-1", "2026-12-01T08:30:00+00:00")
    assert json.loads(env["LER_RUN_SETTINGS_JSON"])["min_cell"] == 10
    assert "secret-k" not in json.dumps(env)
    assert env["HOME"] == str((tmp_path / "wh").resolve())
    assert env["LER_DUCKDB_MEMORY_LIMIT"] == DUCKDB_MEMORY_LIMIT_DEFAULT  # the profile's settings
    limited = Settings.load(
        {"landing_dir": tmp_path, "warehouse_dir": tmp_path / "wh"},
        environ={"LER_HASH_KEY": "secret-k" * 4, "LER_DUCKDB_MEMORY_LIMIT": "6GB"},
    )
    assert dbt_run_environment(limited, "run-1", started)["LER_DUCKDB_MEMORY_LIMIT"] == "6GB"


@pytest.mark.slow  # a real dbt process (make test runs it; make test-fast does not)
def test_the_dbt_build_runs_under_the_duckdb_memory_limit(tmp_path: Path) -> None:
    """dbt's DuckDB has LER_DUCKDB_MEMORY_LIMIT as its memory_limit (dbt/profiles.yml `config_options`),
    as ingestion's connection has: DuckDB's own default, 80 % of the machine, let a state-size build
    reach 21 GB."""
    import subprocess

    import duckdb

    from dagster_project.dbt_manifest import PARTIAL_PARSE, dbt_command, dbt_environment, ensure_manifest
    from tests.support.pipeline import ler_environ

    ensure_manifest()
    target = tmp_path / "target"
    target.mkdir()
    (target / PARTIAL_PARSE.name).write_bytes(PARTIAL_PARSE.read_bytes())
    (tmp_path / "wh").mkdir()
    sql = "select current_setting('memory_limit') as memory_limit"
    env = ler_environ(dbt_environment(tmp_path / "wh")) | {"LER_DUCKDB_MEMORY_LIMIT": "512MB"}
    proc = subprocess.run(
        dbt_command("show", "--inline", sql, "--output", "json", target_path=target),
        env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    con = duckdb.connect()
    con.execute("set memory_limit = '512MB'")
    expected = con.execute(sql).fetchone()[0]
    assert f'"memory_limit": "{expected}"' in proc.stdout, proc.stdout[-2000:]


def test_dbt_writes_its_debug_log_and_json_artifacts_only_when_asked(tmp_path: Path) -> None:
    from dagster_project.assets.dbt import dbt_artifact_environment

    def env(**values: str) -> dict[str, str]:
        settings = Settings.load(
            {"landing_dir": tmp_path, "warehouse_dir": tmp_path / "wh"},
            environ={"LER_HASH_KEY": "secret-k" * 4, **values},
        )
        return dbt_artifact_environment(settings)

    quiet = {"DBT_LOG_LEVEL_FILE": "info", "DBT_LOG_FORMAT_FILE": "text", "DBT_USE_COLORS": "false"}
    assert env() == quiet | {"DBT_WRITE_JSON": "false"}
    assert env(LER_DBT_DEBUG_ARTIFACTS="1") == {}  # dbt's own defaults: debug log, JSON artifacts
    assert env(LER_ENGINE="spark") == quiet  # the bridge reads its manifest
    with pytest.raises(SettingsError, match="LER_DBT_DEBUG_ARTIFACTS='maybe'"):
        env(LER_DBT_DEBUG_ARTIFACTS="maybe")


def _render(path: Path, env: dict[str, str], **context: object) -> str:
    """A dbt YAML / SQL file rendered the way dbt renders it, env_var() reading `env` only."""

    def env_var(name: str, default: str | None = None) -> str:
        if name in env:
            return env[name]
        if default is None:
            raise KeyError(name)
        return default

    return (
        jinja2.Environment(undefined=jinja2.StrictUndefined)
        .from_string(path.read_text())
        .render(env_var=env_var, **context)
    )


def test_the_rendered_profile_and_lake_sources_are_the_same_for_every_warehouse(tmp_path: Path) -> None:
    """dbt re-parses the whole project when the rendered profile differs from the saved partial
    parse's, so the warehouse folder may reach the profile and the sources only as `~`."""
    from dagster_project.dbt_manifest import dbt_environment

    files = (DBT_PROJECT_DIR / "profiles.yml", DBT_PROJECT_DIR / "models/staging/lake/_lake__sources.yml")
    for f in files:
        one, two = (_render(f, dbt_environment(tmp_path / w)) for w in ("a", "b"))
        assert one == two, f
        assert str(tmp_path) not in one
    profile = yaml.safe_load(_render(files[0], dbt_environment(tmp_path / "a")))["ler_warehouse"]["outputs"][
        "warehouse"
    ]
    assert profile["path"] == "~/warehouse.duckdb"
    assert profile["threads"] == DBT_THREADS_DEFAULT  # dbt run by hand, as `ler run`
    assert profile["config_options"]["memory_limit"] == DUCKDB_MEMORY_LIMIT_DEFAULT  # likewise
    assert "temp_directory" not in json.dumps(profile)  # DuckDB would not expand ~ there


def test_run_metadata_reads_the_run_environment_only_when_it_runs() -> None:
    """Per-run values must not change what dbt parses (execute is false while dbt parses)."""
    sql = DBT_PROJECT_DIR / "models/marts/core/run_metadata.sql"
    context = {
        "config": lambda **_: "",
        "ref": lambda name: name,
        "var": lambda name: 0,
        # the portable macros (dbt/macros/portable.sql), as on DuckDB
        "type_instant": lambda: "timestamptz",
        "json_literal": lambda quoted: quoted + "::json",
    }
    run_env = {
        "LER_RUN_ID": "run-7",
        "LER_RUN_STARTED_AT": "2026-12-01T08:30:00+00:00",
        "LER_RUN_SETTINGS_JSON": "{}",
    }
    parsed = _render(sql, run_env, execute=False, **context)
    assert "run-7" not in parsed and "'manual' as run_id" in parsed
    assert "'run-7' as run_id" in _render(sql, run_env, execute=True, **context)


def test_staging_views_name_the_lake_by_its_absolute_path(tmp_path: Path) -> None:
    """A view stores its SQL: with ~/ in it, a reader with another HOME would read another lake."""
    from dagster_project.dbt_manifest import dbt_environment

    macro = DBT_PROJECT_DIR / "macros/lake_source.sql"
    call = macro.read_text() + "{{ default__lake_source('lake', 'wages') }}"  # DuckDB's (adapter.dispatch)
    macro_file = tmp_path / "call.sql"
    macro_file.write_text(call)

    def source(_source: str, table: str) -> str:  # what dbt-duckdb renders for the lake sources
        return f"read_parquet('~/lake/{table}/*.parquet', union_by_name = true)"

    env = dbt_environment(tmp_path / "wh")
    parsed = _render(macro_file, env, execute=False, source=source).strip()
    assert parsed == source("lake", "wages")  # while dbt parses: the same text for every warehouse
    run = _render(macro_file, env, execute=True, source=source).strip()
    assert run == f"read_parquet('{(tmp_path / 'wh').resolve()}/lake/wages/*.parquet', union_by_name = true)"


def test_the_dbt_resource_skips_dagster_dbts_version_subprocess_and_adapter() -> None:
    from importlib.metadata import version

    from dagster_dbt import DbtCliResource

    from dagster_project.resources import dbt_resource

    # the two dagster-dbt 0.29.27 hooks the resource replaces still exist (an upgrade that renames
    # them would silently bring the start-up costs back)
    assert "_cli_version" in vars(DbtCliResource) and "_initialize_dbt_core_adapter" in vars(DbtCliResource)
    resource = dbt_resource()
    assert str(resource._cli_version) == version("dbt-core")
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_the_dbt_a_run_starts_is_the_venvs_unless_ler_dbt_executable_names_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sys

    from dagster_project.dbt_manifest import dbt_command
    from dagster_project.project_paths import dbt_executable
    from dagster_project.resources import dbt_resource

    monkeypatch.delenv("LER_DBT_EXECUTABLE", raising=False)
    assert dbt_executable() == str(Path(sys.executable).parent / "dbt")
    wrapper = tmp_path / "dbt-wrapper"
    wrapper.write_text('#!/bin/sh\nexec dbt "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("LER_DBT_EXECUTABLE", str(wrapper))
    assert dbt_command("parse")[0] == str(wrapper)
    assert dbt_resource().dbt_executable == str(wrapper)
    monkeypatch.setenv("LER_DBT_EXECUTABLE", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="missing"):  # dagster-dbt names the path it did not find
        dbt_resource()


def test_dbt_unit_tests_are_not_asset_checks() -> None:
    from dagster_project.assets.dbt import DBT_PROJECT
    from dagster_project.definitions import defs

    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    unit_tests = {node["name"] for node in manifest["unit_tests"].values()}
    assert unit_tests  # the project has some (models/*/_*__unit_tests.yml)
    checks = {c.name for c in defs.resolve_asset_graph().asset_check_keys}
    assert checks and not unit_tests & checks


SHORT_KEY = "0123456789abcdef0123456789abcde"  # 31 characters


def test_ler_run_refuses_a_short_key_before_writing_anything(tmp_path: Path) -> None:
    from tests.support.pipeline import ler_run

    (tmp_path / "landing").mkdir()
    proc = ler_run(tmp_path / "landing", tmp_path / "wh", env={"LER_HASH_KEY": SHORT_KEY}, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "LER_HASH_KEY is 31 characters long" in proc.stderr and "at least 32" in proc.stderr
    assert SHORT_KEY not in proc.stdout + proc.stderr
    assert not (tmp_path / "wh").exists()


def test_a_code_location_run_with_a_short_key_is_refused_before_its_first_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run the Dagster daemon or UI starts (schedule, sensor, materialize) loads its settings in
    its settings resource before any step, so a short key fails the run there, saying why."""
    from dagster import DagsterInstance

    from dagster_project.definitions import defs

    (tmp_path / "landing").mkdir()
    monkeypatch.setenv("LER_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("LER_WAREHOUSE_DIR", str(tmp_path / "wh"))
    monkeypatch.setenv("LER_HASH_KEY", SHORT_KEY)
    job = defs.resolve_job_def("ler_full_refresh")
    result = job.execute_in_process(instance=DagsterInstance.ephemeral(), raise_on_error=False)
    assert not result.success
    assert not [e for e in result.all_events if e.is_step_start]  # nothing ran
    errors = [getattr(e.event_specific_data, "error", None) for e in result.all_events]
    messages = [err.message for err in errors if err is not None]
    assert any("at least 32" in m for m in messages), messages
    assert not any(SHORT_KEY in m for m in messages)
    assert not (tmp_path / "wh").exists()
