"""Ingestion rules (docs/submission_manual.md §1, §5): the >10 % rule, SHA-256 duplicates, processing order,
later-wins amendments, exact duplicate lines, re-runs, encodings and headers, quarantine reports.

Most tests run ingestion only (fast); the amendment rules are checked where they take effect, in the
warehouse built by the real `dbt build` (one module-scoped build, then a re-run of it).
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dagster_project.identity import local_id_key, person_key
from dagster_project.landing.discovery import discover
from dagster_project.landing.ingest import FileResult, ingest_kind
from dagster_project.settings import Settings
from tests import pesc_samples as pesc
from tests.support.bad_files import csv_bytes, find_leaks, needles, person_row
from tests.support.landing import TRANSCRIPT_COLUMNS, WAGE_COLUMNS, LandingBuilder, Person, wage_row
from tests.support.pipeline import TEST_KEY, ler_run, query, rows_as_dicts
from tests.support.scenarios import Scenario, build_once

DUPLICATE, QUARANTINED = "DUPLICATE", "QUARANTINED"
LOADED, LOADED_WITH_REJECTS = "LOADED", "LOADED_WITH_REJECTS"


# -- helpers -----------------------------------------------------------------------------------------


def settings(root: Path) -> Settings:
    return Settings.load(
        {"landing_dir": root / "landing", "warehouse_dir": root / "warehouse", "hash_key": TEST_KEY},
        environ={},
    )


def ingest(root: Path, *kinds: str) -> dict[str, FileResult]:
    """Ingest the kinds (reference first when asked) and return the results by file name."""
    s = settings(root)
    results: dict[str, FileResult] = {}
    for kind in kinds:
        for r in ingest_kind(kind, s, warn=lambda _m: None).files:
            results[r.file.name] = r
    for name, r in results.items():
        c = r.counts
        assert c.rows_read == c.rows_loaded + c.rows_rejected + c.rows_duplicate, name
    return results


def counts(r: FileResult) -> tuple[int, int, int, int]:
    c = r.counts
    return c.rows_read, c.rows_loaded, c.rows_rejected, c.rows_duplicate


def lake(root: Path, table: str, where: str = "true") -> list[dict]:
    folder = (root / "warehouse" / "lake" / table).as_posix()
    con = duckdb.connect()
    try:
        cur = con.execute(
            f"select * from read_parquet('{folder}/*.parquet', union_by_name = true) "
            f"where {where} order by file_seq, line_number"
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def rejects(root: Path, kind: str, file_name: str) -> list[dict]:
    path = (root / "warehouse" / "lake" / "_audit" / f"rejected_rows__{kind}.parquet").as_posix()
    con = duckdb.connect()
    try:
        cur = con.execute(
            f"select * from read_parquet('{path}') where file_name = ? order by line_number", [file_name]
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def report_path(root: Path, kind: str, file_name: str) -> Path:
    return root / "warehouse" / "quarantine" / kind / f"{file_name}.errors.txt"


def key_of(p: Person) -> str:
    return person_key(TEST_KEY, p.ssn, p.last_name, p.first_name, p.birth_date)[0]


def write(path: Path, data: bytes, mtime: datetime | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


def reference(b: LandingBuilder) -> None:
    b.provider("P1", fice="001234")
    b.program("P1", "WELD")
    b.program("P1", "BUS", cip_code="52.0201", wpell_candidate="N")
    b.demand("51-4121")


# -- the >10 % rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("n_bad", "status"), [(2, LOADED_WITH_REJECTS), (3, QUARANTINED)])
def test_reject_rate_boundary(tmp_path: Path, n_bad: int, status: str) -> None:
    """rejected / read > 0.10 quarantines: 2 of 20 (exactly 10 %) loads with rejects, 3 of 20 does not."""
    b = LandingBuilder(tmp_path / "landing")
    people = [b.person() for _ in range(20)]
    rows = [wage_row(p, 2023, 1, "1000.00") for p in people]
    for i in range(n_bad):
        rows[5 + i]["quarter"] = "5"  # lines 7, 8 (, 9)
    write(tmp_path / "landing" / "wages" / "w_20240101.csv", csv_bytes(WAGE_COLUMNS, rows))

    r = ingest(tmp_path, "wages")["w_20240101.csv"]

    assert r.status == status, r.message
    bad_lines = [7 + i for i in range(n_bad)]
    assert [(x["line_number"], x["field"]) for x in rejects(tmp_path, "wages", r.file.name)] == [
        (line, "quarter") for line in bad_lines
    ]
    loaded = lake(tmp_path, "wages", f"file_name = '{r.file.name}'")
    if status == LOADED_WITH_REJECTS:
        assert counts(r) == (20, 18, 2, 0)
        assert len(loaded) == 18 and {x["line_number"] for x in loaded}.isdisjoint(bad_lines)
        assert not report_path(tmp_path, "wages", r.file.name).exists()
    else:
        assert counts(r) == (20, 0, 20, 0)  # nothing loads: every row counts as rejected
        assert "3 of 20" in r.message and "10%" in r.message
        assert loaded == []
        text = report_path(tmp_path, "wages", r.file.name).read_text(encoding="utf-8")
        for line in bad_lines:
            assert f"line {line}: quarter" in text


# -- duplicates by SHA-256 ---------------------------------------------------------------------------


def test_duplicate_files_by_sha256(tmp_path: Path) -> None:
    b = LandingBuilder(tmp_path / "landing")
    p1, p2 = b.person(), b.person()
    wages = tmp_path / "landing" / "wages"
    good = csv_bytes(WAGE_COLUMNS, [wage_row(p1, 2023, 1, "1000.00"), wage_row(p2, 2023, 1, "2000.00")])
    write(wages / "a_20240101.csv", good)
    write(wages / "b_20240201.csv", good)  # same bytes as a loaded file
    repeated = [wage_row(p1, 2022, q, "10.00") for q in (1, 2, 3, 4)] * 2  # 4 exact duplicate lines
    rest = [wage_row(p2, 2022, 1, "-1.00")] + [wage_row(p2, 2022, q, "5.00") for q in (2, 3)]
    with_rejects = csv_bytes(WAGE_COLUMNS, repeated + rest)
    write(wages / "c_20240101.csv", with_rejects)
    write(wages / "d_20240301.csv", with_rejects)  # same bytes as a LOADED_WITH_REJECTS file
    header_only = csv_bytes(WAGE_COLUMNS, [])
    write(wages / "e_20240101.csv", header_only)
    write(wages / "f_20240301.csv", header_only)  # same bytes as a QUARANTINED file

    results = ingest(tmp_path, "wages")

    assert results["a_20240101.csv"].status == LOADED
    b_ = results["b_20240201.csv"]
    assert b_.status == DUPLICATE and counts(b_) == (0, 0, 0, 0)
    assert "a_20240101.csv" in b_.message and "SHA-256" in b_.message
    assert results["c_20240101.csv"].status == LOADED_WITH_REJECTS
    assert counts(results["c_20240101.csv"]) == (11, 6, 1, 4)
    assert results["d_20240301.csv"].status == DUPLICATE and counts(results["d_20240301.csv"]) == (0, 0, 0, 0)
    # a quarantined file was never loaded, so the same content again is judged (and quarantined) again
    assert results["e_20240101.csv"].status == QUARANTINED
    assert results["f_20240301.csv"].status == QUARANTINED
    assert report_path(tmp_path, "wages", "f_20240301.csv").exists()
    # the duplicates load nothing and have no rejected rows of their own
    names = [x["file_name"] for x in lake(tmp_path, "wages")]
    assert sorted(set(names)) == ["a_20240101.csv", "c_20240101.csv"]
    assert names.count("a_20240101.csv") == 2
    assert rejects(tmp_path, "wages", "d_20240301.csv") == []


def test_duplicate_of_a_file_is_duplicate_whichever_name_sorts_first(tmp_path: Path) -> None:
    """The file earlier on the timeline loads; the later copy is the DUPLICATE (even if its name sorts
    first)."""
    b = LandingBuilder(tmp_path / "landing")
    data = csv_bytes(WAGE_COLUMNS, [wage_row(b.person(), 2023, 1, "1000.00")])
    write(tmp_path / "landing" / "wages" / "zz_20240101.csv", data)
    write(tmp_path / "landing" / "wages" / "aa_20240201.csv", data)
    results = ingest(tmp_path, "wages")
    assert results["zz_20240101.csv"].status == LOADED
    assert results["aa_20240201.csv"].status == DUPLICATE


# -- processing order --------------------------------------------------------------------------------


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_processing_order_stamp_then_mtime_then_name(tmp_path: Path) -> None:
    b = LandingBuilder(tmp_path / "landing")
    p = b.person()
    wages = tmp_path / "landing" / "wages"
    files = {  # name: mtime
        "a.csv": utc(2024, 2, 1, 12),  # no stamp: its mtime
        "b_20240201.csv": utc(2030, 1, 1),  # stamp 2024-02-01 00:00, whatever the mtime
        "c_20231231.csv": utc(2030, 1, 1),
        "d_20241399.csv": utc(2023, 6, 1),  # not a real date: its mtime
        "z_20240101.csv": utc(2030, 1, 1),
        "m.csv": utc(2024, 1, 1),  # same time as z's stamp: the name decides
    }
    for i, (name, mtime) in enumerate(files.items()):
        write(wages / name, csv_bytes(WAGE_COLUMNS, [wage_row(p, 2023, 1, f"{100 + i}.00")]), mtime)
    expected = ["d_20241399.csv", "c_20231231.csv", "m.csv", "z_20240101.csv", "b_20240201.csv", "a.csv"]

    found = discover(tmp_path / "landing", kinds=("wages",))
    assert [f.name for f in found] == expected
    assert [f.received_at for f in found] == [
        utc(2023, 6, 1),
        utc(2023, 12, 31),
        utc(2024, 1, 1),
        utc(2024, 1, 1),
        utc(2024, 2, 1),
        utc(2024, 2, 1, 12),
    ]

    results = ingest(tmp_path, "wages")
    seqs = [results[name].file.seq for name in expected]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    con = duckdb.connect()
    try:
        path = (tmp_path / "warehouse" / "lake" / "_audit" / "load_manifest__wages.parquet").as_posix()
        rows = con.execute(f"select file_name from read_parquet('{path}') order by file_seq").fetchall()
        order = [r[0] for r in rows]
    finally:
        con.close()
    assert order == expected


# -- amendments, resubmissions and re-runs (in the warehouse) ----------------------------------------


@dataclass
class AmendRun:
    root: Path
    people: dict[str, Person]
    results: dict[str, dict]


def amendment_landing(landing: Path) -> dict[str, Person]:
    """Write the amendments landing zone; returns its people (deterministic: same every call)."""
    b = LandingBuilder(landing)
    reference(b)
    ps = {name: b.person() for name in ("amended", "zeroed", "mtime", "tie", "within", "untouched", "late")}
    w = landing / "wages"

    write(
        w / "wages_20240101.csv",
        csv_bytes(
            WAGE_COLUMNS,
            [
                wage_row(ps["amended"], 2023, 1, "1000.00"),
                wage_row(ps["amended"], 2023, 2, "2000.00"),  # absent from the amendment: stays
                wage_row(ps["zeroed"], 2023, 1, "3000.00"),
                wage_row(ps["mtime"], 2023, 1, "500.00"),
                wage_row(ps["untouched"], 2023, 1, "4000.00"),
                wage_row(ps["late"], 2023, 1, "6000.00"),
            ],
        ),
    )
    write(
        w / "wages_20240201.csv",
        csv_bytes(
            WAGE_COLUMNS,
            [  # the amended report
                wage_row(ps["amended"], 2023, 1, "1500.00"),
                wage_row(ps["zeroed"], 2023, 1, "0.00"),  # a correction to zero, not a deletion
            ],
        ),
    )
    write(
        w / "amend.csv", csv_bytes(WAGE_COLUMNS, [wage_row(ps["mtime"], 2023, 1, "700.00")]), utc(2024, 3, 1)
    )  # no stamp: its mtime puts it after both stamped files
    write(w / "x_20240215.csv", csv_bytes(WAGE_COLUMNS, [wage_row(ps["tie"], 2023, 1, "111.00")]))
    write(w / "y_20240215.csv", csv_bytes(WAGE_COLUMNS, [wage_row(ps["tie"], 2023, 1, "222.00")]))
    # stamped before the first report, however recently it arrived: it loses
    write(w / "late_20231201.csv", csv_bytes(WAGE_COLUMNS, [wage_row(ps["late"], 2023, 1, "9999.00")]))
    within = [
        wage_row(ps["within"], 2023, 1, "100.00"),
        wage_row(ps["within"], 2023, 2, "300.00"),
        wage_row(ps["within"], 2023, 1, "200.00"),  # same key, later line: wins
        wage_row(ps["within"], 2023, 2, "300.00"),  # exact repeat: rows_duplicate, loaded once
    ]
    write(w / "within_20240301.csv", csv_bytes(WAGE_COLUMNS, within))

    # A resubmitted transcript replaces the earlier row for the same natural key; a key absent from
    # the resubmission stays.
    def award(day: str) -> dict[str, str]:
        return {"award_date": day, "enrollment_end_date": day, "exit_reason": "COMPLETED" if day else ""}

    first = [("amended", award("2021-11-10")), ("zeroed", award("")), ("untouched", award("2021-11-20"))]
    second = [("amended", award("2021-12-15")), ("zeroed", award("2022-01-05"))]
    for name, rows in (("transcripts_20230101.csv", first), ("transcripts_20230601.csv", second)):
        for who, values in rows:
            b.transcript(name, ps[who], "P1", "WELD", date(2021, 9, 1), **values)
    # the others are learners too (in another program): the warehouse keeps learners' wages only
    for who in ("mtime", "tie", "within", "late"):
        b.transcript("transcripts_20230101.csv", ps[who], "P1", "BUS", date(2021, 9, 1))
    # a worker in no education record: in the lake, but not in int_wages__records
    ps["worker"] = b.person()
    write(w / "worker_20240301.csv", csv_bytes(WAGE_COLUMNS, [wage_row(ps["worker"], 2023, 3, "800.00")]))
    b.write()
    return ps


@pytest.fixture(scope="module")
def amend_run(tmp_path_factory: pytest.TempPathFactory) -> AmendRun:
    """The amendments landing zone through the real `ler run`, once per session."""

    def build(s: Scenario) -> None:
        amendment_landing(s.landing)
        ler_run(s.landing, s.warehouse)

    run = build_once(tmp_path_factory, "amendments", build)
    people = amendment_landing(tmp_path_factory.mktemp("amendments_people") / "landing")
    results = {r["file_name"]: r for r in rows_as_dicts(run.db, "select * from audit.load_manifest")}
    return AmendRun(run.root, people, results)


def wage_values(db: Path, p: Person) -> dict[tuple[int, int], Decimal]:
    rows = query(
        db,
        "select wage_year, wage_quarter, wage_amount from intermediate.int_wages__records "
        "where person_key = ?",
        [key_of(p)],
    )
    return {(y, q): amount for y, q, amount in rows}


@pytest.mark.e2e
def test_amended_wage_report_replaces_values(amend_run: AmendRun) -> None:
    db = amend_run.root / "warehouse" / "warehouse.duckdb"
    ps = amend_run.people
    assert wage_values(db, ps["amended"]) == {(2023, 1): Decimal("1500.00"), (2023, 2): Decimal("2000.00")}
    assert wage_values(db, ps["untouched"]) == {(2023, 1): Decimal("4000.00")}


@pytest.mark.e2e
def test_correction_to_zero_is_kept_as_zero(amend_run: AmendRun) -> None:
    db = amend_run.root / "warehouse" / "warehouse.duckdb"
    p = amend_run.people["zeroed"]
    assert wage_values(db, p) == {(2023, 1): Decimal("0.00")}
    rows = query(
        db,
        "select earnings, is_employed from intermediate.int_wages__person_quarters where person_key = ?",
        [key_of(p)],
    )
    assert rows == [(Decimal("0.00"), False)]


@pytest.mark.e2e
def test_later_file_by_mtime_and_by_name_wins(amend_run: AmendRun) -> None:
    db = amend_run.root / "warehouse" / "warehouse.duckdb"
    ps = amend_run.people
    assert wage_values(db, ps["mtime"]) == {(2023, 1): Decimal("700.00")}  # amend.csv, mtime 2024-03-01
    assert wage_values(db, ps["tie"]) == {(2023, 1): Decimal("222.00")}  # y_ after x_, same stamp
    assert wage_values(db, ps["late"]) == {(2023, 1): Decimal("6000.00")}  # stamp 2023-12-01 is earlier


@pytest.mark.e2e
def test_within_a_file_later_line_wins_and_exact_repeat_is_duplicate(amend_run: AmendRun) -> None:
    db = amend_run.root / "warehouse" / "warehouse.duckdb"
    p = amend_run.people["within"]
    assert wage_values(db, p) == {(2023, 1): Decimal("200.00"), (2023, 2): Decimal("300.00")}
    row = amend_run.results["within_20240301.csv"]
    got = tuple(row[c] for c in ("status", "rows_read", "rows_loaded", "rows_rejected", "rows_duplicate"))
    assert got == (LOADED, 4, 3, 0, 1)
    assert "duplicate" in row["message"]
    loaded = lake(amend_run.root, "wages", "file_name = 'within_20240301.csv'")
    assert sorted(x["line_number"] for x in loaded) == [2, 3, 4]  # the repeat (line 5) loaded once


@pytest.mark.e2e
def test_wages_of_a_worker_in_no_education_record_stay_in_the_lake(amend_run: AmendRun) -> None:
    """int_wages__records keeps the SSN-keyed learners' wages (docs/reporting_rules.md §6): the
    worker's row is landed, not in the records; its quarter still counts for wage_data_through."""
    db = amend_run.root / "warehouse" / "warehouse.duckdb"
    worker = amend_run.people["worker"]
    assert amend_run.results["worker_20240301.csv"]["status"] == LOADED
    assert [x["wages"] for x in lake(amend_run.root, "wages", "file_name = 'worker_20240301.csv'")] == [
        Decimal("800.00")
    ]
    assert wage_values(db, worker) == {}
    in_records = "select count(*) from intermediate.int_wages__records where quarter_index = 8094"
    assert query(db, in_records) == [(0,)]  # 2023Q3: the worker's quarter
    assert query(db, "select wage_data_through from intermediate.int_wages__coverage") == [("2023Q3",)]


@pytest.mark.e2e
def test_resubmitted_transcript_replaces_earlier_row(amend_run: AmendRun) -> None:
    db = amend_run.root / "warehouse" / "warehouse.duckdb"
    ps = amend_run.people
    spells = {
        r["person_key"]: r
        for r in rows_as_dicts(
            db,
            "select person_key, award_date, exit_reason, file_name "
            "from marts.fct_enrollment_spells where program_id = 'WELD'",
        )
    }
    assert len(spells) == 3  # one spell per natural key, not one per submitted row
    assert spells[key_of(ps["amended"])]["award_date"] == date(2021, 12, 15)
    assert spells[key_of(ps["zeroed"])]["award_date"] == date(2022, 1, 5)
    assert spells[key_of(ps["untouched"])]["award_date"] == date(2021, 11, 20)  # absent later: stays
    assert spells[key_of(ps["untouched"])]["file_name"] == "transcripts_20230101.csv"


# -- encodings and headers ---------------------------------------------------------------------------


@dataclass
class EncodingRun:
    root: Path
    results: dict[str, FileResult]
    people: dict[str, Person]


def _transcript_rows(p: Person, student_id: str, **values: str) -> dict:
    defaults = {
        "student_id": student_id,
        "credits_attempted": "3",
        "credits_earned": "3",
        "pell_recipient": "N",
    }
    return person_row(p, TRANSCRIPT_COLUMNS, **(defaults | values))


@pytest.fixture(scope="module")
def enc_run(tmp_path_factory: pytest.TempPathFactory) -> EncodingRun:
    root = tmp_path_factory.mktemp("encodings")
    b = LandingBuilder(root / "landing")
    reference(b)
    b.write()
    t = root / "landing" / "transcripts"
    cols = TRANSCRIPT_COLUMNS
    ps = {
        "plain": Person(1, "100-11-0001", "Zoë", "De La Cruz", "1981-04-02"),
        "bom": Person(2, "100110002", "Ana", "Smith", "1982-05-03"),
        # no SSN, so the name makes the key; "Ž" is 0x8E in Windows-1252 but a control character in Latin-1
        "cp1252": Person(3, None, "José-Željko", "Müller", "1983-06-04"),
        "crlf": Person(4, "100110004", "Luis", "Garcia", "1984-07-05"),
        "headers": Person(5, "100110005", "Mary", "Okafor", "1985-08-06"),
        "us_dates": Person(6, "100110006", "Wei", "Nguyen", "1986-09-07"),
        "extra": Person(7, "100110007", "Omar", "Rossi", "1987-10-08"),
        "missing": Person(8, "100110008", "Priya", "Patel", "1988-11-09"),
    }
    write(t / "plain.csv", csv_bytes(cols, [_transcript_rows(ps["plain"], "S1")]))
    write(t / "bom.csv", csv_bytes(cols, [_transcript_rows(ps["bom"], "S2")], bom=True))
    write(t / "cp1252.csv", csv_bytes(cols, [_transcript_rows(ps["cp1252"], "S3")], encoding="cp1252"))
    write(t / "crlf.csv", csv_bytes(cols, [_transcript_rows(ps["crlf"], "S4")], newline="\r\n"))
    header = [f"  {c.title()} " if i % 2 else f" {c.upper()}" for i, c in enumerate(cols)]
    write(t / "headers.csv", csv_bytes(cols, [_transcript_rows(ps["headers"], "S5")], header=header))
    write(
        t / "us_dates.csv",
        csv_bytes(
            cols,
            [
                _transcript_rows(
                    ps["us_dates"],
                    "S6",
                    birth_date="09/07/1986",
                    enrollment_start_date="01/10/2022",
                    enrollment_end_date="5/3/2022",
                    award_date="05/03/2022",
                    exit_reason="COMPLETED",
                )
            ],
        ),
    )
    extra_cols = [*cols, "notes"]
    write(t / "extra.csv", csv_bytes(extra_cols, [dict(_transcript_rows(ps["extra"], "S7"), notes="see me")]))
    missing_cols = [c for c in cols if c != "program_id"]
    write(t / "missing.csv", csv_bytes(missing_cols, [_transcript_rows(ps["missing"], "S8")]))
    learner = pesc.Learner(
        school_id="S9",
        ssn="100110009",
        first="Ada",
        last="Quill",
        birth="1989-12-10",
        records=[
            pesc.Record(
                school=pesc.Org(fice="001234"),
                awards=[pesc.Award(level="IPEDS1", date="2022-05-01", programs=[pesc.Program("52.0201")])],
                sessions=[pesc.Session(begin="2022-01-10", end="2022-05-01")],
            )
        ],
    )
    ps["pesc"] = Person(9, "100110009", "Ada", "Quill", "1989-12-10")
    write(t / "pesc_utf16.xml", pesc.encode(pesc.transcript([learner]), "utf-16"))
    results = ingest(root, "reference", "transcripts")
    return EncodingRun(root, results, ps)


def lid(student_id: str, provider_id: str = "P1") -> str:
    """The lake's key of a provider's learner id (docs/submission_manual.md §4): the id itself is not kept."""
    return local_id_key(TEST_KEY, provider_id, student_id)


def lake_row(run: EncodingRun, student_id: str) -> dict:
    rows = lake(run.root, "transcripts", f"local_id_key = '{lid(student_id)}'")
    assert len(rows) == 1, rows
    return rows[0]


@pytest.mark.parametrize(
    ("name", "student_id"),
    [
        ("plain.csv", "S1"),
        ("bom.csv", "S2"),
        ("crlf.csv", "S4"),
        ("headers.csv", "S5"),
    ],
)
def test_utf8_with_or_without_bom_crlf_and_header_case_load_cleanly(
    enc_run: EncodingRun, name: str, student_id: str
) -> None:
    r = enc_run.results[name]
    assert r.status == LOADED and counts(r) == (1, 1, 0, 0), r.message
    assert r.message == ""  # nothing to warn about
    row = lake_row(enc_run, student_id)
    assert row["provider_id"] == "P1" and row["program_id"] == "BUS" and row["is_ssn_key"] is True
    assert row["pell_recipient"] is False  # the last column, read without a stray CR
    assert row["enrollment_start_date"] == date(2022, 1, 10)


def test_utf8_name_keys_like_the_identity_recipe(enc_run: EncodingRun) -> None:
    p = enc_run.people["plain"]
    assert lake_row(enc_run, "S1")["person_key"] == key_of(p)


def test_windows_1252_is_read_with_a_warning(enc_run: EncodingRun) -> None:
    r = enc_run.results["cp1252.csv"]
    assert r.status == LOADED and counts(r) == (1, 1, 0, 0)
    assert "Windows-1252" in r.message
    row = lake_row(enc_run, "S3")
    # no SSN, so the key is the HMAC of the name: equal only if "José-Željko Müller" was decoded
    # as Windows-1252 (Latin-1 would turn the Ž into a control character, and the key would differ)
    assert row["is_ssn_key"] is False
    assert row["person_key"] == person_key(TEST_KEY, None, "Müller", "José-Željko", "1983-06-04")[0]
    assert row["person_key"] != person_key(TEST_KEY, None, "Müller", "José-\x8eeljko", "1983-06-04")[0]
    manifest = enc_run.root / "warehouse" / "lake" / "_audit" / "load_manifest__transcripts.parquet"
    con = duckdb.connect()
    try:
        message = con.execute(
            f"select message from read_parquet('{manifest.as_posix()}') where file_name = 'cp1252.csv'"
        )
        assert "Windows-1252" in message.fetchall()[0][0]
    finally:
        con.close()


def test_us_dates_are_accepted(enc_run: EncodingRun) -> None:
    r = enc_run.results["us_dates.csv"]
    assert r.status == LOADED and counts(r) == (1, 1, 0, 0), r.message
    row = lake_row(enc_run, "S6")
    assert row["enrollment_start_date"] == date(2022, 1, 10)
    assert row["enrollment_end_date"] == date(2022, 5, 3)
    assert row["award_date"] == date(2022, 5, 3)
    assert row["birth_year"] == 1986


def test_unknown_extra_column_is_warned_and_ignored(enc_run: EncodingRun) -> None:
    r = enc_run.results["extra.csv"]
    assert r.status == LOADED and counts(r) == (1, 1, 0, 0)
    assert "notes" in r.message and "ignored" in r.message
    row = lake_row(enc_run, "S7")
    assert "notes" not in row and "see me" not in {str(v) for v in row.values()}


def test_missing_required_column_quarantines_naming_it(enc_run: EncodingRun) -> None:
    r = enc_run.results["missing.csv"]
    assert r.status == QUARANTINED and counts(r) == (0, 0, 0, 0)
    assert "missing required column" in r.message and "program_id" in r.message
    text = report_path(enc_run.root, "transcripts", "missing.csv").read_text(encoding="utf-8")
    assert "program_id" in text
    assert lake(enc_run.root, "transcripts", f"local_id_key = '{lid('S8')}'") == []


def test_utf16_pesc_xml_loads(enc_run: EncodingRun) -> None:
    r = enc_run.results["pesc_utf16.xml"]
    assert r.status == LOADED and counts(r) == (1, 1, 0, 0), r.message
    assert r.file.file_format == "pesc_xml"
    row = lake_row(enc_run, "S9")
    assert (row["provider_id"], row["cip_code"], row["source_award_code"]) == ("P1", "52.0201", "IPEDS1")
    assert row["award_date"] == date(2022, 5, 1) and row["enrollment_start_date"] == date(2022, 1, 10)
    assert row["person_key"] == key_of(enc_run.people["pesc"])


def test_encoding_outputs_hold_no_pii(enc_run: EncodingRun) -> None:
    leaks = find_leaks(enc_run.root / "warehouse", needles(list(enc_run.people.values())))
    assert not leaks, leaks


# -- quarantine reports ------------------------------------------------------------------------------


def test_quarantine_reports_name_each_problem_and_hold_no_values(tmp_path: Path) -> None:
    b = LandingBuilder(tmp_path / "landing")
    reference(b)
    b.write()
    t = tmp_path / "landing" / "transcripts"
    people = [
        Person(
            20 + i,
            f"100-12-{3000 + i}",
            f"Bartholomewa{chr(97 + i)}",
            f"Vanderbilta{chr(97 + i)}",
            f"1979-0{1 + i % 9}-1{i % 9}",
        )
        for i in range(10)
    ]
    # distinctive bad values, none of which may be echoed
    bad = {
        3: ("sex", "ZQXW"),
        5: ("race_ethnicity", "BOGUSRACE"),
        8: ("cip_code", "77.77777"),
        11: ("award_level", "QQ9"),
    }
    rows = []
    for i, p in enumerate(people):
        row = _transcript_rows(p, f"R{i}")
        line = i + 2
        if line in bad:
            column, value = bad[line]
            row[column] = value
        rows.append(row)
    write(t / "too_many_rejects.csv", csv_bytes(TRANSCRIPT_COLUMNS, rows))
    write(t / "header_only.csv", csv_bytes(TRANSCRIPT_COLUMNS, []))
    write(t / "no_program.csv", csv_bytes([c for c in TRANSCRIPT_COLUMNS if c != "program_id"], rows[:2]))
    write(t / "binary.csv", b"\x00\x01\x02" + os.urandom(64))
    write(t / "laughs.xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "Bartholomewaa">]><x>&a;</x>')

    results = ingest(tmp_path, "reference", "transcripts")

    expected_words = {
        "too_many_rejects.csv": [
            "4 of 10 rows rejected",
            "10%",
            *(f"line {ln}: {col}" for ln, (col, _) in bad.items()),
        ],
        "header_only.csv": ["no data rows"],
        "no_program.csv": ["missing required column", "program_id"],
        "binary.csv": ["binary"],
        "laughs.xml": ["DTD"],
    }
    values = needles(people) | {v for _c, v in bad.values()}
    reports = sorted(p.name for p in (tmp_path / "warehouse" / "quarantine" / "transcripts").iterdir())
    assert reports == sorted(f"{n}.errors.txt" for n in expected_words)
    for name, words in expected_words.items():
        assert results[name].status == QUARANTINED, (name, results[name].message)
        text = report_path(tmp_path, "transcripts", name).read_text(encoding="utf-8")
        assert name in text and "QUARANTINED" in text
        for word in words:
            assert word in text, (name, word, text)
        for value in values:
            assert value not in text, (name, value)
    # the rejected rows of the quarantined file are listed (line and field), with PII redacted
    listed = rejects(tmp_path, "transcripts", "too_many_rejects.csv")
    assert [(x["line_number"], x["field"]) for x in listed] == [(ln, col) for ln, (col, _) in bad.items()]
    assert all('"ssn":"<redacted>"' in x["record"].replace(" ", "") for x in listed)
    assert lake(tmp_path, "transcripts") == []
    leaks = find_leaks(tmp_path / "warehouse", needles(people))
    assert not leaks, leaks


def test_stale_reports_go_when_the_file_is_fixed(tmp_path: Path) -> None:
    """A re-run replaces the quarantine folder: a report does not outlive the problem."""
    b = LandingBuilder(tmp_path / "landing")
    data = csv_bytes(WAGE_COLUMNS, [])
    path = write(tmp_path / "landing" / "wages" / "w_20240101.csv", data)
    ingest(tmp_path, "wages")
    assert report_path(tmp_path, "wages", path.name).exists()
    write(path, csv_bytes(WAGE_COLUMNS, [wage_row(b.person(), 2023, 1, "10.00")]))
    assert ingest(tmp_path, "wages")[path.name].status == LOADED
    assert not report_path(tmp_path, "wages", path.name).exists()


def test_landing_zone_is_never_modified(tmp_path: Path) -> None:
    b = LandingBuilder(tmp_path / "landing")
    reference(b)
    p = b.person()
    b.wage("wages_20240101.csv", p, 2023, 1, 10.0)
    b.transcript("bad_20240101.csv", p, "P1", "WELD", date(2021, 9, 1), sex="??")
    b.write()
    write(tmp_path / "landing" / "transcripts" / "empty_20240101.csv", b"")

    def state() -> dict[Path, tuple[bytes, int]]:
        files = (q for q in (tmp_path / "landing").rglob("*") if q.is_file())
        return {q: (q.read_bytes(), q.stat().st_mtime_ns) for q in files}

    before = state()
    ingest(tmp_path, "reference", "transcripts", "noncredit", "wages")
    assert state() == before


def test_bom_only_file_is_empty(tmp_path: Path) -> None:
    write(tmp_path / "landing" / "wages" / "bom_20240101.csv", codecs.BOM_UTF8)
    r = ingest(tmp_path, "wages")["bom_20240101.csv"]
    assert r.status == QUARANTINED and "empty" in r.message


def test_reject_line_number_is_the_physical_line_after_a_multiline_field(tmp_path: Path) -> None:
    """A quoted field with line breaks spans several lines; a later reject still names the line an
    institution finds in its own file."""
    b = LandingBuilder(tmp_path / "landing")
    reference(b)
    b.write()
    people = [Person(40 + i, f"100-13-{4000 + i}", "Ana", "Smith", "1980-01-01") for i in range(12)]
    rows = [_transcript_rows(p, f"M{i}") for i, p in enumerate(people)]
    rows[0]["award_title"] = "Welding\nLevel 1\nNight class"  # lines 2-4
    rows[1]["sex"] = "??"  # physical line 5
    rows[11]["race_ethnicity"] = "??"  # physical line 15
    data = csv_bytes(TRANSCRIPT_COLUMNS, rows, newline="\r\n")
    write(tmp_path / "landing" / "transcripts" / "multi.csv", data)
    r = ingest(tmp_path, "reference", "transcripts")["multi.csv"]
    assert r.status == QUARANTINED  # 2 of 12 > 10 %
    assert [(x["line_number"], x["field"]) for x in rejects(tmp_path, "transcripts", "multi.csv")] == [
        (5, "sex"),
        (15, "race_ethnicity"),
    ]
    text = report_path(tmp_path, "transcripts", "multi.csv").read_text(encoding="utf-8")
    assert "line 5: sex" in text and "line 15: race_ethnicity" in text


def test_unterminated_quote_does_not_swallow_the_rest_of_the_file(tmp_path: Path) -> None:
    """An opening quote never closed (line 21 of 41) makes the CSV parser read every later line into
    one field. Nothing may be lost silently (§5, issue item 2): the file is either quarantined as
    structurally wrong, naming the line, or every one of its 40 data lines is accounted for."""
    b = LandingBuilder(tmp_path / "landing")
    people = [b.person() for _ in range(40)]
    lines = csv_bytes(WAGE_COLUMNS, [wage_row(p, 2023, 1, "100.00") for p in people]).decode().split("\n")
    lines[20] = lines[20].replace("1000000001", '"1000000001', 1)  # physical line 21
    write(tmp_path / "landing" / "wages" / "open_quote.csv", "\n".join(lines).encode())
    r = ingest(tmp_path, "wages")["open_quote.csv"]
    if r.status == QUARANTINED:
        assert "line 21" in r.message, r.message
    else:
        assert r.counts.rows_read == 40, (r.status, counts(r), r.message)


def test_a_quarantined_file_before_a_file_of_another_layout(tmp_path: Path) -> None:
    """A structural error in the last file of one layout must not leave its raw table for the next."""
    from dagster_project.landing.ingest import ingest_kind
    from dagster_project.settings import Settings

    b = LandingBuilder(tmp_path / "landing")
    b.provider("P1", fice="001234")
    b.program("P1", "W1")
    p = b.person()
    b.transcript("TRN_20240101.csv", p, "P1", "W1", date(2023, 9, 1), award=date(2023, 12, 1))
    b.write()
    (tmp_path / "landing" / "transcripts" / "TRN_20240102.csv").write_text("provider_id\nP1\n")
    (tmp_path / "landing" / "transcripts" / "pesc_20240103.xml").write_text(
        "<CollegeTranscript><Student><Person><SchoolAssignedPersonID>S1</SchoolAssignedPersonID><SSN>123456789</SSN><Name><FirstName>A</FirstName>"
        "<LastName>B</LastName></Name></Person><AcademicRecord><School><FICE>001234</FICE></School>"
        "<AcademicSession><AcademicSessionDetail><SessionBeginDate>2023-01-01</SessionBeginDate>"
        "</AcademicSessionDetail></AcademicSession></AcademicRecord></Student></CollegeTranscript>"
    )
    s = Settings.load(
        {"landing_dir": tmp_path / "landing", "warehouse_dir": tmp_path / "wh", "hash_key": TEST_KEY},
        environ={},
    )
    ingest_kind("reference", s)
    statuses = {r.file.name: r.status for r in ingest_kind("transcripts", s).files}
    assert statuses == {
        "TRN_20240101.csv": "LOADED",
        "TRN_20240102.csv": "QUARANTINED",
        "pesc_20240103.xml": "LOADED",
    }
