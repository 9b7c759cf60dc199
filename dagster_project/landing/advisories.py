"""Advisory checks of `ler validate`: what a registrar's clerk should hear about a file beyond the
pipeline's verdict (docs/submission_manual.md §5, "Checking a file before sending it").

Ingestion judges a file on its own (`ingest.py`); these checks never change what loads. They add
warnings where the pipeline accepts something silently that costs the state a learner later, and
explanations where its verdict is correct but terse:

- a transcript or noncredit row with an SSN that is not a valid one: the row loads with the SSN
  treated as unknown (§4, §5), so that learner can never be matched to wage records;
- rows without any SSN (counted once: the same consequence, but a blank is allowed);
- an award (credential) dated before the enrollment started, an end before the start;
- a CSV header that is split on the wrong delimiter (a `;`-, tab- or `|`-separated export);
- unknown header columns next to the missing required ones, with the closest required column
  (a typo such as `award_levl`), and an ignored unknown column that is close to an optional one
  (its values would be dropped without a word);
- a file that looks like another layout ("this looks like a UI Wage Extract file: it belongs in
  wages/").

The file is read through its layout's own reader (`readers.reader_for`) and its values are checked
in DuckDB with the ingestion's own cleaning and date macros, so "valid" means what it means when
the file loads. Findings name a line, a field and a rule; never a value.
"""

from __future__ import annotations

import difflib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.identity import install_sql_identity
from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import Contract
from dagster_project.landing.encoding import detect_text_encoding
from dagster_project.landing.formats.csv_layout import normalize_header, read_header
from dagster_project.landing.readers import reader_for
from dagster_project.landing.records import LINE, StructuralError
from dagster_project.landing.registry import Registry
from dagster_project.landing.validate import install_sql_helpers
from dagster_project.sqlutil import ident

ERROR, WARNING = "error", "warning"
SEVERITIES = (ERROR, WARNING)
CSV_FORMAT = "csv"
# Delimiters an export tool may have used instead of the comma, as a clerk would name them.
OTHER_DELIMITERS = {";": "semicolons (;)", "\t": "tabs", "|": "pipes (|)"}
# (earlier, later, what it means when the later date is before the earlier one): each pair applies
# to every layout that has both columns (CSV, PESC, CLR and Open Badges share these names).
DATE_ORDER = (
    ("enrollment_start_date", "enrollment_end_date", "enrollment ends before it starts"),
    ("enrollment_start_date", "award_date", "award dated before the enrollment started"),
    ("start_date", "end_date", "program ends before it starts"),
    ("start_date", "credential_date", "credential dated before the program started"),
)
# How close an unknown header must be to a column to be suggested as its typo (difflib ratio).
TYPO_CUTOFF = 0.8
UNMATCHABLE = "cannot be matched to wage records (counted as unmatchable, outside every employment measure)"


@dataclass(frozen=True)
class Finding:
    """One problem of a submission file: where (line, field) and what (reason), never a value.

    `severity` is ERROR when the row or the file would not load, WARNING when it would load but
    needs a look. `line` is None for what concerns the whole file.
    """

    line: int | None
    field: str | None
    reason: str
    severity: str = WARNING

    def sort_key(self) -> tuple:
        """Whole-file findings first, then by line; on one line errors before warnings."""
        return (self.line is not None, self.line or 0, SEVERITIES.index(self.severity))


def layout_name(c: Contract) -> str:
    """How a clerk calls a layout: the first words of its contract's description."""
    return c.description.split(" (")[0].rstrip(".")


# -- the header of a CSV file ---------------------------------------------------------------------
def header_findings(path: Path, contract: Contract | None, registry: Registry, kind: str) -> list[Finding]:
    """Delimiter, unknown-vs-missing columns and look-alike layouts of a CSV file's header.

    `contract` is the layout the folder reads the file as (None when the folder does not accept the
    file): only CSV layouts have a header to look at.
    """
    if contract is not None and contract.file_format != CSV_FORMAT:
        return []
    if contract is None and not path.name.lower().endswith(".csv"):
        return _placement(path, kind, registry)
    try:
        header = read_header(path)
    except StructuralError:
        return []  # ingestion reports an unreadable header itself
    if contract is None:
        return _looks_like(header, None, registry)
    missing = [c for c in contract.required_columns if c not in header]
    if missing and (delimiter := _other_delimiter(path, contract)):
        return [Finding(1, None, f"the header is split by {delimiter}, not commas: save the file again "
                                 "as CSV (comma-separated)")]
    findings = _looks_like(header, contract, registry) if missing else []
    unknown = [h for h in header if h and h not in contract.column_names]
    if missing and unknown:
        shown = ", ".join(_with_suggestion(h, missing) for h in unknown)
        findings.append(Finding(1, None, f"unknown column(s) next to the missing ones: {shown}"))
    elif unknown:
        absent = [c for c in contract.column_names if c not in header]
        for h in unknown:
            if (close := _closest(h, absent)) is not None:
                findings.append(Finding(1, h, f"unknown column, ignored (its values would not load): "
                                              f"did you mean {close}?"))
    return findings


def _closest(name: str, candidates: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=TYPO_CUTOFF)
    return found[0] if found else None


def _with_suggestion(unknown: str, missing: list[str]) -> str:
    close = _closest(unknown, missing)
    return f"{unknown} (did you mean {close}?)" if close else unknown


def _other_delimiter(path: Path, contract: Contract) -> str | None:
    """The name of the delimiter the header is really split on, when not the comma."""
    try:
        codec = detect_text_encoding(path).codec
        with path.open("r", encoding=codec, newline="") as fh:
            first = fh.readline()
    except (StructuralError, OSError, UnicodeDecodeError):
        return None
    known = set(contract.column_names)
    best, best_hits = None, 0
    for delimiter, name in OTHER_DELIMITERS.items():
        hits = len({normalize_header(h) for h in first.split(delimiter)} & known)
        if hits > best_hits:
            best, best_hits = name, hits
    enough = max(2, len(contract.required_columns) // 2)
    return best if best_hits >= enough else None


def _looks_like(header: list[str], contract: Contract | None, registry: Registry) -> list[Finding]:
    """The other CSV layout whose required columns the header has (most columns matched wins)."""
    present = set(header)
    fits = [
        c for c in registry.layouts.values()
        if c.file_format == CSV_FORMAT and c is not contract and c.required_columns
        and set(c.required_columns) <= present
    ]
    if not fits:
        return []
    best = max(fits, key=lambda c: (len(present & set(c.column_names)), c.layout))
    return [Finding(None, None, belongs_elsewhere(best))]


def _placement(path: Path, kind: str, registry: Registry) -> list[Finding]:
    """A file type the folder does not accept, but another folder does."""
    for other in registry.kinds:
        c = registry.classify(other, path)
        if other != kind and c is not None:
            return [Finding(None, None, belongs_elsewhere(c))]
    return []


def belongs_elsewhere(c: Contract) -> str:
    """"this looks like a UI Wage Extract file: it belongs in wages/ (wages/*.csv)"."""
    name = layout_name(c)
    article = "an" if name[:1].upper() in "AEIO" else "a"  # "an ICESA ...", "a UI Wage Extract"
    return f"this looks like {article} {name} file: it belongs in {c.kind}/ ({', '.join(c.patterns)})"


# -- the rows ---------------------------------------------------------------------------------------
def row_findings(path: Path, contract: Contract, ctx: ReadContext) -> list[Finding]:
    """Invalid and missing SSNs of education rows, and dates out of order, one finding per line.

    Rejected rows are checked too, so one round trip fixes a row (a line the reader could not split
    has no values, hence no findings); a file the reader cannot read at all has none (ingestion
    quarantines it).
    """
    pairs = [(a, b, why) for a, b, why in DATE_ORDER if {a, b} <= set(contract.column_names)]
    ssn = contract.identity.ssn if contract.identity and contract.identity.invalid_ssn == "unknown" else None
    if not pairs and ssn is None:
        return []
    con = duckdb.connect()
    try:
        install_sql_identity(con, secrets.token_hex(32))  # only the SSN shape macros are used
        install_sql_helpers(con)
        if not _load_rows(con, path, contract, ctx):
            return []
        findings = []
        for a, b, why in pairs:
            lines = _lines(con, f"ler_date(ler_clean({ident(b)})) < ler_date(ler_clean({ident(a)}))")
            findings += [Finding(n, b, f"before {a}: {why}") for n in lines]
        if ssn is not None:
            value = f"ler_clean({ident(ssn)})"
            lines = _lines(con, f"{value} is not null and not ler_ssn_valid({value})")
            findings += [Finding(n, ssn, f"not a valid SSN: kept as unknown, so this learner {UNMATCHABLE}")
                         for n in lines]
            blank = len(_lines(con, f"{value} is null"))
            if blank:
                why = f"{blank} row(s) without an SSN: each such learner {UNMATCHABLE}"
                findings.append(Finding(None, ssn, why))
        return findings
    finally:
        con.close()


def _load_rows(con: duckdb.DuckDBPyConnection, path: Path, contract: Contract, ctx: ReadContext) -> bool:
    """The file's raw records as table `_rows` (False when the reader cannot read the file)."""
    created = False
    try:
        for batch in reader_for(contract)(path, contract, ctx):
            con.register("_batch", batch)
            if created:
                con.execute("insert into _rows select * from _batch")
            else:
                con.execute("create temp table _rows as select * from _batch")
                created = True
            con.unregister("_batch")
    except StructuralError:
        return False
    return created


def _lines(con: duckdb.DuckDBPyConnection, condition: str) -> list[int]:
    rows = con.execute(
        f"select {ident(LINE)} from _rows where {condition} order by {ident(LINE)}"
    ).fetchall()
    return [r[0] for r in rows]
