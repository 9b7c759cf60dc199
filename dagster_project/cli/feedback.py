"""`ler feedback PROVIDER`: write one provider's feedback from the restricted warehouse (docs/feedback.md).

    ler feedback PROVIDER [--warehouse DIR]

Every run writes every provider's feedback already (the `feedback` asset); this command writes one
again, e.g. after the history was cleaned up, and says where it is. It reads the last run's
warehouse read-only, writes `<warehouse>/feedback/<provider>/` (restricted, owner only) while holding
the warehouse lock, so it never runs into a `ler run`, and needs no hash key (it keys nothing). Its
files are owner-only like every file a `ler` command writes (`cli.entry` sets the umask).
Exit 0 when written; 1 when the warehouse is busy (a run is writing it); 2 for bad input: an unknown
provider, no warehouse or no finished run yet. Each failure is one plain line.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dagster_project.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail
from dagster_project.landing.registry import Registry

NAME = "feedback"


def register(sub: argparse._SubParsersAction, registry: Registry) -> None:
    cmd = sub.add_parser(
        NAME,
        help="write one provider's feedback (HTML and CSV) from the restricted warehouse",
        description="Write the feedback of one provider about its submissions: files received with "
        "status and why, rejected rows by field and reason with line numbers, unmapped codes, the share "
        "of learners without a valid SSN, and the change since its previous submission. Safe to send to "
        "that provider: only its own files and records, no personal data.",
    )
    cmd.add_argument("provider", metavar="PROVIDER", help="the provider_id of providers.csv")
    cmd.add_argument("--warehouse", dest="warehouse_dir", type=Path,
                     help="warehouse folder (env LER_WAREHOUSE_DIR, default ./warehouse)")
    cmd.set_defaults(handler=execute)


def execute(args: argparse.Namespace, registry: Registry) -> int:
    import duckdb

    from dagster_project.credentials.warehouse import WarehouseUnavailable, open_read_only
    from dagster_project.feedback.data import FeedbackError
    from dagster_project.feedback.write import PAGE, write_one
    from dagster_project.project_paths import WarehousePaths
    from dagster_project.run_lock import WarehouseBusy, holding
    from dagster_project.settings import SettingsError, setting_value

    try:
        warehouse = Path(args.warehouse_dir or setting_value("warehouse_dir")).resolve()
    except SettingsError as exc:
        return fail(NAME, str(exc), EXIT_USAGE)
    if not WarehousePaths(warehouse).warehouse_db.is_file():
        return fail(NAME, f"no warehouse at {warehouse}: run `ler run` first", EXIT_USAGE)
    try:
        with holding(warehouse):  # first: a run writing the warehouse is "busy", not "unreadable"
            con = open_read_only(warehouse)
            try:
                written = write_one(con, warehouse, args.provider.strip(), registry)
            finally:
                con.close()
    except WarehouseBusy as exc:
        return fail(NAME, str(exc), EXIT_FAILED)
    except (WarehouseUnavailable, FeedbackError) as exc:
        return fail(NAME, str(exc), EXIT_USAGE)
    except duckdb.CatalogException:
        return fail(NAME, f"the warehouse {warehouse} was built by another version (a table is missing): "
                          "run `ler run` first", EXIT_USAGE)
    except OSError as exc:
        return fail(NAME, f"cannot write the feedback under {warehouse}: {exc.strerror}", EXIT_FAILED)
    m, previous = written.feedback.metrics, written.previous
    since = f"compared with the submission as of {previous['run_finished_at']}" if previous else \
        "first submission on record"
    print(f"ler feedback: {written.provider_id}: {written.folder / PAGE} and its CSV files "
          f"({m['files_received']} file(s), {m['files_quarantined']} quarantined, "
          f"{m['rows_rejected']} row(s) rejected; {since})")
    return EXIT_OK
