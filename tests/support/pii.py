"""Find person data of the landing zone in any output: DuckDB files, Parquet, CSV, reports, logs.

The values come from the same readers the pipeline uses (so XML, JSON and ICESA files count too,
including files that were quarantined). Every value of every table and text file is split into
tokens (digit runs with dashes, letter runs, and identifier words such as `PV0000001` or
`123-45-6789`), and a leak is a token equal to an input SSN (9 digits, with or without dashes), birth
date, name word of 4+ letters (shorter ones would match inside ordinary words) or local learner id
(docs/submission_manual.md §4: `student_id`, `learner_id`, a badge's `studentId` / `sisSourcedId`,
which colleges fill with SSNs; ids of 4+ characters that are one identifier word). A local id shaped
like an SSN counts as an SSN too, so its other written form is searched as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dagster_project.identity import ssn_digits
from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import contract
from dagster_project.landing.discovery import discover
from dagster_project.landing.readers import reader_for
from dagster_project.landing.records import StructuralError
from dagster_project.sqlutil import ident, lit

PII_COLUMNS = ("ssn", "first_name", "last_name", "birth_date")
# Tokens of a value, in Python and in DuckDB's RE2 (whose \w and [^\W] are ASCII only): digit runs
# with dashes, letter runs (Unicode letters), and identifier words (letters and digits joined by
# '-', '_' or '.').
_TOKENS = r"[0-9][0-9-]*[0-9]|[^\W\d_]+"
_WORDS = r"[^\W_]+(?:[-_.][^\W_]+)*"
_TOKENS_SQL = r"[0-9][0-9-]*[0-9]|\p{L}+"
_WORDS_SQL = r"[\p{L}\p{N}]+(?:[-_.][\p{L}\p{N}]+)*"
MIN_LOCAL_ID = 4


@dataclass
class PersonData:
    ssns: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    birth_dates: set[str] = field(default_factory=set)
    local_ids: set[str] = field(default_factory=set)

    def add_local_id(self, value: str) -> None:
        """A provider's learner id; one shaped like an SSN is an SSN as well (both forms searched)."""
        digits = ssn_digits(value)
        if digits is not None:
            self.ssns.add(digits)
        if len(value) >= MIN_LOCAL_ID and re.fullmatch(_WORDS, value):
            self.local_ids.add(value)

    def tokens(self) -> set[str]:
        """What a leak would look like inside any value: SSNs (plain or dashed), birth dates, local
        ids, and the 4+ letter words of names that are not also codes of the layouts (a last name
        "White" is also the race code WHITE)."""
        found = set(self.ssns) | {f"{s[:3]}-{s[3:5]}-{s[5:]}" for s in self.ssns} | set(self.birth_dates)
        found |= self.local_ids
        codes = _code_words()
        for name in self.names:
            found |= {w for w in re.findall(r"[^\W\d_]+", name) if len(w) >= 4 and w.upper() not in codes}
        return found

    def text_needles(self) -> set[str]:
        return self.tokens()


def _code_words() -> set[str]:
    from dagster_project.landing.contracts import contracts

    words = set()
    for c in contracts().values():
        for e in c.expectations:
            for v in e.kwargs.get("value_set", []):
                words.add(str(v).upper())
    return words


def collect_person_data(landing: Path) -> PersonData:
    found = PersonData()
    for f in discover(landing):
        if f.layout is None:
            continue
        c = contract(f.layout)
        local_id = c.identity.local_id if c.identity else None
        cols = [x for x in PII_COLUMNS if x in c.column_names] + ([local_id] if local_id else [])
        if not cols:
            continue
        try:
            for batch in reader_for(c)(f.path, c, ReadContext()):
                table = batch.to_pydict()
                for col in cols:
                    for value in table[col]:
                        if not value or not value.strip():
                            continue
                        value = value.strip()
                        if col == "ssn":
                            digits = ssn_digits(value) or re.sub(r"\D", "", value)
                            if len(digits) == 9:
                                found.ssns.add(digits)
                        elif col == "birth_date":
                            found.birth_dates.add(value)
                        elif col == local_id:
                            found.add_local_id(value)
                        else:
                            found.names.add(value)
        except StructuralError:
            continue
    return found


def _text_tokens(text: str) -> set[str]:
    return set(re.findall(_TOKENS, text)) | set(re.findall(_WORDS, text))


# A file embedded in a page as a base64 data: URI (the published report's charts, the dbt docs
# site's fonts) is bytes written in base64: a name or number found inside that text is chance, not a
# leak. The page's own text is searched.
_EMBEDDED_IMAGE = re.compile(rb"data:[\w.+-]+/[\w.+-]+(?:;[\w.+-]+=[\w.+-]+)*;base64,[A-Za-z0-9+/=\s]+")
TEXT_SUFFIXES = (".csv", ".txt", ".json", ".log", ".html", ".md", "")


def without_embedded_images(data: bytes) -> bytes:
    return _EMBEDDED_IMAGE.sub(b"data:image;base64,", data)


def _scan_database(con: duckdb.DuckDBPyConnection, catalog: str, data: PersonData) -> list[str]:
    """Columns of `catalog` holding an input SSN, birth date or name word inside any value.

    One query for the whole catalog (every text column of every table, as (place, value) rows),
    not one per column: a warehouse has hundreds of columns, and the suite scans every output of
    every scenario."""
    con.execute(
        "create or replace temp table _needles as select unnest(?::varchar[]) as s", [sorted(data.tokens())]
    )
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_catalog = ? and table_name <> '_needles' and data_type in ('VARCHAR', 'DATE', 'JSON')",
        [catalog],
    ).fetchall()
    if not columns:
        return []
    values = " union all ".join(
        f"select {lit(f'{schema}.{table}.{column}')} as place, {ident(column)}::varchar as v "
        f"from {ident(catalog)}.{ident(schema)}.{ident(table)}"
        for schema, table, column in columns
    )
    rows = con.execute(
        f"with d as (select distinct place, v from ({values}) where v is not null), "
        f"t as (select distinct place, unnest(regexp_extract_all(v, '{_TOKENS_SQL}') "
        f"|| regexp_extract_all(v, '{_WORDS_SQL}')) as tok from d) "
        "select place, count(*) from t join _needles on t.tok = _needles.s group by place order by place"
    ).fetchall()
    return [f"{place}: {n} match(es)" for place, n in rows]


def scan_outputs(root: Path, data: PersonData, extra_text: str = "") -> list[str]:
    """Every place under `root` (and in `extra_text`, e.g. captured logs) holding person data."""
    hits: list[str] = []
    needles = data.text_needles()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix == ".duckdb":
            con = duckdb.connect(str(path), read_only=True)
            try:
                catalog = con.execute("select current_database()").fetchall()[0][0]
                hits += [f"{path.name}: {h}" for h in _scan_database(con, catalog, data)]
            finally:
                con.close()
            runs = {m.decode() for m in re.findall(rb"[0-9][0-9-]{7,9}[0-9]", path.read_bytes())}
            if runs & data.tokens():
                hits.append(f"{path.name}: raw bytes contain an input SSN, birth date or local id")
        elif path.suffix == ".parquet":
            con = duckdb.connect()
            try:
                con.execute(f"create view p as select * from read_parquet('{path}')")
                hits += [f"{path.relative_to(root)}: {h}" for h in _scan_database(con, "memory", data)]
            finally:
                con.close()
        elif path.suffix in TEXT_SUFFIXES:
            words = _text_tokens(without_embedded_images(path.read_bytes()).decode("utf-8", errors="replace"))
            if words & needles:
                hits.append(f"{path.relative_to(root)}: contains {len(words & needles)} input value(s)")
    if _text_tokens(extra_text) & needles:
        hits.append("captured output contains an input value")
    return hits
