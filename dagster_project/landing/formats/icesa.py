"""ICESA fixed-width wage report reader (docs/submission_manual.md §2.4, §5).

Every state publishes its own ICESA variant, so field positions are data: a layout file
(`data_contracts/icesa_layout_default.json`, or the file named by `LER_ICESA_LAYOUT`, passed in as
`ReadContext.icesa_layout`). `load_layout` checks it and raises `IcesaLayoutError` for a broken one.

Rules this reader applies (everything else, such as SSN validity and ranges, is judged in SQL):

- Bytes: the file is ASCII / Latin-1 text, and positions are byte positions. A NUL byte or another
  control character (bytes 0x00-0x1F and 0x7F, other than the line end) means it is not a text file:
  `StructuralError`. A UTF-8 byte-order mark before the first record is dropped with a warning.
- Lines: CRLF or LF. A record shorter than the layout's length is right-padded with spaces (senders'
  file transfers strip trailing blanks) and one warning counts them; a longer record is a
  `StructuralError`. Blank lines after the last record are ignored; a blank line before it is a
  `StructuralError` (it is not a record of any type).
- Sequence: `A`, then optional `B` records, then one or more employer groups (`E`, zero or more `S`,
  `T`), then exactly one `F` as the last record. Anything else, including an unknown record type
  letter, is a `StructuralError` naming the line and what was expected. The `F` record's total `S`
  and total `E` counts must equal what the file holds.
- Values: one output row per `S` record, text stripped, blank as null. Money fields are zero-filled
  with implied decimals and are rendered as decimal text ("00000000921211" -> "9212.11"); a money
  field that is not all digits is passed as its stripped text so validation rejects the row. Year and
  quarter come from the `S` reporting period MMYYYY (month 01-12 -> its calendar quarter; any other
  month text is passed as is so validation rejects it); when the whole period is blank they come from
  the `E` record's payment year and reporting quarter. `employer_account` comes from the `S` record,
  else from the `E` record; FEIN and NAICS from the `E` record.
- Reconciliation: when a `T` record's total wages differ from the sum of its group's readable `S`
  wages (compared in integer minor units), or is not a number, every `S` row of the group carries a
  problem on `wages` (so the rows count toward the file's reject rate). An `S` wage that is not a
  number adds nothing to the sum, so its group fails to reconcile unless its T total left it out.
  A `T` employee count that differs from the group's number of `S` records is only a warning.
- Streaming: records are read one line at a time and only the current employer group is held in
  memory, because a quarterly file can hold millions of `S` records.
- Privacy: errors and warnings name line numbers, record types and counts, never field values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import Contract
from dagster_project.landing.records import BatchBuilder, StructuralError
from dagster_project.project_paths import DEFAULT_ICESA_LAYOUT

RECORD_TYPES = ("A", "B", "E", "S", "T", "F")

# Field names a layout may give each record type; True marks the ones it must give.
LAYOUT_FIELDS: dict[str, dict[str, bool]] = {
    "A": {},
    "B": {},
    "E": {"payment_year": False, "employer_fein": False, "employer_account": False, "naics_code": False,
          "reporting_quarter": False},
    "S": {"ssn": True, "last_name": False, "first_name": False, "wages": True, "reporting_period": False,
          "employer_account": False},
    "T": {"employee_count": False, "wages": True},
    "F": {"s_record_count": True, "e_record_count": True},
}
MONEY_FIELDS = {("S", "wages"), ("T", "wages")}
DEFAULT_DECIMALS = 2
_MAX_DECIMALS = 6
_FIELD_KEYS = {"start", "end", "decimals", "description"}
_RECORD_KEYS = {"fields", "description"}
_LAYOUT_KEYS = {"name", "description", "record_length", "records"}

T_MISMATCH = ("wages", "employer group total in the T record does not equal the sum of its S records")
T_UNREADABLE = ("wages", "employer group total in the T record is not an unsigned number")

_CONTROL_BYTES = bytes(range(0x20)) + b"\x7f"
_DIGITS = re.compile(r"[0-9]+")
_UTF8_BOM = b"\xef\xbb\xbf"


class IcesaLayoutError(ValueError):
    """The layout file is broken. A configuration error, so it is not a `StructuralError`: quarantining
    every wage file for an operator's typo would hide the real problem."""


# --------------------------------------------------------------------------------------------------
# Layout


@dataclass(frozen=True)
class LayoutField:
    """One field: 1-based inclusive positions as the ICESA manuals print them."""

    start: int
    end: int
    decimals: int | None = None

    @property
    def slice(self) -> slice:
        return slice(self.start - 1, self.end)


@dataclass(frozen=True)
class IcesaLayout:
    name: str
    description: str
    record_length: int
    records: Mapping[str, Mapping[str, LayoutField]]

    def field(self, record_type: str, name: str) -> LayoutField | None:
        return self.records.get(record_type, {}).get(name)

    def slice(self, record_type: str, name: str) -> slice | None:
        f = self.field(record_type, name)
        return f.slice if f else None


def load_layout(path: Path | None = None) -> IcesaLayout:
    """Read and check a layout file (None: the project default). Raises `IcesaLayoutError`."""
    path = Path(path) if path is not None else DEFAULT_ICESA_LAYOUT
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise IcesaLayoutError(f"ICESA layout {path}: cannot be read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IcesaLayoutError(f"ICESA layout {path}: not valid UTF-8 JSON ({exc})") from None
    try:
        return parse_layout(doc)
    except IcesaLayoutError as exc:
        raise IcesaLayoutError(f"ICESA layout {path}: {exc}") from None


def parse_layout(doc: Any) -> IcesaLayout:
    """Check a layout document and build the layout; every problem names the key at fault."""
    if not isinstance(doc, dict):
        raise IcesaLayoutError("the layout must be a JSON object")
    _no_unknown_keys(doc, _LAYOUT_KEYS, "the layout")
    name = doc.get("name")
    if not isinstance(name, str) or not name.strip():
        raise IcesaLayoutError("'name' must be a non-empty string")
    description = doc.get("description", "")
    if not isinstance(description, str):
        raise IcesaLayoutError("'description' must be a string")
    length = doc.get("record_length")
    if not _is_int(length) or not 2 <= length <= 100_000:
        raise IcesaLayoutError("'record_length' must be an integer of at least 2")
    records = doc.get("records")
    if not isinstance(records, dict):
        raise IcesaLayoutError("'records' must be an object keyed by record type (A, B, E, S, T, F)")
    parsed = {rtype: _parse_record(rtype, spec, length) for rtype, spec in records.items()}
    layout = IcesaLayout(name.strip(), description, length, parsed)
    _check_layout(layout)
    return layout


def _parse_record(rtype: str, spec: Any, length: int) -> dict[str, LayoutField]:
    if rtype not in LAYOUT_FIELDS:
        raise IcesaLayoutError(f"unknown record type {rtype!r} (known: {', '.join(RECORD_TYPES)})")
    where = f"records.{rtype}"
    if not isinstance(spec, dict):
        raise IcesaLayoutError(f"{where} must be an object with a 'fields' object")
    _no_unknown_keys(spec, _RECORD_KEYS, where)
    fields = spec.get("fields", {})
    if not isinstance(fields, dict):
        raise IcesaLayoutError(f"{where}.fields must be an object")
    known = LAYOUT_FIELDS[rtype]
    out: dict[str, LayoutField] = {}
    for fname, fspec in fields.items():
        if fname not in known:
            allowed = ", ".join(known) or "none"
            raise IcesaLayoutError(f"{where}.fields: unknown field {fname!r} (allowed: {allowed})")
        out[fname] = _parse_field(f"{where}.fields.{fname}", fspec, length, (rtype, fname) in MONEY_FIELDS)
    _check_overlaps(where, out)
    return out


def _parse_field(where: str, spec: Any, length: int, money: bool) -> LayoutField:
    if not isinstance(spec, dict):
        raise IcesaLayoutError(f"{where} must be an object like {{\"start\": 2, \"end\": 10}}")
    _no_unknown_keys(spec, _FIELD_KEYS, where)
    start, end = spec.get("start"), spec.get("end")
    if not _is_int(start) or not _is_int(end):
        raise IcesaLayoutError(f"{where}: 'start' and 'end' must be integers (1-based, inclusive)")
    if start < 2:
        raise IcesaLayoutError(f"{where}: 'start' must be 2 or more (position 1 is the record type)")
    if end < start:
        raise IcesaLayoutError(f"{where}: 'end' is before 'start'")
    if end > length:
        raise IcesaLayoutError(f"{where}: 'end' is past the record length {length}")
    decimals = spec.get("decimals")
    if decimals is not None and not money:
        raise IcesaLayoutError(f"{where}: 'decimals' is only allowed on money fields")
    if money:
        decimals = DEFAULT_DECIMALS if decimals is None else decimals
        if not _is_int(decimals) or not 0 <= decimals <= _MAX_DECIMALS:
            raise IcesaLayoutError(f"{where}: 'decimals' must be an integer from 0 to {_MAX_DECIMALS}")
    return LayoutField(start, end, decimals)


def _check_overlaps(where: str, fields: Mapping[str, LayoutField]) -> None:
    """Overlapping fields are almost always a copy-and-edit slip, so they are refused."""
    ordered = sorted(fields.items(), key=lambda kv: kv[1].start)
    for (a, fa), (b, fb) in zip(ordered, ordered[1:], strict=False):
        if fb.start <= fa.end:
            raise IcesaLayoutError(f"{where}.fields: {a!r} and {b!r} overlap")


def _check_layout(layout: IcesaLayout) -> None:
    """Fields the reader cannot do without, and the few that must agree with each other."""
    for rtype, known in LAYOUT_FIELDS.items():
        for fname, required in known.items():
            if required and layout.field(rtype, fname) is None:
                raise IcesaLayoutError(f"records.{rtype}.fields.{fname} is required")
    if layout.field("S", "employer_account") is None and layout.field("E", "employer_account") is None:
        raise IcesaLayoutError("an employer_account field is required on the S or the E record")
    period = layout.field("S", "reporting_period")
    if period is None:
        if layout.field("E", "payment_year") is None or layout.field("E", "reporting_quarter") is None:
            raise IcesaLayoutError(
                "records.S.fields.reporting_period is required unless the E record gives both "
                "payment_year and reporting_quarter")
    elif period.end - period.start + 1 != 6:
        raise IcesaLayoutError("records.S.fields.reporting_period must be 6 bytes wide (MMYYYY)")
    s_wages, t_wages = layout.field("S", "wages"), layout.field("T", "wages")
    if s_wages and t_wages and s_wages.decimals != t_wages.decimals:
        raise IcesaLayoutError("S and T wages must have the same number of implied decimals")


def _no_unknown_keys(obj: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise IcesaLayoutError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))} "
                               f"(allowed: {', '.join(sorted(allowed))})")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --------------------------------------------------------------------------------------------------
# Values


def money(text: str | None, decimals: int) -> tuple[str | None, int | None]:
    """(decimal text, integer minor units) of an implied-decimal field, or (raw text, None).

    Leading blanks are tolerated (some senders space-fill instead of zero-fill); anything that is
    not ASCII digits is passed through unchanged so SQL validation rejects it as non-numeric.
    """
    if text is None or not _DIGITS.fullmatch(text):
        return text, None
    units = int(text)
    if decimals == 0:
        return str(units), units
    whole, frac = divmod(units, 10**decimals)
    return f"{whole}.{frac:0{decimals}d}", units


def quarter_of_month(month: str | None) -> str | None:
    """Calendar quarter (as text) of a month 01-12; other text is passed on for validation to reject."""
    if month is not None and _DIGITS.fullmatch(month) and 1 <= int(month) <= 12:
        return str((int(month) - 1) // 3 + 1)
    return month


def _cut(text: str, where: slice | None) -> str | None:
    if where is None:
        return None
    return text[where].strip() or None


def _count(text: str | None) -> int | None:
    return int(text) if text is not None and _DIGITS.fullmatch(text) else None


# --------------------------------------------------------------------------------------------------
# Lines


@dataclass
class _LineStats:
    padded: int = 0
    first_padded: int | None = None


def _records(
    fh: IO[bytes], length: int, stats: _LineStats, ctx: ReadContext
) -> Iterator[tuple[int, str | None]]:
    """(line number, record text padded to `length`) per physical line; None text for a blank line.

    Checks bytes and length here so the sequence logic only ever sees well-formed records. Lines are
    read with a size limit, so a file without line ends (binary, or CR-only) is not read whole.
    """
    limit = length + len(_UTF8_BOM) + 2
    for number, raw in enumerate(iter(lambda: fh.readline(limit), b""), start=1):
        if len(raw) == limit and not raw.endswith(b"\n"):
            raise StructuralError(f"line {number}: record is longer than the layout's {length} bytes")
        line = raw[:-1] if raw.endswith(b"\n") else raw
        if line.endswith(b"\r"):
            line = line[:-1]
        if number == 1 and line.startswith(_UTF8_BOM):
            line = line[len(_UTF8_BOM):]
            ctx.warnings.append("file starts with a UTF-8 byte-order mark; it was ignored")
        if not line.strip(b" "):
            yield number, None
            continue
        if len(line) > length:
            raise StructuralError(f"line {number}: record is {len(line)} bytes, longer than the layout's "
                                  f"{length}")
        if len(line.translate(None, _CONTROL_BYTES)) != len(line):  # cheap test first, it runs per line
            raise _control_error(number, line)
        if len(line) < length:
            stats.padded += 1
            stats.first_padded = stats.first_padded or number
            line = line.ljust(length)
        yield number, line.decode("latin-1")


def _control_error(number: int, line: bytes) -> StructuralError:
    bad = next(b for b in line if b in _CONTROL_BYTES)
    if bad == 0:
        return StructuralError(f"line {number}: binary content (NUL byte): not a text file")
    return StructuralError(f"line {number}: control character (byte 0x{bad:02X}): not a text file")


# --------------------------------------------------------------------------------------------------
# Record sequence

# state -> {record type: next state}; a state names what was read last.
_TRANSITIONS: dict[str, dict[str, str]] = {
    "start": {"A": "header"},
    "header": {"B": "header", "E": "group"},
    "group": {"S": "group", "T": "between"},
    "between": {"E": "group", "F": "end"},
    "end": {},
}
_EXPECTED = {
    "start": "an A record (the first record)",
    "header": "a B or E record",
    "group": "an S or T record",
    "between": "an E or F record",
}
_AT_EOF = {
    "start": "empty file: no records",
    "header": "end of file: no employer (E) record and no F record",
    "between": "end of file: no F record (it must be the last record)",
}


def next_state(
    state: str, record_type: str, line: int, group_line: int | None, final_line: int | None
) -> str:
    """The sequence state after a record, or a StructuralError saying what was expected instead."""
    nxt = _TRANSITIONS[state].get(record_type)
    if nxt is not None:
        return nxt
    if state == "end":
        raise StructuralError(f"line {line}: data after the F record (line {final_line}), "
                              "which must be the last record")
    if record_type in RECORD_TYPES:
        found = f"{'an' if record_type in 'AEFS' else 'a'} {record_type} record"
    else:
        found = "an unknown record type"
    message = f"line {line}: expected {_EXPECTED[state]}, found {found}"
    if state == "group":
        message += f" (the employer group from line {group_line} has no T record)"
    raise StructuralError(message)


def end_of_file_error(state: str, group_line: int | None) -> StructuralError:
    if state == "group":
        return StructuralError(f"end of file: the employer group from line {group_line} has no T record, "
                               "and there is no F record")
    return StructuralError(_AT_EOF[state])


# --------------------------------------------------------------------------------------------------
# Records to rows


# The values `s_row` produces, in order (the icesa contract's columns).
ROW_COLUMNS = ("ssn", "last_name", "first_name", "employer_account", "employer_fein", "year", "quarter",
               "wages", "naics_code")
Row = tuple[str | None, ...]


@dataclass(frozen=True)
class _Slices:
    """Field slices resolved once, so the per-record work does no lookups in the layout."""

    ssn: slice | None
    last_name: slice | None
    first_name: slice | None
    s_wages: slice | None
    decimals: int
    period: slice | None
    s_account: slice | None
    e_year: slice | None
    e_quarter: slice | None
    e_fein: slice | None
    e_account: slice | None
    e_naics: slice | None
    t_count: slice | None
    t_wages: slice | None
    f_s: slice | None
    f_e: slice | None

    @classmethod
    def of(cls, lay: IcesaLayout) -> _Slices:
        s_wages = lay.field("S", "wages")
        return cls(
            lay.slice("S", "ssn"), lay.slice("S", "last_name"), lay.slice("S", "first_name"),
            lay.slice("S", "wages"), s_wages.decimals if s_wages and s_wages.decimals is not None else 0,
            lay.slice("S", "reporting_period"), lay.slice("S", "employer_account"),
            lay.slice("E", "payment_year"), lay.slice("E", "reporting_quarter"),
            lay.slice("E", "employer_fein"), lay.slice("E", "employer_account"), lay.slice("E", "naics_code"),
            lay.slice("T", "employee_count"), lay.slice("T", "wages"),
            lay.slice("F", "s_record_count"), lay.slice("F", "e_record_count"),
        )


@dataclass
class _Group:
    """The one employer group held in memory: its E values and its S rows until the T record."""

    line: int
    fein: str | None
    account: str | None
    naics: str | None
    year: str | None
    quarter: str | None
    rows: list[tuple[int, Row]] = field(default_factory=list)
    units: int = 0


def open_group(text: str, line: int, sl: _Slices) -> _Group:
    """An employer group from its E record (year and quarter are the fallback for blank S periods)."""
    return _Group(line, _cut(text, sl.e_fein), _cut(text, sl.e_account), _cut(text, sl.e_naics),
                  _cut(text, sl.e_year), quarter_of_month(_cut(text, sl.e_quarter)))


def s_row(text: str, group: _Group, sl: _Slices) -> tuple[Row, int | None]:
    """The output values of one S record (in `ROW_COLUMNS` order), and its wages in minor units
    (None when unreadable). Written flat because it runs once per S record."""
    wages, units = money(_cut(text, sl.s_wages), sl.decimals)
    period = text[sl.period] if sl.period is not None else ""
    if period.strip():
        year, quarter = period[2:].strip() or None, quarter_of_month(period[:2].strip() or None)
    else:
        year, quarter = group.year, group.quarter
    row = (
        _cut(text, sl.ssn),
        _cut(text, sl.last_name),
        _cut(text, sl.first_name),
        _cut(text, sl.s_account) or group.account,
        group.fein,
        year,
        quarter,
        wages,
        group.naics,
    )
    return row, units


def group_problem(t_units: int | None, group_units: int) -> tuple[str, str] | None:
    """The problem every S row of a group carries when its T total does not reconcile."""
    if t_units is None:
        return T_UNREADABLE
    return None if t_units == group_units else T_MISMATCH


def check_final(text: str, line: int, sl: _Slices, s_seen: int, e_seen: int) -> None:
    """The F record's counts must match the file: a wrong count means records were lost or added."""
    for where, label, seen in ((sl.f_s, "S", s_seen), (sl.f_e, "E", e_seen)):
        declared = _count(_cut(text, where))
        if declared is None:
            raise StructuralError(f"line {line}: F record total {label} records is not a number")
        if declared != seen:
            raise StructuralError(f"line {line}: F record says {declared} {label} records, "
                                  f"the file has {seen}")


@dataclass
class _Tally:
    """File-level facts reported as warnings once the file is read."""

    s_seen: int = 0
    e_seen: int = 0
    count_mismatches: int = 0
    first_count_mismatch: int | None = None

    def warnings(self, stats: _LineStats, length: int) -> list[str]:
        out = []
        if stats.padded:
            out.append(f"{stats.padded} record(s) shorter than {length} bytes were padded with spaces "
                       f"(first at line {stats.first_padded})")
        if self.count_mismatches:
            out.append(f"{self.count_mismatches} employer group(s) whose T record employee count differs "
                       f"from their number of S records (first T record at line {self.first_count_mismatch})")
        return out


class _Emitter:
    """Hands a closed group's rows to the batch builder, using its positional fast path for the
    (usual) rows without a problem."""

    def __init__(self, builder: BatchBuilder) -> None:
        self.builder = builder
        index = [ROW_COLUMNS.index(c) if c in ROW_COLUMNS else -1 for c in builder.columns]
        self.index = None if index == list(range(len(ROW_COLUMNS))) else index

    def emit(self, rows: list[tuple[int, Row]], problem: tuple[str, str] | None) -> None:
        b = self.builder
        for line, row in rows:
            if problem is not None:
                b.add(line, dict(zip(ROW_COLUMNS, row, strict=True)), problem)
            elif self.index is None:
                b.add_row(line, row)
            else:
                b.add_row(line, [row[i] if i >= 0 else None for i in self.index])


def read_icesa(path: Path, contract: Contract, ctx: ReadContext) -> Iterator[pa.RecordBatch]:
    """Stream an ICESA file as batches of raw `S` rows (see the module docstring for the rules)."""
    layout = load_layout(ctx.icesa_layout)
    sl = _Slices.of(layout)
    builder = BatchBuilder(contract.column_names)
    emitter = _Emitter(builder)
    stats, tally = _LineStats(), _Tally()
    state, final_line, blank_at = "start", None, None
    group: _Group | None = None
    with Path(path).open("rb") as fh:
        for line, text in _records(fh, layout.record_length, stats, ctx):
            if text is None:
                blank_at = blank_at or line
                continue
            if blank_at is not None and state != "end":
                raise StructuralError(f"line {blank_at}: blank line before the last record (not a record)")
            rtype = text[0]
            state = next_state(state, rtype, line, group.line if group else None, final_line)
            if rtype == "S" and group is not None:
                row, units = s_row(text, group, sl)
                group.rows.append((line, row))
                group.units += units or 0
                tally.s_seen += 1
            elif rtype == "E":
                group = open_group(text, line, sl)
                tally.e_seen += 1
            elif rtype == "T" and group is not None:
                problem = group_problem(_count(_cut(text, sl.t_wages)), group.units)
                if sl.t_count is not None and _count(_cut(text, sl.t_count)) != len(group.rows):
                    tally.count_mismatches += 1
                    tally.first_count_mismatch = tally.first_count_mismatch or line
                emitter.emit(group.rows, problem)
                group = None
                yield from builder.drain()
            elif rtype == "F":
                check_final(text, line, sl, tally.s_seen, tally.e_seen)
                final_line = line
    if state != "end":
        raise end_of_file_error(state, group.line if group else None)
    ctx.warnings.extend(tally.warnings(stats, layout.record_length))
    yield from builder.finish()
