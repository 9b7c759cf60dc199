"""`ler export TABLE --format csv|parquet|xlsx [--out PATH]`: one published table as a file
(docs/analyst_guide.md).

- `csv` and `parquet` are the publication's own export files (`exports/<table>.csv|.parquet`),
  copied as they are: the CSV is spreadsheet-safe (publication/spreadsheet.py) and keeps codes as
  the text they are (`01.0000` is written `"01.0000"`); the Parquet keeps every type.
- `xlsx` is built from the published database: one sheet with the table, typed cells (numbers as
  numbers, dates and times as dates, in UTC, booleans as booleans), every text column stored and
  formatted as text (a CIP `01.0000` stays `01.0000`), text cells neutralized against formulas by
  the same rule as the CSV, a frozen header row; and a `codebook` sheet with the table's codebook
  rows (exports/codebook.csv: column, type, description, suppression).

`--out` is a file, or a folder to write `<table>.<format>` into (default: the current folder). The
file is written under a temporary name and renamed. Bad input (a table that is not published, an
unknown format) gets one plain line and exit 2; no publication yet, exit 1; never a traceback.
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

import duckdb

from dagster_project.cli import published
from dagster_project.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail
from dagster_project.landing.registry import Registry
from dagster_project.project_paths import EXPORTS_NAME, PUBLISHED_DB_NAME
from dagster_project.publication.codebook import CODEBOOK_COLUMNS, CODEBOOK_NAME
from dagster_project.publication.spreadsheet import is_text, spreadsheet_safe_select
from dagster_project.sqlutil import ident, lit, path_lit

COMMAND = "export"
FORMATS = ("csv", "parquet", "xlsx")
CODEBOOK_SHEET = "codebook"
_DATETIME_FORMAT, _DATE_FORMAT, _TEXT_FORMAT = "yyyy-mm-dd hh:mm:ss", "yyyy-mm-dd", "@"


def register(sub: argparse._SubParsersAction, registry: Registry) -> None:
    export = sub.add_parser(COMMAND, help="write one published table as CSV, Parquet or Excel (xlsx)")
    export.add_argument("table", help='a published table, e.g. program_outcomes (`ler query "show tables"`)')
    export.add_argument("--format", required=True, metavar="|".join(FORMATS), help="csv, parquet or xlsx")
    export.add_argument(
        "--out", type=Path, metavar="PATH", help="file or folder (default: ./<table>.<format>)"
    )
    published.add_warehouse_flag(export)
    export.set_defaults(handler=execute)


class _BadInput(Exception):
    pass


def target_path(out: Path | None, table: str, fmt: str) -> Path:
    name = f"{table}.{fmt}"
    if out is None:
        return Path.cwd() / name
    return out / name if out.is_dir() else out


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"describe {relation}").fetchall()]


def _typed_relation(table: str, columns: list[tuple[str, str]]) -> str:
    """The table with times in UTC without a zone (what a spreadsheet cell can hold)."""
    zoned = [n for n, kind in columns if kind.upper() == "TIMESTAMP WITH TIME ZONE"]
    utc = ", ".join(f"timezone({lit('UTC')}, {ident(n)}) as {ident(n)}" for n in zoned)
    replace = f" replace ({utc})" if zoned else ""
    return f"(select *{replace} from pub.{published.SCHEMA}.{ident(table)})"


def write_xlsx(publication: Path, table: str, path: Path) -> None:
    """The xlsx export of one published table (module docstring)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    con = duckdb.connect()
    try:
        con.execute(f"attach {path_lit(publication / PUBLISHED_DB_NAME)} as pub (read_only)")
        columns = _columns(con, f"pub.{published.SCHEMA}.{table}")
        relation = _typed_relation(table, columns)
        rows = con.execute(spreadsheet_safe_select(f"{relation} t", _columns(con, relation))).fetchall()
        codebook_file = publication / EXPORTS_NAME / CODEBOOK_NAME
        codebook: list[tuple] = []
        if codebook_file.is_file():
            source = (
                f"(select * from read_csv({path_lit(codebook_file)}, all_varchar = true, header = true) "
                f'where "table" = {lit(table)}) c'
            )
            codebook = con.execute(
                spreadsheet_safe_select(source, [(c, "VARCHAR") for c in CODEBOOK_COLUMNS])
            ).fetchall()
    finally:
        con.close()
    book = Workbook()
    sheet = book.active
    sheet.title = table[:31]
    bold = Font(bold=True)
    sheet.append([name for name, _kind in columns])
    for cell in sheet[1]:
        cell.font = bold
    for row in rows:
        sheet.append(list(row))
    for index, (_name, kind) in enumerate(columns, start=1):
        number_format = (
            _TEXT_FORMAT
            if is_text(kind)
            else _DATETIME_FORMAT
            if kind.upper().startswith("TIMESTAMP")
            else _DATE_FORMAT
            if kind.upper() == "DATE"
            else None
        )
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    notes = book.create_sheet(CODEBOOK_SHEET)
    notes.append(list(CODEBOOK_COLUMNS))
    for cell in notes[1]:
        cell.font = bold
    for row in codebook:
        notes.append(list(row))
    notes.freeze_panes = "A2"
    book.save(path)


def _write(publication: Path, table: str, fmt: str, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        if fmt == "xlsx":
            write_xlsx(publication, table, tmp)
        else:
            source = publication / EXPORTS_NAME / f"{table}.{fmt}"
            if not source.is_file():
                raise _BadInput(f"this publication has no {fmt} export of {table}")
            shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def execute(args: argparse.Namespace, registry: Registry) -> int:
    fmt = str(args.format).lower()
    if fmt not in FORMATS:
        return fail(COMMAND, f"unknown format {args.format!r}: choose {', '.join(FORMATS)}", EXIT_USAGE)
    try:
        publication = published.current_publication(published.warehouse_dir(args))
    except published.NotPublished as exc:
        return fail(COMMAND, str(exc), EXIT_FAILED)
    con = published.connect(publication)
    try:
        tables = published.published_tables(con)
    finally:
        con.close()
    if args.table not in tables:
        return fail(
            COMMAND, f"{args.table!r} is not a published table; choose one of {', '.join(tables)}", EXIT_USAGE
        )
    target = target_path(args.out, args.table, fmt)
    if not target.parent.is_dir():
        return fail(
            COMMAND, f"folder {target.parent} does not exist: create it or choose another --out", EXIT_USAGE
        )
    try:
        _write(publication, args.table, fmt, target)
    except _BadInput as exc:
        return fail(COMMAND, str(exc), EXIT_FAILED)
    except OSError as exc:
        return fail(COMMAND, f"cannot write {target}: {exc.strerror or exc}", EXIT_FAILED)
    print(f"ler export: wrote {target}")
    return EXIT_OK
