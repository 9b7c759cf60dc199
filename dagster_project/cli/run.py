"""`ler run`: ingest the landing zone, build the warehouse, publish (docs/reporting_rules.md §9).

Materializes every asset through Dagster (the same job `dagster dev` shows and the nightly schedule
runs) and exits non-zero when the run fails.
"""

from __future__ import annotations

import argparse
import os

from dagster_project.cli.common import EXIT_OK, EXIT_USAGE, fail
from dagster_project.landing.registry import Registry
from dagster_project.settings import SETTINGS, Settings, SettingsError


def _setting_flags(parser: argparse.ArgumentParser) -> None:
    for s in SETTINGS:
        if s.name in ("landing_dir", "warehouse_dir"):
            continue
        flag = "--" + s.name.replace("_", "-")
        parser.add_argument(
            flag,
            dest=s.name,
            default=None,
            metavar="VALUE",
            help=f"{s.help} (env {s.env}, default {s.default})",
        )


def register(sub: argparse._SubParsersAction, registry: Registry) -> None:
    run = sub.add_parser("run", help="ingest the landing zone, build the warehouse, publish")
    run.add_argument("--landing", dest="landing_dir", help="landing zone folder (env LER_LANDING_DIR)")
    run.add_argument("--warehouse", dest="warehouse_dir", help="output folder (env LER_WAREHOUSE_DIR)")
    run.add_argument(
        "--sample",
        action="store_true",
        help="the sample-data run: allowed without LER_HASH_KEY (uses the documented demo key)",
    )
    run.add_argument(
        "--log-level",
        default=os.environ.get("LER_LOG_LEVEL", "WARNING"),
        help="Dagster console log level (env LER_LOG_LEVEL, default WARNING)",
    )
    _setting_flags(run)
    run.set_defaults(handler=execute)


def execute(args: argparse.Namespace, registry: Registry) -> int:
    overrides = {s.name: getattr(args, s.name, None) for s in SETTINGS}
    try:
        settings = Settings.load(overrides, sample=args.sample or None)
    except SettingsError as exc:
        return fail("run", str(exc), EXIT_USAGE)
    if not settings.landing_dir.is_dir():
        return fail("run", f"landing zone {settings.landing_dir} does not exist", EXIT_USAGE)
    if settings.uses_demo_key:
        print("ler run: sample-data run, person keys use the documented demo key (not for real data)")
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update(settings.to_environ())

    from dagster import DagsterInstance

    from dagster_project.definitions import defs

    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    job = defs.resolve_job_def("ler_full_refresh")
    run_config = {"loggers": {"console": {"config": {"log_level": args.log_level.upper()}}}}
    result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=run_config)
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        return fail("run", f"FAILED (run {result.run_id}); failed steps: {', '.join(failed) or 'see log'}")
    _print_outputs(settings)
    return EXIT_OK


def _print_outputs(settings: Settings) -> None:
    import duckdb

    from dagster_project.project_paths import WarehousePaths

    paths = WarehousePaths(settings.warehouse_dir)
    con = duckdb.connect(str(paths.warehouse_db), read_only=True)
    try:
        status = dict(con.execute("select status, count(*) from audit.load_manifest group by 1").fetchall())
        through = con.execute(
            "select wage_data_through from marts.run_metadata order by finished_at desc limit 1"
        ).fetchall()
    finally:
        con.close()
    print("ler run: done")
    print(
        f"  files: {', '.join(f'{k} {v}' for k, v in sorted(status.items()))}; "
        f"wage data through {through[0][0] if through else 'n/a'}"
    )
    print(f"  published (reporting schema): {paths.published_db}")
    print(f"  exports (parquet + csv):      {paths.exports}/")
    print(f"  restricted warehouse:         {paths.warehouse_db}")
    print(f"  quarantine reports:           {paths.quarantine}/")
