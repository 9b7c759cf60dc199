"""The batch of pending files: consecutive files of one layout read into one `_raw` table, so the
judging pass (`validate.py`) pays its per-query cost once for many small files.

Files the contract's batch fast reader accepts (`readers.BatchFastReader`: DuckDB reading CSV,
`csv_fast.py`) are only queued as they arrive, their headers checked, and read all together when the
batch is judged (`read_queued`): one DuckDB read for a mid-size state's forty quarterly files
instead of forty. Other files are read as they arrive.

A batch ends at a change of layout, at a file whose content repeats one already pending (it must be
judged a DUPLICATE of a loaded file), or at the row, byte and file limits. Judging a few large files
together rather than each alone keeps both cores busy: DuckDB splits a query's work by row groups
(122,880 rows), and a quarterly file of a small state fills one or two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import Contract
from dagster_project.landing.discovery import LandedFile
from dagster_project.landing.readers import BatchFastReader, fast_reader_for, reader_for
from dagster_project.landing.records import LINE, PROBLEM_FIELD, PROBLEM_REASON, StructuralError
from dagster_project.landing.validate import FILE_IDX
from dagster_project.sqlutil import ident

RAW = "_raw"
# A batch judged in one SQL pass holds consecutive files of one layout up to these limits.
BATCH_ROWS = 1_000_000
BATCH_FILES = 5_000
# ... and queued files (read when the batch is judged) up to this many bytes: about 850,000 wage rows.
BATCH_BYTES = 64 * 1024 * 1024


@dataclass
class Pending:
    file: LandedFile
    warnings: list[str]
    cache_key: str | None  # set for a large file whose judged rows are cached
    rows: int  # 0 while the file is queued (`PendingBatch.read_queued` counts them)
    read_s: float  # seconds its reading took (progress: rows per second)
    queued: object | None = None  # what the batch fast reader accepted (`queue`), until it is read


# (file, its reading's warnings, the error that quarantines it or None for a file with no rows)
Unread = tuple[Pending, StructuralError | None]


class PendingBatch:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.layout: str | None = None
        self.files: list[Pending] = []
        self.rows = 0
        self.queued_bytes = 0

    def must_end_before(self, f: LandedFile) -> bool:
        """True when `f` cannot join the batch (judge what is pending first)."""
        if self.layout is not None and f.layout != self.layout:
            return True  # a new layout needs a new `_raw`, even when its last file was quarantined
        return bool(self.files) and (
            f.sha256 in {p.file.sha256 for p in self.files}
            or self.rows >= BATCH_ROWS
            or self.queued_bytes >= BATCH_BYTES
            or len(self.files) >= BATCH_FILES
        )

    def _open(self, c: Contract) -> None:
        if self.layout is None:
            create_raw(self.con, RAW, c)
            self.layout = c.layout

    def queue(self, f: LandedFile, c: Contract, warnings: list[str]) -> object | None:
        """The file, accepted to be read with the batch (`read_queued`), or None when it must be read
        now (`read`). Header problems raise StructuralError; header warnings go to `warnings`."""
        self._open(c)
        queued = accept_for_batch(f, c, warnings)
        if queued is not None:
            self.queued_bytes += f.path.stat().st_size
        return queued

    def read(self, f: LandedFile, c: Contract, ctx: ReadContext) -> int:
        """Append the file's raw records to `_raw` (tagged with its seq); return their number
        (`read_alone`). A StructuralError leaves no row of the file behind."""
        self._open(c)
        return read_alone(self.con, RAW, f, c, ctx)

    def read_queued(self, c: Contract, ctx: ReadContext) -> list[Unread]:
        """Read the queued files in one pass (`read_accepted`) and count each one's records. The
        files left with no record leave the batch, returned with the StructuralError of the Python
        path, or None when they hold no row."""
        queued = [p for p in self.files if p.queued is not None]
        if not queued:
            return []
        self._open(c)
        results = read_accepted(self.con, RAW, [(p.file, p.queued) for p in queued], c, ctx)
        unread: list[Unread] = []
        for p in queued:
            p.queued = None
            rows, warnings = results[p.file.seq]
            if warnings is not None:  # read alone: its reader's warnings, not its acceptance's
                p.warnings = warnings
            if isinstance(rows, StructuralError):
                unread.append((p, rows))
                continue
            p.rows = rows
            self.rows += rows
            if rows == 0:
                unread.append((p, None))
        gone = {id(p) for p, _ in unread}
        self.files = [p for p in self.files if id(p) not in gone]
        return unread

    def add(self, pending: Pending) -> None:
        self.files.append(pending)
        self.rows += pending.rows

    def clear(self) -> None:
        self.con.execute("drop view if exists _loaded")  # over `_judged` (validate.py)
        for table in (RAW, "_judged", "_rejected"):
            self.con.execute(f"drop table if exists {table}")
        self.layout = None
        self.files = []
        self.rows = 0
        self.queued_bytes = 0


def create_raw(con: duckdb.DuckDBPyConnection, table: str, c: Contract) -> None:
    """An empty temp table for the raw records of files of the layout `c`."""
    cols = ", ".join(f"{ident(n)} varchar" for n in c.column_names)
    con.execute(
        f"create or replace temp table {table} ({FILE_IDX} integer, {LINE} bigint, "
        f"{PROBLEM_FIELD} varchar, {PROBLEM_REASON} varchar, {cols})"
    )


def accept_for_batch(f: LandedFile, c: Contract, warnings: list[str]) -> object | None:
    """What the contract's batch fast reader accepted of the file (its header checked now), to be
    read with others (`read_accepted`); None when the file must be read alone (`read_alone`).
    Header problems raise StructuralError; header warnings go to `warnings`."""
    fast = fast_reader_for(c)
    return fast.accept(f.seq, f.path, c, warnings) if isinstance(fast, BatchFastReader) else None


def append_raw(
    con: duckdb.DuckDBPyConnection,
    table: str,
    seq: int,
    path: Path,
    c: Contract,
    ctx: ReadContext,
    *,
    try_fast: bool = True,
) -> int:
    """Append the raw records of the file at `path` to `table` (`create_raw`), tagged `seq`; return
    their number. The contract's `fast_reader` (DuckDB reading the file, `csv_fast.py`) is tried
    first, unless `try_fast` is false (it declined the file already); when it declines, the reader's
    Arrow batches are streamed in."""
    fast = fast_reader_for(c) if try_fast else None
    if fast is not None and (rows := fast(con, table, seq, path, c, ctx)) is not None:
        return rows
    rows = 0
    for batch in reader_for(c)(path, c, ctx):
        con.register("_batch", batch)
        con.execute(f"insert into {table} select {seq}::integer, * from _batch")
        con.unregister("_batch")
        rows += batch.num_rows
    return rows


def read_alone(
    con: duckdb.DuckDBPyConnection,
    table: str,
    f: LandedFile,
    c: Contract,
    ctx: ReadContext,
    *,
    try_fast: bool = True,
) -> int:
    """`append_raw` of one file; a StructuralError leaves no row of the file in `table`."""
    try:
        return append_raw(con, table, f.seq, f.path, c, ctx, try_fast=try_fast)
    except StructuralError:
        con.execute(f"delete from {table} where {FILE_IDX} = {f.seq}")
        raise


# By file seq: the records read, or the StructuralError that left no row of the file; and the
# warnings of a file its reader read alone (None: those of its acceptance stand).
Read = tuple[int | StructuralError, list[str] | None]


def read_accepted(
    con: duckdb.DuckDBPyConnection,
    table: str,
    accepted: Sequence[tuple[LandedFile, object]],
    c: Contract,
    ctx: ReadContext,
) -> dict[int, Read]:
    """Append the raw records of files the contract's batch fast reader accepted (`queue`), in its
    one pass; a file it declines is read by the layout's reader alone, with its own warnings."""
    fast = fast_reader_for(c)
    if not isinstance(fast, BatchFastReader):
        raise TypeError(f"{c.layout}: its fast reader cannot read a batch of files")
    taken = fast.load(con, table, [a for _, a in accepted], c)
    results: dict[int, Read] = {}
    for f, _ in accepted:
        if f.seq in taken:
            results[f.seq] = (taken[f.seq], None)
            continue
        ctx.warnings.clear()
        try:
            results[f.seq] = (read_alone(con, table, f, c, ctx, try_fast=False), list(ctx.warnings))
        except StructuralError as exc:
            results[f.seq] = (exc, list(ctx.warnings))
    return results
