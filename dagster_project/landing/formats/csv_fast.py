"""The DuckDB path for CSV files: DuckDB reads and splits the lines, Python only the rare odd ones.

A state's quarterly wage file holds millions of plain lines (no line breaks inside fields). DuckDB
reads such a file line by line in parallel, checking as it goes that the text is UTF-8, keeps each
line's physical number, and splits the lines in SQL: on commas, and for a line whose quoted fields
hold no comma, quote or line break (`"",""`: exporters quote empty or every field), on commas
with each field's enclosing quotes taken off, which is what Python's csv module makes of such a
line. The few other lines that contain a quote are split by Python's csv module, so quoting rules
are exactly those of the Python path (`csv_layout.read_csv_layout`). The file's text is decoded
once, by DuckDB: only the header line is decoded in Python.

The DuckDB path declines (returns None) and leaves the file to the Python path when it cannot promise
the same result: the file is not plain UTF-8 (DuckDB meets an invalid byte, or it starts with a UTF-16
byte-order mark), it holds a NUL byte (the Python path reports a binary file), a line has an odd
number of quote characters (a quoted field spans lines, or the quoting is broken), lines end in a
lone CR, or DuckDB cannot read a line (e.g. one longer than its line limit, which the Python path
reports as an over-long field, or one holding the 0x1F byte DuckDB is told to split on). Files under
`MIN_FAST_BYTES` take the Python path too: a few hundred rows cost less there than DuckDB's
per-file queries.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

import duckdb
import pyarrow as pa

from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import Contract
from dagster_project.landing.formats.csv_layout import check_header, normalize_header
from dagster_project.landing.records import LINE, PROBLEM_FIELD, PROBLEM_REASON, StructuralError
from dagster_project.sqlutil import ident, lit, path_lit

# Files smaller than this go through the Python path: its per-file cost is lower for a few hundred rows.
MIN_FAST_BYTES = 64 * 1024
_MAX_LINE_BYTES = 8 * 1024 * 1024
_SNIFF = 1 << 16
_QUOTED = "_quoted_fields"
# A line whose every field is either unquoted without a quote, or wholly quoted without a comma, quote
# or line break inside: split on commas, then each quoted field's quotes taken off (RE2 syntax).
_FIELD = r'(?:"[^",\r\n]*"|[^",\r\n]*)'
_SIMPLY_QUOTED = f"^{_FIELD}(?:,{_FIELD})*$"
_UNQUOTE = "lambda x: case when starts_with(x, '\"') then substr(x, 2, length(x) - 2) else x end"


def _odd_quoting(line: str) -> str:
    """SQL: the line holds a quote and is not simply quoted (Python's csv module splits it)."""
    return f"(contains({line}, '\"') and not regexp_matches({line}, {lit(_SIMPLY_QUOTED)}))"


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(_SNIFF)


def _plain_utf8_head(head: bytes) -> bool:
    """No UTF-16 byte-order mark, no NUL byte, no lone-CR line ends in the file's first bytes."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        return False
    return not (b"\r" in head and b"\n" not in head)


def _header(head: bytes) -> list[str] | None:
    """The normalized header, decoded from the first line's bytes alone (None: not UTF-8, or a
    header longer than the bytes read)."""
    if b"\n" not in head and len(head) == _SNIFF:
        return None
    first = head.split(b"\n", 1)[0]
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    try:
        row = next(csv.reader([text.rstrip("\r")], strict=True), None)
    except csv.Error as exc:
        raise StructuralError(f"line 1: header row is not valid CSV ({exc})") from None
    return [normalize_header(h) for h in row] if row else []


def _quoted_fields(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """`ln, f`: the fields of each oddly quoted line of `_lines`, split by Python's csv module."""
    quoted = con.execute(
        f"select ln, line from _lines where ln > 1 and {_odd_quoting('line')} order by ln"
    ).fetchall()
    fields = list(csv.reader([text for _, text in quoted], strict=True))
    return pa.table({"ln": [ln for ln, _ in quoted], "f": fields})


def load_csv_fast(
    con: duckdb.DuckDBPyConnection,
    target: str,
    file_idx: int,
    path: Path,
    contract: Contract,
    ctx: ReadContext,
) -> int | None:
    """Append the file's raw records to `target` (created by the caller with the batch schema plus
    `_file_idx` first); return the number of records, or None when the Python path must read it.

    Header problems raise StructuralError exactly as the Python path does.
    """
    if path.stat().st_size < MIN_FAST_BYTES:
        return None
    head = _head(path)
    if not _plain_utf8_head(head) or (header := _header(head)) is None:
        return None
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
    unpaired, nul, oddly_quoted, rows = con.execute(
        "select count(*) filter (where contains(line, '\"') "  # a line without a quote has none to pair
        "and (length(line) - length(replace(line, '\"', ''))) % 2 = 1), "
        f"count(*) filter (where contains(line, chr(0))), count(*) filter (where {_odd_quoting('line')}), "
        "count(*) filter (where line is not null) from _lines where ln > 1"
    ).fetchall()[0]
    if unpaired or nul:
        con.execute("drop table _lines")
        return None
    items = []
    for name in contract.column_names:
        pos = positions.get(name)
        value = f"f[{pos + 1}]" if pos is not None else "NULL"
        items.append(f"case when len(f) = {width} then {value} end as {ident(name)}")
    reason = f"'expected {width} fields, found ' || len(f)::varchar"
    fields = (
        "case when contains(l.line, '\"') then list_transform(string_split(l.line, ','), "
        f"{_UNQUOTE}) else string_split(l.line, ',') end"
    )
    source = "_lines as l"
    if oddly_quoted:  # most files quote nothing oddly: then no join
        con.register(_QUOTED, _quoted_fields(con))
        fields, source = f"coalesce(q.f, {fields})", f"{source} left join {_QUOTED} as q using (ln)"
    con.execute(f"""
        insert into {target}
        with split as (
            select l.ln, {fields} as f from {source}
            where l.ln > 1 and l.line is not null
        )
        select {file_idx}::integer, ln::bigint as {ident(LINE)}, NULL::varchar as {ident(PROBLEM_FIELD)},
               case when len(f) <> {width} then {reason} end as {ident(PROBLEM_REASON)},
               {", ".join(items)}
        from split
    """)
    if oddly_quoted:
        con.unregister(_QUOTED)
    con.execute("drop table _lines")
    ctx.warnings.extend(warnings)
    return rows
