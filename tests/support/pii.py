"""Find person data of the landing zone in any output: DuckDB files, Parquet, CSV, reports, logs.

The values come from the same readers the pipeline uses (so XML, JSON and ICESA files count too,
including files that were quarantined). SSNs are searched as substrings (9 digits, with or without
dashes); names and birth dates as whole column values in tables and as substrings in text files
(names only when they are 4+ letters, to avoid matching inside ordinary words).
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

PII_COLUMNS = ("ssn", "first_name", "last_name", "birth_date")


@dataclass
class PersonData:
    ssns: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    birth_dates: set[str] = field(default_factory=set)

    def tokens(self) -> set[str]:
        """What a leak would look like inside any value: SSNs (plain or dashed), birth dates, and the
        4+ letter words of names that are not also codes of the layouts (a last name "White" is also
        the race code WHITE)."""
        found = set(self.ssns) | {f"{s[:3]}-{s[3:5]}-{s[5:]}" for s in self.ssns} | set(self.birth_dates)
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
        cols = [x for x in PII_COLUMNS if x in c.column_names]
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
                        else:
                            found.names.add(value)
        except StructuralError:
            continue
    return found


# a value split into the tokens a leak would show as: digit runs (with dashes) and letter runs
_TOKENS = r"[0-9][0-9-]*[0-9]|[^\W\d_]+"


def _scan_database(con: duckdb.DuckDBPyConnection, catalog: str, data: PersonData) -> list[str]:
    """Columns of `catalog` holding an input SSN, birth date or name word inside any value."""
    con.execute(
        "create or replace temp table _needles as select unnest(?::varchar[]) as s", [sorted(data.tokens())]
    )
    hits = []
    columns = con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_name <> '_needles'",
        [catalog],
    ).fetchall()
    for schema, table, column, dtype in columns:
        if dtype not in ("VARCHAR", "DATE", "JSON"):
            continue
        rel = f'"{catalog}"."{schema}"."{table}"'
        n = con.execute(
            f'with d as (select distinct "{column}"::varchar as v from {rel}), '
            f"t as (select distinct unnest(regexp_extract_all(v, '{_TOKENS}')) as tok from d) "
            "select count(*) from t join _needles on t.tok = _needles.s"
        ).fetchall()[0][0]
        if n:
            hits.append(f"{schema}.{table}.{column}: {n} match(es)")
    return hits


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
                hits.append(f"{path.name}: raw bytes contain an input SSN or birth date")
        elif path.suffix == ".parquet":
            con = duckdb.connect()
            try:
                con.execute(f"create view p as select * from read_parquet('{path}')")
                hits += [f"{path.relative_to(root)}: {h}" for h in _scan_database(con, "memory", data)]
            finally:
                con.close()
        elif path.suffix in (".csv", ".txt", ".json", ".log", ""):
            words = set(re.findall(_TOKENS, path.read_text(encoding="utf-8", errors="replace")))
            if words & needles:
                hits.append(f"{path.relative_to(root)}: contains {len(words & needles)} input value(s)")
    if set(re.findall(_TOKENS, extra_text)) & needles:
        hits.append("captured output contains an input value")
    return hits
