"""The fast path for large CSV files: DuckDB splits lines, Python only the rare quoted ones.

A state's quarterly wage file holds millions of plain lines (no quotes, no line breaks inside
fields). DuckDB reads such a file line by line in parallel, keeping each line's physical number, and
splits the unquoted lines on commas in SQL; the few lines that contain a quote are split by Python's
csv module, so quoting rules are exactly those of the slow path (`csv_layout.read_csv_layout`).

The fast path declines (returns None) and leaves the file to the slow path when it cannot promise
the same result: the file is not plain UTF-8, a line has an odd number of quote characters (a quoted
field spans lines, or the quoting is broken), lines end in a lone CR, or DuckDB cannot read a line
(e.g. one longer than its line limit, which the slow path reports as an over-long field, or one
holding the 0x1F byte DuckDB is told to split on).
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pyarrow as pa

from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import Contract
from dagster_project.landing.encoding import detect_text_encoding
from dagster_project.landing.formats.csv_layout import check_header, read_header
from dagster_project.landing.records import LINE, PROBLEM_FIELD, PROBLEM_REASON
from dagster_project.sqlutil import ident, path_lit

# Files smaller than this go through the slow path: its per-file cost is lower.
MIN_FAST_BYTES = 8 * 1024 * 1024
_MAX_LINE_BYTES = 8 * 1024 * 1024
_SNIFF = 1 << 16


def _lone_cr(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(_SNIFF)
    return b"\r" in head and b"\n" not in head


def load_csv_fast(
    con: duckdb.DuckDBPyConnection,
    target: str,
    file_idx: int,
    path: Path,
    contract: Contract,
    ctx: ReadContext,
) -> int | None:
    """Append the file's raw records to `target` (created by the caller with the batch schema plus
    `_file_idx` first); return the number of records, or None when the slow path must read it.

    Header problems raise StructuralError exactly as the slow path does.
    """
    if (
        path.stat().st_size < MIN_FAST_BYTES
        or detect_text_encoding(path).codec != "utf-8-sig"
        or _lone_cr(path)
    ):
        return None
    header = read_header(path)
    warnings: list[str] = []
    check_header(header, contract, warnings)
    positions = {name: i for i, name in enumerate(header)}
    width = len(header)
    try:
        con.execute(f"""
            create or replace temp table _lines as
            select row_number() over () as ln, line
            from read_csv({path_lit(path)}, columns = {{'line': 'VARCHAR'}}, delim = chr(31), quote = '',
                          escape = '', header = false, auto_detect = false,
                          max_line_size = {_MAX_LINE_BYTES})
        """)
    except duckdb.Error:
        return None
    odd = con.execute(
        "select count(*) from _lines "
        "where ln > 1 and (length(line) - length(replace(line, '\"', ''))) % 2 = 1"
    ).fetchall()[0][0]
    if odd:
        con.execute("drop table _lines")
        return None
    quoted = con.execute(
        "select ln, line from _lines where ln > 1 and contains(line, '\"') order by ln"
    ).fetchall()
    con.execute("create or replace temp table _quoted_fields (ln bigint, f varchar[])")
    if quoted:
        fields = list(csv.reader([text for _, text in quoted], strict=True))
        table = pa.table({"ln": [ln for ln, _ in quoted], "f": fields})
        con.register("_quoted_arrow", table)
        con.execute("insert into _quoted_fields select ln, f from _quoted_arrow")
        con.unregister("_quoted_arrow")
    items = []
    for name in contract.column_names:
        pos = positions.get(name)
        value = f"f[{pos + 1}]" if pos is not None else "NULL"
        items.append(f"case when len(f) = {width} then {value} end as {ident(name)}")
    reason = f"'expected {width} fields, found ' || len(f)::varchar"
    con.execute(f"""
        insert into {target}
        with split as (
            select l.ln, coalesce(q.f, string_split(l.line, ',')) as f
            from _lines as l left join _quoted_fields as q using (ln)
            where l.ln > 1 and l.line is not null
        )
        select {file_idx}::integer, ln::bigint as {ident(LINE)}, NULL::varchar as {ident(PROBLEM_FIELD)},
               case when len(f) <> {width} then {reason} end as {ident(PROBLEM_REASON)},
               {", ".join(items)}
        from split order by ln
    """)
    rows = con.execute("select count(*) from _lines where ln > 1 and line is not null").fetchall()[0][0]
    con.execute("drop table _lines")
    con.execute("drop table _quoted_fields")
    ctx.warnings.extend(warnings)
    return rows
