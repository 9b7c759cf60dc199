"""`ler`: the command line of the warehouse (LER_SPEC.md §9).

    ler run [--landing DIR] [--warehouse DIR] [--sample] [--<setting> VALUE ...]
    ler validate FILE [--kind KIND] [--reference DIR]

`ler run` materializes every asset through Dagster (the same job `dagster dev` shows and the nightly
schedule runs) and exits non-zero when the run fails. `ler validate` checks one submission file the
way the pipeline would, without loading it, and exits 1 when the file would be quarantined.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

from dagster_project.landing.registry import Registry, load_registry
from dagster_project.settings import SETTINGS, Settings, SettingsError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


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


def build_parser(registry: Registry) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ler", description="State LER data warehouse")
    sub = parser.add_subparsers(dest="command", required=True)

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

    validate = sub.add_parser("validate", help="check one submission file without loading it")
    validate.add_argument("file", type=Path)
    validate.add_argument(
        "--kind",
        choices=registry.kinds,
        help="source kind (default: the name of the file's folder)",
    )
    validate.add_argument(
        "--reference",
        type=Path,
        help="folder with providers.csv / programs.csv to check codes against "
        "(default: LER_LANDING_DIR/reference when set)",
    )
    return parser


def cmd_run(args: argparse.Namespace) -> int:
    overrides = {s.name: getattr(args, s.name, None) for s in SETTINGS}
    try:
        settings = Settings.load(overrides, sample=args.sample or None)
    except SettingsError as exc:
        print(f"ler run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not settings.landing_dir.is_dir():
        print(f"ler run: landing zone {settings.landing_dir} does not exist", file=sys.stderr)
        return EXIT_USAGE
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
        print(
            f"ler run: FAILED (run {result.run_id}); failed steps: {', '.join(failed) or 'see log'}",
            file=sys.stderr,
        )
        return EXIT_FAILED
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


def cmd_validate(args: argparse.Namespace, registry: Registry) -> int:
    from dagster_project.landing.contracts import REFERENCE_KIND
    from dagster_project.landing.ingest import QUARANTINED, ingest_kind

    path: Path = args.file.resolve()
    if not path.is_file():
        print(f"ler validate: {path} is not a file", file=sys.stderr)
        return EXIT_USAGE
    kind = args.kind or path.parent.name
    if kind not in registry.kinds:
        print("ler validate: cannot tell the kind from the folder name; pass --kind", file=sys.stderr)
        return EXIT_USAGE
    reference = args.reference
    if reference is None and os.environ.get("LER_LANDING_DIR"):
        reference = Path(os.environ["LER_LANDING_DIR"]) / REFERENCE_KIND
    layout = registry.classify(kind, path)

    with tempfile.TemporaryDirectory(prefix="ler-validate-") as tmp:
        landing, warehouse = Path(tmp) / "landing", Path(tmp) / "warehouse"
        (landing / kind).mkdir(parents=True)
        (landing / kind / path.name).symlink_to(path)
        has_reference = kind == REFERENCE_KIND or (reference is not None and reference.is_dir())
        if kind != REFERENCE_KIND and has_reference:
            shutil.copytree(reference, landing / REFERENCE_KIND, symlinks=True)
        env = {k: v for k, v in os.environ.items() if k.startswith("LER_") and k != "LER_HASH_KEY"}
        settings = Settings.load(
            {"landing_dir": landing, "warehouse_dir": warehouse, "hash_key": secrets.token_hex(32)},
            environ=env,
            sample=False,
        )
        quiet = lambda _msg: None  # noqa: E731 - the report below says it all
        if kind != REFERENCE_KIND:
            ingest_kind(REFERENCE_KIND, settings, warn=quiet, registry=registry)
        report = ingest_kind(kind, settings, warn=quiet, check_references=has_reference, registry=registry)
        result = next(r for r in report.files if r.file.name == path.name)
        rejects = _rejected_rows(warehouse, kind)

    print(f"{path.name}: {result.status} ({layout.layout if layout else 'unsupported type'})")
    c = result.counts
    print(
        f"  rows read {c.rows_read}, would load {c.rows_loaded}, rejected {c.rows_rejected}, "
        f"exact duplicates {c.rows_duplicate}"
    )
    if result.message:
        print(f"  {result.message}")
    if not has_reference:
        print(
            "  note: no reference folder given, so provider and program codes were not checked "
            "(pass --reference DIR or set LER_LANDING_DIR)"
        )
    for line, reason in rejects:
        print(f"  line {line}: {reason}")
    return EXIT_FAILED if result.status == QUARANTINED else EXIT_OK


def _rejected_rows(warehouse: Path, kind: str) -> list[tuple[int, str]]:
    import duckdb

    parquet = warehouse / "lake" / "_audit" / f"rejected_rows__{kind}.parquet"
    if not parquet.exists():
        return []
    con = duckdb.connect()
    try:
        return con.execute(
            "select line_number, reason from read_parquet(?) order by line_number", [str(parquet)]
        ).fetchall()
    finally:
        con.close()


def main(argv: list[str] | None = None, *, registry: Registry | None = None) -> int:
    """Run one command; `registry` is the set of layouts (default: the project's contracts)."""
    registry = registry or load_registry()
    args = build_parser(registry).parse_args(argv)
    if args.command == "run":
        return cmd_run(args)
    return cmd_validate(args, registry)


if __name__ == "__main__":
    sys.exit(main())
