"""CSV layouts (docs/submission_manual.md §1, §2.1-2.3, §2.5): header row, comma-separated, quoted fields.

Python's C csv parser does the splitting because it reports the physical line of every record, so
a rejected row can be found in the institution's own file, even after a quoted field with a line
break. Everything after splitting (typing, codes, identity) happens in DuckDB (`validate.py`).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import Contract
from dagster_project.landing.encoding import detect_text_encoding
from dagster_project.landing.records import BatchBuilder, StructuralError

# A field this large is not data; past it the file is treated as broken rather than read into memory.
_FIELD_SIZE_LIMIT = 128 * 1024 * 1024


def normalize_header(name: str) -> str:
    return name.replace("\ufeff", "").strip().lower()


def read_header(path: Path) -> list[str]:
    """The normalized header of a CSV file (the fast path checks it before reading in SQL)."""
    enc = detect_text_encoding(path)
    with path.open("r", encoding=enc.codec, newline="") as fh:
        try:
            row = next(csv.reader(fh, strict=True), None)
        except csv.Error as exc:
            raise StructuralError(f"line 1: header row is not valid CSV ({exc})") from None
    return [normalize_header(h) for h in row] if row else []


def read_csv_layout(path: Path, contract: Contract, ctx: ReadContext) -> Iterator[pa.RecordBatch]:
    enc = detect_text_encoding(path)
    if enc.warning:
        ctx.warnings.append(enc.warning)
    csv.field_size_limit(min(sys.maxsize, _FIELD_SIZE_LIMIT))
    builder = BatchBuilder(contract.column_names)
    with path.open("r", encoding=enc.codec, newline="") as fh:
        # strict: an unterminated quote is a broken file, not one giant field swallowing later lines
        reader = csv.reader(fh, strict=True)
        try:
            header_row = next(reader, None)
        except csv.Error as exc:
            raise StructuralError(f"line 1: header row is not valid CSV ({exc})") from None
        if not header_row or not any(h.strip() for h in header_row):
            raise StructuralError("empty file: no header row")
        header = [normalize_header(h) for h in header_row]
        check_header(header, contract, ctx.warnings)
        positions = {name: i for i, name in enumerate(header)}
        index = [positions.get(c, -1) for c in contract.column_names]
        width = len(header)
        last_line = reader.line_num
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise StructuralError(f"line {last_line + 1}: not valid CSV ({exc})") from None
            start_line, last_line = last_line + 1, reader.line_num
            if not row:  # a blank line is not a record
                continue
            if len(row) != width:
                builder.add_problem(start_line, None, f"expected {width} fields, found {len(row)}")
            else:
                builder.add_row(start_line, [row[i] if i >= 0 else None for i in index])
            yield from builder.drain()
    yield from builder.finish()


def check_header(header: list[str], contract: Contract, warnings: list[str]) -> None:
    """Structural header rules (docs/submission_manual.md §1): required columns present, no duplicates;
    unknown columns are ignored with a warning."""
    if not header or not any(header):
        raise StructuralError("empty file: no header row")
    seen: set[str] = set()
    duplicates = sorted({h for h in header if h in seen or seen.add(h)})
    if duplicates:
        raise StructuralError("line 1: duplicate column(s) in header: " + ", ".join(duplicates))
    missing = [c for c in contract.required_columns if c not in seen]
    if missing:
        raise StructuralError("line 1: missing required column(s): " + ", ".join(missing))
    extra = [h for h in header if h not in set(contract.column_names)]
    if extra:
        warnings.append("ignored unknown column(s): " + ", ".join(extra))
