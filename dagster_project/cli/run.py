"""`ler run`: ingest the landing zone, build the warehouse, publish (docs/reporting_rules.md §9).

Materializes every asset through Dagster (the same job `dagster dev` shows and the nightly schedule
runs) and exits 0 on success, 1 when the run failed, 2 for a usage or settings error. Before Dagster
starts it sets the umask (owner-only files), checks the landing zone can be read, and takes the
warehouse lock, so a second run on the same warehouse exits at once naming the first. The run is
recorded in the warehouse's Dagster instance (`<warehouse>/.dagster`, run_instance.py), where
`dagster dev` and `ler status` see it. A failure prints one plain line (failures.py); the detail is
in `<warehouse>/logs/<run id>.log`.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

from dagster_project import run_skip
from dagster_project.cli.common import EXIT_OK, EXIT_USAGE, fail
from dagster_project.failures import classify, error_info_messages, exception_messages, explain
from dagster_project.landing.registry import Registry
from dagster_project.permissions import restrict_new_files
from dagster_project.project_paths import WarehousePaths
from dagster_project.run_lock import WarehouseBusy, holding
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
        help="console log level (env LER_LOG_LEVEL, default WARNING); the run's log file has everything",
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every table from the whole lake, not only the wage quarters that changed",
    )
    run.add_argument(
        "--rebuild",
        action="store_true",
        help="run even when nothing is new since the last run that published (which otherwise ends at once)",
    )
    _setting_flags(run)
    run.set_defaults(handler=execute)


def execute(args: argparse.Namespace, registry: Registry) -> int:
    restrict_new_files()  # before the first byte is written (permissions.py)
    overrides = {s.name: getattr(args, s.name, None) for s in SETTINGS}
    try:
        settings = Settings.load(overrides, sample=args.sample or None)
    except SettingsError as exc:
        return fail("run", str(exc), EXIT_USAGE)
    if settings.engine == "spark":
        from dagster_project.spark_bridge import SparkMissing, require_spark

        try:
            require_spark()
        except SparkMissing as exc:
            return fail("run", str(exc), EXIT_USAGE)
    problem = landing_problem(settings.landing_dir, settings.warehouse_dir)
    if problem:
        return fail("run", problem)
    if settings.uses_demo_key:
        print("ler run: sample-data run, person keys use the documented demo key (not for real data)")
    run_id = str(uuid.uuid4())
    try:
        settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
        with holding(settings.warehouse_dir, run_id) as stale:
            if stale is not None:
                print(
                    f"ler run: taking over the warehouse lock of a run that ended without releasing it "
                    f"({stale.describe()})",
                    file=sys.stderr,
                )
            digest = run_skip.inputs_digest(settings, datetime.now(UTC).date())
            if not (args.full_refresh or args.rebuild) and _nothing_new(settings, digest):
                return EXIT_OK
            run_skip.write_state(settings.warehouse_dir, digest, run_skip.RUNNING, run_id)
            code = _run(settings, run_id, args.log_level, args.full_refresh)
            if code == EXIT_OK:
                run_skip.write_state(settings.warehouse_dir, digest, run_skip.SUCCEEDED, run_id)
            return code
    except WarehouseBusy as exc:
        return fail("run", str(exc))
    except OSError as exc:
        failure = classify(exception_messages(exc))
        if failure is None:
            raise
        return fail("run", f"FAILED: {explain(failure, settings.landing_dir, settings.warehouse_dir)}")


def _nothing_new(settings: Settings, digest: str) -> bool:
    """The fast path of a run that finds nothing new (run_skip.py): say so, publish nothing."""
    state = run_skip.read_state(settings.warehouse_dir)
    published = WarehousePaths(settings.warehouse_dir).current_publication.exists()
    if not run_skip.nothing_new(state, digest, published):
        return False
    print(
        f"ler run: nothing new since run {state['run_id']} (the same files, settings and code, today): "
        "nothing rebuilt or published; --rebuild runs anyway"
    )
    return True


def landing_problem(landing: Path, warehouse: Path) -> str | None:
    """Why the landing zone cannot be read (missing, or a folder or file we may not read), or None.

    Checked before anything starts, so an unreadable zone costs nothing and changes nothing."""
    from dagster_project.landing.discovery import iter_submissions

    if not landing.is_dir():
        return f"landing zone {landing} does not exist or is not a folder: check --landing / LER_LANDING_DIR"
    try:
        os.listdir(landing)
        for kind_dir in (p for p in landing.iterdir() if p.is_dir()):
            os.listdir(kind_dir)
        for _kind, path in iter_submissions(landing):
            with open(path, "rb") as f:
                f.read(1)
    except OSError as exc:
        failure = classify(exception_messages(exc))
        if failure is None:
            raise
        return f"FAILED: {explain(failure, landing, warehouse)}"
    return None


def _run(settings: Settings, run_id: str, log_level: str, full_refresh: bool = False) -> int:
    from dagster_project import warm_dbt
    from dagster_project.project_paths import dbt_executable
    from dagster_project.without_dbt_core import dbt_core_blocked

    # before the definitions are imported: the warm dbt imports dbt beside them (warm_dbt.py), and
    # this process imports dagster-dbt without dbt-core (without_dbt_core.py)
    with warm_dbt.started(settings, dbt_executable()), dbt_core_blocked():
        return _run_job(settings, run_id, log_level, full_refresh)


def _run_job(settings: Settings, run_id: str, log_level: str, full_refresh: bool) -> int:
    from dagster_project.definitions import defs
    from dagster_project.run_history import STARTED_BY_TAG
    from dagster_project.run_instance import instance_home, open_for_run, storage_failure
    from dagster_project.schedules import DEFAULT_LOGGER_CONFIG

    os.environ.update(settings.to_environ())
    job = defs.resolve_job_def("ler_full_refresh")
    loggers = DEFAULT_LOGGER_CONFIG | {"console": {"config": {"log_level": log_level.upper()}}}
    run_config = {"loggers": loggers, "ops": {"warehouse_models": {"config": {"full_refresh": full_refresh}}}}
    # recorded in the warehouse's own instance (run_instance.py), which `dagster dev` and `ler status` read
    try:
        with open_for_run(settings.warehouse_dir) as instance:
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config=run_config,
                run_id=run_id,
                tags={STARTED_BY_TAG: "ler run"},
            )
    except Exception as exc:  # the instance could not record the run: disk full, read-only, ...
        failure = storage_failure(exc, instance_home(settings.warehouse_dir))
        if failure is None:
            raise
        _log_exception(settings, run_id, exc)
        what = explain(failure, settings.landing_dir, settings.warehouse_dir)
        return fail("run", outcome_line(what, settings, run_id))
    if not result.success:
        return fail("run", failure_line(result.all_events, settings, run_id))
    _print_outputs(settings, run_id)
    return EXIT_OK


def _log_exception(settings: Settings, run_id: str, exc: BaseException) -> None:
    """The error, traceback included, in the run's log file: the run never reached its own loggers
    (run_logs.py), or they could not record it. Never raises; a log that cannot be written is said
    so in the failure line."""
    import logging
    import traceback

    from dagster_project.run_logs import RunLogHandler

    handler = RunLogHandler(WarehousePaths(settings.warehouse_dir).run_log(run_id), run_id)
    text = "".join(traceback.format_exception(exc))
    handler.emit(logging.LogRecord("ler.run_log", logging.ERROR, __file__, 0, text, None, None))
    if handler.file is not None:
        handler.file.close()


def failure_line(events: list, settings: Settings, run_id: str) -> str:
    """The one line a failed run prints: what happened and what to do, which publication is in
    place, and where the detail is."""
    failed = [e for e in events if e.is_step_failure]
    explained = None
    for event in failed:
        failure = classify(error_info_messages(event.step_failure_data.error))
        if failure is not None:
            explained = explain(failure, settings.landing_dir, settings.warehouse_dir)
            break
    what = explained or f"failed steps: {', '.join(e.step_key for e in failed) or 'see the log'}"
    return outcome_line(what, settings, run_id)


def outcome_line(what: str, settings: Settings, run_id: str) -> str:
    """`FAILED (run <id>): <what>; <which publication is in place>; details in <the run's log>`."""
    from dagster_project.publication.store import PublicationStore, publication_name
    from dagster_project.run_logs import log_problem

    paths = WarehousePaths(settings.warehouse_dir)
    current = PublicationStore(paths).current()
    if current is None:
        published = "nothing is published yet"
    elif current.name == publication_name(run_id):
        published = "this run's publication is in place"
    else:
        published = f"the previous publication ({current.name}) is unchanged"
    problem = log_problem(run_id)
    log = f"{paths.run_log(run_id)}" + (f" (incomplete: {problem})" if problem else "")
    return f"FAILED (run {run_id}): {what}; {published}; details in {log}"


def _print_outputs(settings: Settings, run_id: str) -> None:
    import duckdb

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
    print(f"  publications (newest is current): {paths.publications}/")
    print(f"  restricted warehouse:         {paths.warehouse_db}")
    print(f"  quarantine reports:           {paths.quarantine}/")
    print(f"  run log:                      {paths.run_log(run_id)}")
