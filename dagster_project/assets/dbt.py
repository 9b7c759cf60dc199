"""The dbt project as Dagster assets: every model and seed an asset, every dbt data test an asset check.

Asset keys are `<schema>/<table>` (`marts/program_outcomes`, `reporting/program_outcomes`), the names
an analyst queries. Lake sources map to the ingestion assets through `meta.dagster.asset_key`, so
the graph runs from landed file to published table. dbt unit tests are not asset checks (dagster-dbt
0.29.27 maps only `test.*` nodes to checks and ignores `unit_test.*` results) and the production
build does not run them: they test rules on given rows, not the run's data.

With LER_ENGINE=spark (docs/spark.md) the same assets build the project on the dbt target `spark`
(dbt-spark's session method), the Spark build's tables are copied into warehouse.duckdb
(spark_bridge.py), which everything downstream reads as it reads the DuckDB build's, and the dbt
data tests (the asset checks) run on them there.

The wage-derived models are incremental by quarter (dbt/macros/wage_slices.sql): a run passes them
the fingerprint of what shapes wage rows besides the landed files (run_inputs.py), and a full
refresh (`ler run --full-refresh`, or `full_refresh: true` in the op config of a run launched from
the UI) rebuilds them, and every other table, from the whole lake.
"""

import json
import os
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dagster import AssetCheckExecutionContext, AssetExecutionContext, AssetKey, Config
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from dagster_project import warm_dbt
from dagster_project.dbt_manifest import dbt_command, dbt_environment, ensure_manifest, seed_partial_parse
from dagster_project.later_imports import import_later_steps
from dagster_project.project_paths import DBT_PROJECT_DIR
from dagster_project.resources import LerSettingsResource, dbt_resource
from dagster_project.run_inputs import wage_inputs_fingerprint
from dagster_project.settings import Settings
from dagster_project.spark_bridge import (
    SPARK_DIR,
    SPARK_TARGET,
    copy_spark_build,
    require_spark,
    spark_submit_args,
)

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Not DBT_PROJECT.prepare_if_dev(): under `dagster dev` it runs a `dbt` found on PATH, which a venv
# started as .venv/bin/dagster does not have. ensure_manifest() uses the venv's own dbt, everywhere.
ensure_manifest()

LAYER_GROUPS = ("staging", "intermediate", "marts", "reporting", "audit", "reference")


class LerDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            table = dbt_resource_props.get("alias") or dbt_resource_props["name"]
            return AssetKey([dbt_resource_props["schema"], table])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        schema = dbt_resource_props.get("schema")
        return schema if schema in LAYER_GROUPS else "warehouse"

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):  # noqa: ANN001, ANN201
        """A dbt test's asset check with the test's dbt description (its YAML / docs-block text, as
        the manifest renders it): dagster-dbt 0.29.27 reads only `meta.description`, so the UI
        showed "No description provided" for every check."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        return spec._replace(description=dbt_test_description(manifest["nodes"][unique_id]))


def dbt_test_description(test: Mapping[str, Any]) -> str:
    """The dbt description of a data test, or, for a generic test declared without one, what it
    checks in one sentence (so no check is without a description)."""
    text = (test.get("description") or "").strip()
    if text:
        return text
    kind = (test.get("test_metadata") or {}).get("name") or test["name"]
    node = (test.get("attached_node") or "").rsplit(".", 1)[-1]
    target = ".".join(p for p in (node, test.get("column_name")) if p)
    return f"dbt test {kind} on {target or test['name']} (no description in the dbt YAML)."


TRANSLATOR = LerDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True))


class DbtBuildConfig(Config):
    """The op config of the dbt build (`ler run --full-refresh` sets it)."""

    full_refresh: bool = False
    """Rebuild the incremental wage tables from the whole lake instead of the changed quarters
    (marts.run_metadata, the history of every run, is never rebuilt: `full_refresh=false` there)."""


def dbt_build_args(settings: Settings, full_refresh: bool = False) -> list[str]:
    """The `dbt build` of a run: no unit tests; `--vars` only for thresholds off their spec default;
    `--full-refresh` when asked.

    Threads: LER_DBT_THREADS (measured on the 2-core machine, see settings.py). With LER_ENGINE=spark
    the target `spark` (dbt/profiles.yml) and no data tests: they are DuckDB SQL, run afterwards on
    the Spark build's tables in warehouse.duckdb (spark_check_args).
    """
    spark = settings.engine == "spark"
    args = ["build", *(["--target", SPARK_TARGET] if spark else [])]
    args += ["--exclude-resource-type", "unit_test", *(["test"] if spark else [])]
    args += ["--threads", str(settings.dbt_threads)]
    if full_refresh:
        args.append("--full-refresh")
    return args + _var_args(settings)


def _var_args(settings: Settings) -> list[str]:
    """`--vars` with the thresholds off their spec default, or nothing (dbt_build_args)."""
    overrides = settings.dbt_var_overrides()
    return ["--vars", json.dumps(overrides, sort_keys=True)] if overrides else []


def dbt_run_environment(settings: Settings, run_id: str, started_at: datetime) -> dict[str, str]:
    """The environment of a run's dbt build: the warehouse (dbt_manifest.dbt_environment), DuckDB's
    memory limit (LER_DUCKDB_MEMORY_LIMIT, read by dbt/profiles.yml) and the run's bookkeeping for
    marts.run_metadata, plus the wage inputs' fingerprint for the incremental wage models
    (int_wages__quarter_inputs, run_inputs.py).

    Per-run values are environment variables, read with env_var() only when a model runs, never
    `--vars`: new `--vars` make dbt re-parse the whole project, a new env var value only the file
    that reads it.
    """
    return dbt_environment(settings.warehouse_dir) | dbt_artifact_environment(settings) | {
        "LER_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit,  # dbt/profiles.yml `config_options`
        "LER_RUN_ID": run_id,
        "LER_RUN_STARTED_AT": started_at.isoformat(),
        "LER_RUN_SETTINGS_JSON": json.dumps(settings.in_force(), sort_keys=True),
        "LER_WAGE_INPUTS_FINGERPRINT": wage_inputs_fingerprint(settings),
    }


def dbt_artifact_environment(settings: Settings) -> dict[str, str]:
    """What dbt writes to <warehouse>/.tmp/dbt-target besides the compiled SQL.

    By default dbt.log at info level as plain text (a line per node and its result) and no
    manifest.json or run_results.json: the run's outcome is in the Dagster run (its log, `ler
    status`, the asset checks) and the manifest is the project's. dbt's debug file log of every
    statement and its JSON artifacts cost about a tenth of a small run's CPU (measured on the
    hand-built state: dbt.log 5.3 MB against 0.4 MB), and the file log as JSON lines another 2 CPU
    seconds of a 30 s run (worked example v2, 2026-12-02: every event turned into a dict and
    scrubbed), so they are written only with LER_DBT_DEBUG_ARTIFACTS=1, to debug dbt itself; the
    JSON events dagster-dbt reads come on dbt's stdout either way (without colour codes in their
    messages, as the file). The Spark build always writes its JSON artifacts: its manifest is what
    the bridge copies by (spark_bridge.copy_spark_build).
    """
    if settings.dbt_debug_artifacts:
        return {}
    quiet = {"DBT_LOG_LEVEL_FILE": "info", "DBT_LOG_FORMAT_FILE": "text", "DBT_USE_COLORS": "false"}
    return quiet if settings.engine == "spark" else quiet | {"DBT_WRITE_JSON": "false"}


@contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    """os.environ with `values`, restored after: dagster-dbt gives dbt a copy of os.environ."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_started_at(context: AssetExecutionContext | AssetCheckExecutionContext) -> datetime:
    """When the run started (its Dagster run record): marts.run_metadata's started_at, and the
    "today" of the operational checks (checks.py), so one run has one date everywhere."""
    record = context.instance.get_run_record_by_id(context.run.run_id)
    if record is not None and record.start_time:
        return datetime.fromtimestamp(record.start_time, tz=UTC)
    return datetime.now(tz=UTC)


@dbt_assets(manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT, dagster_dbt_translator=TRANSLATOR)
def warehouse_models(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    ler_settings: LerSettingsResource,
    config: DbtBuildConfig,
):
    settings = ler_settings.load()
    # dbt's artifacts and logs stay with the warehouse they describe (restricted), one folder per
    # warehouse; dagster-dbt seeds it with the project's target/partial_parse.msgpack. dbt inherits
    # the run's umask 077, so warehouse.duckdb and the artifacts are owner-only from their first byte
    # (dagster_project/permissions.py), with no chmod after the fact.
    target = settings.warehouse_dir / ".tmp" / "dbt-target"
    seed_partial_parse(target)
    environment = dbt_run_environment(settings, context.run_id, run_started_at(context))
    if settings.engine == "spark":
        yield from _spark_build(context, dbt, settings, config, environment, target)
        return
    launcher = warm_dbt.launcher()  # the warm dbt of this `ler run`, if it has one
    runner = dbt if launcher is None else dbt_resource(str(launcher))
    with _environ(environment):
        args = dbt_build_args(settings, config.full_refresh)
        invocation = runner.cli(args, context=context, target_path=target)  # starts dbt
    import_later_steps()  # while dbt starts (later_imports.py)
    yield from invocation.stream()
    if launcher is not None:
        context.log.info(f"dbt build: {warm_dbt.how_it_ran(launcher)}")


def _spark_build(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    settings: Settings,
    config: DbtBuildConfig,
    environment: Mapping[str, str],
    target: Path,
) -> Iterator[Any]:
    """LER_ENGINE=spark (docs/spark.md): the models and seeds on Spark, their tables copied into
    warehouse.duckdb (spark_bridge.py), the lake views created there as the DuckDB build creates
    them, then every dbt data test run on those tables (DuckDB SQL, the asset checks of the DuckDB
    build: a failing one fails this step, so nothing is published). The Spark build has its own
    dbt target folder: its parse is of another profile target."""
    require_spark()
    (settings.warehouse_dir / SPARK_DIR).mkdir(mode=0o700, exist_ok=True)
    spark_target = target.with_name(target.name + "-spark")
    with _environ(dict(environment) | {"PYSPARK_SUBMIT_ARGS": spark_submit_args(settings.warehouse_dir)}):
        args = dbt_build_args(settings, config.full_refresh)
        build = dbt.cli(args, context=context, target_path=spark_target)
    yield from build.stream()
    manifest = spark_target / "manifest.json"
    counts = copy_spark_build(settings.warehouse_dir, manifest, DBT_PROJECT.manifest_path)
    context.log.info(f"copied the Spark build's {len(counts)} tables into warehouse.duckdb")
    create_lake_views(environment, target)
    with _environ(environment):
        tests = dbt.cli(spark_check_args(settings), context=context, target_path=target)
    yield from tests.stream()


def spark_check_args(settings: Settings) -> list[str]:
    """The dbt data tests of a Spark build, run on warehouse.duckdb (the DuckDB target)."""
    args = ["test", "--exclude-resource-type", "unit_test", "--threads", str(settings.dbt_threads)]
    return args + _var_args(settings)


def create_lake_views(environment: Mapping[str, str], target: Path) -> None:
    """The project's views (staging over the lake, int_wages__lake_slice) in warehouse.duckdb, by dbt
    on the DuckDB target, outside Dagster's event stream (they are the Spark build's assets)."""
    proc = subprocess.run(
        dbt_command("run", "--select", "config.materialized:view", "--quiet", target_path=target),
        env=dict(os.environ) | dict(environment),
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"dbt could not create the lake views in warehouse.duckdb: {proc.stdout[-2000:]}")
