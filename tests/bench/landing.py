"""The bench's landing zones: the sample, a mid-size and a state-size state, and one night's files.

Every size starts from the deterministic sample generator (`sample_data.generate`); mid and state add
*filler* wage files: workers who are in no education record, so the outcome tables of every size
built on the same learners are identical (a check the bench makes) while the wage rows grow tenfold.
DuckDB writes the filler and the nightly files straight from SQL (no Python per row): 50 M rows take
a few minutes on two cores. Filler SSNs are valid (docs/submission_manual.md §4) and never equal an SSN-like
token of the sample's education or wage files.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[2]
# One quarter's UI wage file arrives on the 15th of the second month after the quarter (as the sample).
NEW_QUARTER = (2025, 3)
NEW_QUARTER_STAMP = date(2025, 11, 15)
AMENDED_QUARTER = (2025, 2)
AMENDED_STAMP = date(2025, 11, 20)
TRANSCRIPT_STAMP = date(2025, 11, 20)
# Valid SSNs (area 001-899 but 666, group 01-99, serial 0001-9999), numbered 0..SSN_SPACE-1; worker w
# gets number (w * SSN_STRIDE + 7) mod SSN_SPACE, a bijection because the stride is a prime that does
# not divide the space.
SSN_SPACE = 898 * 99 * 9999
SSN_STRIDE = 1_000_003
FILLER_TAG = "filler"
# A maximal run of digits and dashes shaped like an SSN (dates such as 2024-01-15 are not).
_SSN_TOKEN = re.compile(r"(?<![0-9-])[0-9]{3}-?[0-9]{2}-?[0-9]{4}(?![0-9-])")


@dataclass(frozen=True)
class Size:
    name: str
    learners: int
    wage_rows: int  # the landing zone's wage rows in total (sample + filler); 0 = the sample alone


def stamp_time(d: date) -> float:
    return datetime(d.year, d.month, d.day, 6, 0, tzinfo=UTC).timestamp()


def generate_sample(out: Path, learners: int) -> None:
    subprocess.run(
        [sys.executable, "-m", "sample_data.generate", "--out", str(out), "--learners", str(learners)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )


def _wage_csvs(landing: Path) -> str:
    return str(landing / "wages" / "*.csv")


def _connect(threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    if threads:
        con.execute(f"set threads = {int(threads)}")
    if memory_limit:
        con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute("set preserve_insertion_order = true")
    return con


def wage_rows(landing: Path) -> int:
    """Data lines of the landing zone's wage CSVs (the ICESA report is not counted)."""
    con = _connect()
    try:
        return con.execute(
            f"select count(*) from read_csv('{_wage_csvs(landing)}', columns = {{'line': 'VARCHAR'}}, "
            "delim = chr(31), quote = '', escape = '', header = true, auto_detect = false) "
            "where line is not null"
        ).fetchone()[0]
    finally:
        con.close()


def _used_ssns(con: duckdb.DuckDBPyConnection, landing: Path) -> None:
    """`_used`: every SSN-like token (9 digits, dashes allowed) in the sample's text files.

    Files are decoded whole (UTF-16 PESC transcripts too) and searched by one C regex each."""
    found: set[str] = set()
    for kind in ("transcripts", "noncredit", "wages"):
        for path in (landing / kind).iterdir():
            data = path.read_bytes()
            text = (
                data.decode("utf-16")
                if data[:2] in (b"\xff\xfe", b"\xfe\xff")
                else data.decode("utf-8", errors="replace")
            )
            found.update(t.replace("-", "") for t in _SSN_TOKEN.findall(text))
    con.register("_found", pa.table({"ssn": pa.array(sorted(found), pa.string())}))
    con.execute("create or replace temp table _used as select ssn from _found")
    con.unregister("_found")


def _quarters(con: duckdb.DuckDBPyConnection, landing: Path) -> list[tuple[int, int]]:
    """The (year, quarter) pairs of the sample's wage files, from their names (`..._2016Q1_...`)."""
    names = sorted(p.name for p in (landing / "wages").iterdir())
    found = set()
    for name in names:
        for part in name.split("_"):
            if len(part) == 6 and part[4] == "Q" and part[:4].isdigit() and part[5] in "1234":
                found.add((int(part[:4]), int(part[5])))
    return sorted(found)


def filing_stamp(year: int, quarter: int) -> date:
    month = quarter * 3 + 2
    return date(year + (month > 12), (month - 1) % 12 + 1, 15)


def write_filler(
    landing: Path, rows: int, *, threads: int | None = None, memory_limit: str | None = None
) -> int:
    """Add about `rows` wage rows of filler workers, one file per quarter of the sample; return the
    rows written."""
    if rows <= 0:
        return 0
    con = _connect(threads, memory_limit)
    try:
        _used_ssns(con, landing)
        quarters = _quarters(con, landing)
        workers = -(-rows // len(quarters))  # about one row per worker and quarter (see below)
        con.execute(f"""
            create or replace temp table _workers as
            with n as (select w, (w * {SSN_STRIDE} + 7) % {SSN_SPACE} as i from range({workers}) t(w)),
            d as (select w, i // (99 * 9999) + 1 as a, (i // 9999) % 99 + 1 as g, i % 9999 + 1 as s from n)
            select w, lpad((a + (a >= 666)::int)::varchar, 3, '0') || lpad(g::varchar, 2, '0')
                      || lpad(s::varchar, 4, '0') as ssn
            from d
        """)
        con.execute("delete from _workers where ssn in (select ssn from _used)")
        written = 0
        for year, quarter in quarters:
            path = (
                landing
                / "wages"
                / f"ui_wages_{year}Q{quarter}_{FILLER_TAG}_{filing_stamp(year, quarter):%Y%m%d}.csv"
            )
            qn = year * 4 + quarter
            # 93 % of workers have one job in a quarter, 7 % of those a second one: ~1.0 row per worker.
            con.execute(f"""
                copy (
                    with jobs as (
                        select w, ssn, j, hash(w, {qn}, j) as h from _workers, range(2) t(j)
                        where (j = 0 and hash(w, {qn}) % 100 < 93)
                           or (j = 1 and hash(w, {qn}) % 100 < 93 and hash(w, {qn}, 1) % 100 < 7)
                    )
                    select ssn,
                           list_extract(['SMITH','JOHNSON','LEE','GARCIA','NGUYEN','BROWN','OLSON',
                                         'MARTINEZ'], (hash(w) % 8 + 1)::int) as last_name,
                           list_extract(['ANA','BEN','CHLOE','DEV','ELLA','FINN','GUS','HANA'],
                                        (hash(w, 7) % 8 + 1)::int) as first_name,
                           (6000000000 + j * 100000000 + hash(w, j) % 250000)::varchar as employer_account,
                           lpad(((hash(w, j) % 250000) * 3571 % 999999999)::varchar, 9, '0') as employer_fein,
                           {year} as year, {quarter} as quarter,
                           printf('%.2f', (1200 + (h % 2500000) / 100.0)::double) as wages,
                           list_extract(['236220','311612','445110','541511','561320','622110','722511',
                                         '811111'], (hash(w, j) % 8 + 1)::int) as naics_code,
                           '27' || lpad((hash(w, j) % 87 * 2 + 1)::varchar, 3, '0') as county_fips,
                           case when h % 4 = 0 then ''
                                else printf('%.1f', (200 + h % 320)::double) end as hours
                    from jobs order by w, j
                ) to '{path}' (header, delimiter ',', quote '"')
            """)
            written += con.fetchone()[0]
            os.utime(path, (stamp_time(filing_stamp(year, quarter)),) * 2)
        return written
    finally:
        con.close()


def build(size: Size, out: Path, *, threads: int | None = None, memory_limit: str | None = None) -> dict:
    """Write `size`'s landing zone under `out`; return what it holds."""
    generate_sample(out, size.learners)
    sample_rows = wage_rows(out)
    filler = write_filler(out, size.wage_rows - sample_rows, threads=threads, memory_limit=memory_limit)
    csv_bytes = sum(
        p.stat().st_size
        for k in ("reference", "transcripts", "noncredit", "wages")
        for p in (out / k).glob("*.csv")
    )
    return {
        "learners": size.learners,
        "wage_rows": sample_rows + filler,
        "filler_rows": filler,
        "csv_mb": round(csv_bytes / 1e6, 1),
    }


def nightly_files(landing: Path) -> list[Path]:
    """One night's new files: a new wage quarter, an amended quarter and a new transcript file.

    Written from the landing zone's own files by SQL, so every size gets the same learners' changes
    (the filler's new quarter grows with the size). Returns the paths added (remove them to go back).
    """
    con = _connect()
    added: list[Path] = []
    try:
        (y, q), (ay, aq) = NEW_QUARTER, AMENDED_QUARTER
        wages = landing / "wages"
        for src in sorted(wages.glob(f"ui_wages_{ay}Q{aq}_*.csv")):
            if "amended" in src.name:
                continue
            tag = f"_{FILLER_TAG}" if FILLER_TAG in src.name else ""
            out = wages / f"ui_wages_{y}Q{q}{tag}_{NEW_QUARTER_STAMP:%Y%m%d}.csv"
            con.execute(f"""
                copy (select * replace ('{y}' as year, '{q}' as quarter,
                                        printf('%.2f', round(wages::decimal(18,2) * 1.02, 2)) as wages)
                      from read_csv('{src}', all_varchar = true, header = true))
                to '{out}' (header, delimiter ',', quote '"')
            """)
            os.utime(out, (stamp_time(NEW_QUARTER_STAMP),) * 2)
            added.append(out)
            if not tag:  # the amendment: every 10th row of the learners' file, wages corrected
                amended = wages / f"ui_wages_{ay}Q{aq}_amended_{AMENDED_STAMP:%Y%m%d}.csv"
                con.execute(f"""
                    copy (select * exclude (_n) replace (
                                 printf('%.2f', round(wages::decimal(18,2) * 1.1, 2)) as wages)
                          from (select *, row_number() over () as _n
                                from read_csv('{src}', all_varchar = true, header = true))
                          where _n % 10 = 0)
                    to '{amended}' (header, delimiter ',', quote '"')
                """)
                os.utime(amended, (stamp_time(AMENDED_STAMP),) * 2)
                added.append(amended)
        latest = sorted((landing / "transcripts").glob("TRN_*_2024-25_*.csv"))[0]
        provider = latest.name.split("_")[1]
        trn = landing / "transcripts" / f"TRN_{provider}_2024-25_{TRANSCRIPT_STAMP:%Y%m%d}.csv"
        # a resubmission: spells still running at the extract are now completed, every third awarded
        con.execute(f"""
            copy (select * exclude (_n) replace (
                         case when enrollment_end_date is null then 'COMPLETED' else exit_reason end
                             as exit_reason,
                         coalesce(enrollment_end_date, '2025-10-31') as enrollment_end_date,
                         case when enrollment_end_date is null and _n % 3 = 0 then '2025-10-31'
                              else award_date end as award_date)
                  from (select *, row_number() over () as _n
                        from read_csv('{latest}', all_varchar = true, header = true)))
            to '{trn}' (header, delimiter ',', quote '"')
        """)
        os.utime(trn, (stamp_time(TRANSCRIPT_STAMP),) * 2)
        added.append(trn)
        return added
    finally:
        con.close()
