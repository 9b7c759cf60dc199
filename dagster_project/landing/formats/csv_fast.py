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

A batch's files are read together (`CsvFastReader.load`): one `read_csv` over all of them, so many
quarterly files of a mid-size state cost one query's overhead and keep both cores busy (a file under
122,880 lines is one DuckDB row group, read by one thread). DuckDB keeps the files' order and each
file's line order (insertion order is preserved), so a line's number is its row's position in its
file: its `rowid` less that of the file's first line, plus one. A file the batch read declines is
left out of it, and the others keep their rows; when the read as a whole fails (one file's invalid
byte stops it), each file is read alone, so only that file is declined.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import Contract
from dagster_project.landing.formats.csv_layout import check_header, normalize_header
from dagster_project.landing.records import LINE, PROBLEM_FIELD, PROBLEM_REASON, StructuralError
from dagster_project.landing.validate import FILE_IDX
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
    """`fi, ln, f`: the fields of each oddly quoted line of `_lines`, split by Python's csv module."""
    quoted = con.execute(
        f"select s.fi, l.rowid - s.r0 + 1 as ln, l.line from _lines l join {_STARTS} s using (filename) "
        f"where l.rowid > s.r0 and {_odd_quoting('l.line')} order by s.fi, ln"
    ).fetchall()
    fields = list(csv.reader([text for _, _, text in quoted], strict=True))
    return pa.table({"fi": [fi for fi, _, _ in quoted], "ln": [ln for _, ln, _ in quoted], "f": fields})


@dataclass(frozen=True)
class FastFile:
    """A file the DuckDB path will read: its file index, path and normalized header."""

    file_idx: int
    path: Path
    header: tuple[str, ...]


_STARTS = "_line_starts"


class CsvFastReader:
    """The contracts' `fast_reader` for CSV layouts: callable on one file (`readers.FastReader`),
    and in two steps for a batch of files (`readers.BatchFastReader`): `accept` each file (its
    header checked now, as the Python path would), then `load` them all in one read."""

    def accept(self, file_idx: int, path: Path, contract: Contract, warnings: list[str]) -> FastFile | None:
        """The file, when the DuckDB path may read it (None: the Python path must). Header problems
        raise StructuralError exactly as the Python path does; header warnings go to `warnings`."""
        if path.stat().st_size < MIN_FAST_BYTES:
            return None
        head = _head(path)
        if not _plain_utf8_head(head) or (header := _header(head)) is None:
            return None
        check_header(header, contract, warnings)
        return FastFile(file_idx, path, tuple(header))

    def load(
        self, con: duckdb.DuckDBPyConnection, target: str, files: Sequence[FastFile], contract: Contract
    ) -> dict[int, int]:
        """Append the raw records of `files` to `target` (created by the caller with the batch schema
        plus `_file_idx` first); return the number of records of each file it read, by file index.
        A file it declines is not in the result and has no row in `target`."""
        if not files:
            return {}
        try:
            return _load(con, target, files, contract)
        except duckdb.Error:
            con.execute("drop table if exists _lines")
            if len(files) == 1:
                return {}
        taken: dict[int, int] = {}
        for f in files:  # one file stopped the read of all: read each alone, decline only that one
            taken |= self.load(con, target, [f], contract)
        return taken

    def __call__(
        self,
        con: duckdb.DuckDBPyConnection,
        target: str,
        file_idx: int,
        path: Path,
        contract: Contract,
        ctx: ReadContext,
    ) -> int | None:
        """Append one file's raw records to `target`; their number, or None when the Python path
        must read it."""
        warnings: list[str] = []
        f = self.accept(file_idx, path, contract, warnings)
        if f is None or (rows := self.load(con, target, [f], contract).get(file_idx)) is None:
            return None
        ctx.warnings.extend(warnings)
        return rows


load_csv_fast = CsvFastReader()


def _load(
    con: duckdb.DuckDBPyConnection, target: str, files: Sequence[FastFile], contract: Contract
) -> dict[int, int]:
    """One read of all `files` (CsvFastReader.load); raises duckdb.Error when DuckDB cannot read one."""
    paths = "[" + ", ".join(path_lit(f.path) for f in files) + "]"
    con.execute(f"""
        create or replace temp table _lines as
        select filename, line
        from read_csv({paths}, columns = {{'line': 'VARCHAR'}}, delim = chr(31), quote = '', escape = '',
                      header = false, auto_detect = false, max_line_size = {_MAX_LINE_BYTES}, filename = true)
    """)
    con.execute(f"create or replace temp table {_STARTS} (filename varchar, fi integer, r0 bigint)")
    con.executemany(f"insert into {_STARTS} values (?, ?, NULL)", [(str(f.path), f.file_idx) for f in files])
    found = con.execute(f"""
        update {_STARTS} s set r0 = l.r0
        from (select filename, min(rowid) as r0, max(rowid) - min(rowid) + 1 - count(*) as gaps
              from _lines group by filename) l
        where l.filename = s.filename and l.gaps = 0
    """).fetchone()[0]
    if found != len(files):  # a file's name came back otherwise, or its lines not in one run
        raise duckdb.InvalidInputException("the batch read did not keep each file's lines together")
    # an unpaired quote makes a line oddly quoted (a simply quoted one holds two per quoted field),
    # so the quotes are counted on the odd lines alone
    stats = con.execute(
        "select fi, "
        "count(*) filter (where odd and (length(line) - length(replace(line, '\"', ''))) % 2 = 1), "
        "count(*) filter (where contains(line, chr(0))), count(*) filter (where odd), count(line) "
        f"from (select s.fi, l.line, {_odd_quoting('l.line')} as odd "
        f"from _lines l join {_STARTS} s using (filename) where l.rowid > s.r0) group by fi"
    ).fetchall()
    by_idx = {fi: (unpaired, nul, odd, rows) for fi, unpaired, nul, odd, rows in stats}
    taken = [f for f in files if not any(by_idx.get(f.file_idx, (0, 0, 0, 0))[:2])]
    oddly_quoted = any(by_idx.get(f.file_idx, (0, 0, 0, 0))[2] for f in taken)
    fields = (
        "case when contains(l.line, '\"') then list_transform(string_split(l.line, ','), "
        f"{_UNQUOTE}) else string_split(l.line, ',') end"
    )
    source = f"_lines as l join {_STARTS} as s using (filename)"
    if oddly_quoted:  # most files quote nothing oddly: then no join
        con.register(_QUOTED, _quoted_fields(con))
        fields = f"coalesce(q.f, {fields})"
        source += f" left join {_QUOTED} as q on q.fi = s.fi and q.ln = l.rowid - s.r0 + 1"
    by_header: dict[tuple[str, ...], list[int]] = {}
    for f in taken:
        by_header.setdefault(f.header, []).append(f.file_idx)
    try:
        for header, idxs in by_header.items():
            _insert(con, target, header, idxs, contract, fields, source)
    except duckdb.Error:  # no file keeps a row of this read: each is read again alone
        taken_idxs = ", ".join(str(f.file_idx) for f in taken)
        con.execute(f"delete from {target} where {ident(FILE_IDX)} in ({taken_idxs})")
        raise
    if oddly_quoted:
        con.unregister(_QUOTED)
    con.execute("drop table _lines")
    return {f.file_idx: by_idx.get(f.file_idx, (0, 0, 0, 0))[3] for f in taken}


def _insert(
    con: duckdb.DuckDBPyConnection,
    target: str,
    header: tuple[str, ...],
    idxs: list[int],
    contract: Contract,
    fields: str,
    source: str,
) -> None:
    """Append the records of the files `idxs`, which share `header`, split into the layout's columns."""
    positions = {name: i for i, name in enumerate(header)}
    width = len(header)
    items = []
    for name in contract.column_names:
        pos = positions.get(name)
        value = f"f[{pos + 1}]" if pos is not None else "NULL"
        items.append(f"case when len(f) = {width} then {value} end as {ident(name)}")
    reason = f"'expected {width} fields, found ' || len(f)::varchar"
    con.execute(f"""
        insert into {target}
        with split as (
            select s.fi, l.rowid - s.r0 + 1 as ln, {fields} as f from {source}
            where s.fi in ({", ".join(map(str, idxs))}) and l.rowid > s.r0 and l.line is not null
        )
        select fi::integer, ln::bigint as {ident(LINE)}, NULL::varchar as {ident(PROBLEM_FIELD)},
               case when len(f) <> {width} then {reason} end as {ident(PROBLEM_REASON)},
               {", ".join(items)}
        from split
    """)
