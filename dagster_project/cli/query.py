"""`ler query "SQL"`: one read-only query on the current publication (docs/analyst_guide.md).

    ler query "select * from reporting.statewide_outcomes" [--format table|csv|json] [--warehouse DIR]

Two locks, so a query can only read the published tables:
- the statement is checked with DuckDB's own parser first (`duckdb.extract_statements`, then
  `json_serialize_sql` for the tables and table functions it names): one statement, a read
  statement (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE), no restricted schema (`marts`,
  `staging`, ... live only in the restricted warehouse), no other database, no file-reading table
  function (`read_csv`, `read_parquet`, `glob`, ...) and no file path as a table;
- then it runs on a read-only connection with external access off, extension loading off and the
  configuration locked (cli/published.py), so even a statement the check let through cannot write,
  attach `warehouse.duckdb` or read the lake.
Bad input (a write statement, a restricted schema, a file, SQL DuckDB cannot run, no publication yet)
gets one plain line and exit 2 (1 when nothing is published); never a traceback.

Output: `table` for a terminal; `csv` spreadsheet-safe exactly as the CSV exports
(publication/spreadsheet.py: text cells quoted, formula triggers neutralized, numbers as numbers);
`json` for scripts: an array of row objects, numbers as numbers, codes and text as strings, dates and
times as ISO 8601 strings, nulls as null.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.cli import published
from dagster_project.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail
from dagster_project.landing.registry import Registry

COMMAND = "query"
FORMATS = ("table", "csv", "json")
READ_STATEMENTS = "SELECT, WITH, FROM, DESCRIBE, SHOW or SUMMARIZE"
# schemas of the restricted warehouse (docs/reporting_rules.md §9): never in the publication
RESTRICTED_SCHEMAS = frozenset(
    {"staging", "intermediate", "marts", "audit", "reference", "lake", "main_marts"}
)
# catalogs a query may name: the publication itself (its file stem) and DuckDB's own
OWN_CATALOGS = frozenset({"", "published", "system", "temp"})
# table functions that read files, or run SQL text the check cannot see
FILE_FUNCTIONS = re.compile(
    r"^(read_\w*|\w*_scan|glob|sniff_csv|parquet_\w+|iceberg_\w+|delta_\w+|query|query_table|load_\w+)$",
    re.IGNORECASE,
)
_PATH_LIKE = re.compile(
    r"[/\\]|\.(duckdb|db|parquet|csv|tsv|json|ndjson|jsonl|txt|xlsx|gz|zst)$", re.IGNORECASE
)
MAX_TABLE_WIDTH = 60  # characters of a cell in the terminal table


def register(sub: argparse._SubParsersAction, registry: Registry) -> None:
    query = sub.add_parser(COMMAND, help="run one read-only SQL query on the current publication")
    query.add_argument("sql", help='one read statement, e.g. "select * from reporting.statewide_outcomes"')
    query.add_argument("--format", default="table", metavar="|".join(FORMATS), help="output (default table)")
    published.add_warehouse_flag(query)
    query.set_defaults(handler=execute)


def _walk(node: Any):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def refusal(sql: str) -> str | None:
    """Why `sql` may not run as `ler query`, in one plain sentence, or None when it may."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        return f"not valid SQL: {_first_line(exc)}"
    if len(statements) != 1:
        return f"give exactly one statement (found {len(statements)})"
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        name = str(kind).rsplit(".", 1)[-1]
        return (
            f"only read statements run here ({READ_STATEMENTS}), not {name}. "
            "The publication is read-only"
        )
    con = duckdb.connect()
    try:
        tree = json.loads(con.execute("select json_serialize_sql(?)", [statements[0].query]).fetchone()[0])
    finally:
        con.close()
    for node in _walk(tree.get("statements", [])):
        if node.get("type") == "BASE_TABLE":
            schema, catalog = str(node.get("schema_name") or ""), str(node.get("catalog_name") or "")
            table = str(node.get("table_name") or "")
            for name in (schema, catalog):
                if name.lower() in RESTRICTED_SCHEMAS:
                    return (
                        f"{name} is a restricted schema of the warehouse; ler query reads only the "
                        'published tables (reporting.*): see `ler query "show all tables"`'
                    )
            if catalog.lower() not in OWN_CATALOGS:
                return f"{catalog} is not the publication; ler query reads the published tables (reporting.*)"
            if _PATH_LIKE.search(table):
                return "ler query reads the published tables only, not files"
        elif node.get("type") == "TABLE_FUNCTION":
            function = str((node.get("function") or {}).get("function_name") or "")
            if FILE_FUNCTIONS.match(function):
                return f"{function}() reads files; ler query reads the published tables only (reporting.*)"
    return None


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def run_query(publication: Path, sql: str) -> Any:
    """The result of a checked query as an Arrow table (duckdb.Error when DuckDB refuses it)."""
    con = published.connect(publication)
    try:
        return con.sql(sql).to_arrow_table()
    finally:
        con.close()


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def as_json(result: Any) -> str:
    rows = [{k: _json_value(v) for k, v in row.items()} for row in result.to_pylist()]
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"


def _shown(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:.10g}"
    text = value.isoformat() if isinstance(value, dt.datetime | dt.date) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= MAX_TABLE_WIDTH else text[: MAX_TABLE_WIDTH - 1] + "…"


def as_table(result: Any) -> str:
    """Aligned columns for a terminal: numbers right, text left, NULL for a null cell."""
    names = result.column_names
    numeric = [str(t).startswith(("int", "uint", "double", "float", "decimal")) for t in result.schema.types]
    cells = [[_shown(v) for v in row.values()] for row in result.to_pylist()]
    widths = [max([len(n), *(len(r[i]) for r in cells)]) for i, n in enumerate(names)]

    def line(values: list[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)]
        return " | ".join(parts).rstrip()

    out = [line(list(names)), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


def as_csv(result: Any) -> str:
    """The result as the CSV exports are written (publication/files.py copy_csv)."""
    from dagster_project.publication.files import copy_csv

    with tempfile.TemporaryDirectory(prefix="ler-query-") as scratch:
        con = duckdb.connect()
        try:
            con.register("result", result)
            columns = [(r[0], r[1]) for r in con.execute("describe result").fetchall()]
            path = Path(scratch) / "result.csv"
            copy_csv(con, "result", columns, path)
        finally:
            con.close()
        return path.read_text(encoding="utf-8")


RENDER = {"table": as_table, "csv": as_csv, "json": as_json}


def execute(args: argparse.Namespace, registry: Registry) -> int:
    if args.format not in FORMATS:
        return fail(COMMAND, f"unknown format {args.format!r}: choose {', '.join(FORMATS)}", EXIT_USAGE)
    why = refusal(args.sql)
    if why:
        return fail(COMMAND, why, EXIT_USAGE)
    try:
        publication = published.current_publication(published.warehouse_dir(args))
    except published.NotPublished as exc:
        return fail(COMMAND, str(exc), EXIT_FAILED)
    try:
        result = run_query(publication, args.sql)
    except duckdb.PermissionException:
        return fail(
            COMMAND, "the query tries to reach a file; ler query reads the published tables only", EXIT_USAGE
        )
    except duckdb.Error as exc:
        return fail(COMMAND, _first_line(exc), EXIT_USAGE)
    sys.stdout.write(RENDER[args.format](result))
    return EXIT_OK
