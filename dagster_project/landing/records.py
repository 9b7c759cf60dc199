"""The contract between format readers and validation.

Every reader (CSV, PESC XML, CLR/Open Badges JSON, ICESA, CTDL) turns one file into Arrow record
batches of *raw text*: one string column per layout column (names as in the layout's contract in
`data_contracts/`), plus three bookkeeping columns:

- `_line`: the physical line number of the record (CSV, ICESA) or its 1-based ordinal in the file
  (XML and JSON, where a record is an award or a credential);
- `_problem_field`, `_problem_reason`: a row-level problem the reader itself found (a CSV line with
  the wrong number of fields, an ICESA group whose totals do not reconcile, an unknown badge
  issuer); null when the reader found none.

Readers never type or judge values beyond their format's structure: dates, codes and identities are
checked once, in SQL, by `validate.py`, against the contract. A file whose structure is wrong raises
`StructuralError`; such files are quarantined whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

import pyarrow as pa

LINE = "_line"
PROBLEM_FIELD = "_problem_field"
PROBLEM_REASON = "_problem_reason"
BOOKKEEPING = (LINE, PROBLEM_FIELD, PROBLEM_REASON)

DEFAULT_BATCH_ROWS = 100_000


class StructuralError(Exception):
    """The file cannot be read as its format. The message must name the problem, never a value."""


def batch_schema(columns: Sequence[str]) -> pa.Schema:
    return pa.schema(
        [
            pa.field(LINE, pa.int64()),
            pa.field(PROBLEM_FIELD, pa.string()),
            pa.field(PROBLEM_REASON, pa.string()),
        ]
        + [pa.field(c, pa.string()) for c in columns]
    )


class BatchBuilder:
    """Accumulates raw records and yields Arrow batches of bounded size.

    Readers call `add(line, values)` (values: column -> text or None, missing columns are null)
    and `drain()` / `finish()` to get batches, so a multi-gigabyte file never sits in memory as
    Python objects.
    """

    def __init__(self, columns: Sequence[str], batch_rows: int = DEFAULT_BATCH_ROWS) -> None:
        self.columns = list(columns)
        self.schema = batch_schema(self.columns)
        self.batch_rows = batch_rows
        self._lines: list[int] = []
        self._pfield: list[str | None] = []
        self._preason: list[str | None] = []
        self._values: dict[str, list[str | None]] = {c: [] for c in self.columns}

    def add(
        self,
        line: int,
        values: Mapping[str, str | None],
        problem: tuple[str | None, str] | None = None,
    ) -> None:
        self._lines.append(line)
        self._pfield.append(problem[0] if problem else None)
        self._preason.append(problem[1] if problem else None)
        for c in self.columns:
            v = values.get(c)
            self._values[c].append(None if v is None else str(v))

    def add_row(self, line: int, row: Sequence[str]) -> None:
        """Fast path for positional rows (CSV): `row` is aligned with `columns`."""
        self._lines.append(line)
        self._pfield.append(None)
        self._preason.append(None)
        for c, v in zip(self.columns, row, strict=True):
            self._values[c].append(v)

    def add_problem(self, line: int, field: str | None, reason: str) -> None:
        """A record the reader could not split into fields: kept as a reject, values unknown."""
        self.add(line, {}, (field, reason))

    def full(self) -> bool:
        return len(self._lines) >= self.batch_rows

    def flush(self) -> pa.RecordBatch | None:
        if not self._lines:
            return None
        arrays = [
            pa.array(self._lines, pa.int64()),
            pa.array(self._pfield, pa.string()),
            pa.array(self._preason, pa.string()),
        ]
        arrays += [pa.array(self._values[c], pa.string()) for c in self.columns]
        batch = pa.RecordBatch.from_arrays(arrays, schema=self.schema)
        self._lines, self._pfield, self._preason = [], [], []
        self._values = {c: [] for c in self.columns}
        return batch

    def drain(self) -> Iterator[pa.RecordBatch]:
        """Yield a batch when the buffer is full (call after each `add`)."""
        if self.full():
            batch = self.flush()
            if batch is not None:
                yield batch

    def finish(self) -> Iterator[pa.RecordBatch]:
        batch = self.flush()
        if batch is not None:
            yield batch


def records_to_batches(
    columns: Sequence[str],
    records: Iterable[tuple[int, Mapping[str, str | None], tuple[str | None, str] | None]],
) -> Iterator[pa.RecordBatch]:
    """Convenience for small structured files (XML, JSON): (line, values, problem) tuples to batches."""
    builder = BatchBuilder(columns)
    for line, values, problem in records:
        builder.add(line, values, problem)
        yield from builder.drain()
    yield from builder.finish()
