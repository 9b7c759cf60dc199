"""The bad-input corpus (LER_SPEC.md §5, issue item 7): clear errors, nothing lost, nothing leaked.

One small baseline landing zone is built once. Each corpus file (tests/support/bad_files.py) is then
dropped into a copy of it and the landing zone is ingested; for each the test checks that the run
succeeds, the file's manifest row has the right status, counts and a message that says why, every
manifest row keeps rows_read = rows_loaded + rows_rejected + rows_duplicate, rejected rows carry
line and field, quarantined files get an error report, the outcomes equal the baseline's, and no SSN,
name or birth date of any input reaches any output.

"Outcomes equal the baseline's" is checked in two ways. For a representative subset (BUILT) the
warehouse is built with the real `dbt build` and the three outcome tables are compared in full. For
the others the *effective lake* is compared: the rows dbt reads after later-wins (one row per
natural key, bookkeeping columns dropped); dbt is a function of the lake, so equal effective lakes
give equal outcomes. Finally the whole corpus at once goes through the real `ler run` (Dagster).

Every corpus file is chosen so it must not change the outcomes (see `why_outcomes_unchanged`): it is
quarantined, or it resubmits baseline rows unchanged (later-wins with equal values) next to rows that
must be rejected (a 2024 Q1 or quarter-5 wage, which would move wage_data_through or earnings if
loaded), or it adds only enrollments without an award in BUS, a program that is no Workforce Pell
candidate and has no completers, so no outcome row counts them.
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from dagster_project.landing.ingest import ingest_kind
from dagster_project.settings import Settings
from tests.support.bad_files import (
    LOADED,
    PII_COLUMNS,
    QUARANTINED,
    BadFile,
    Baseline,
    baseline,
    corpus,
    csv_pii_values,
    find_leaks,
    needles,
)
from tests.support.pipeline import TEST_KEY, build_warehouse, ler_run, query, rows_as_dicts

pytestmark = pytest.mark.e2e

KINDS = ("reference", "transcripts", "noncredit", "wages")
OUTCOME_TABLES = ("wpell_program_outcomes", "program_outcomes", "statewide_outcomes")
BOOKKEEPING = ("file_name", "file_seq", "line_number")
# Natural key of each lake table as dbt applies it (person_key stands for the SSN of a wage row).
LAKE_KEYS = {
    "transcripts": ("source_format", "provider_id", "student_id", "program_id", "enrollment_start_date"),
    "noncredit": ("source_format", "provider_id", "learner_id", "program_id", "start_date"),
    "wages": ("person_key", "employer_account", "year", "quarter"),
}
CORPUS_IDS = [
    "empty_file",
    "header_only",
    "binary_garbage",
    "truncated_rows",
    "wrong_delimiter",
    "huge_field",
    "billion_laughs",
    "malformed_xml",
    "deep_json",
    "very_deep_json",
    "invalid_dates_codes",
    "invalid_ssn_transcript",
    "negative_wages",
    "quarter_5",
    "invalid_ssn_wage",
    "duplicate_keys",
    "windows_1252",
    "bom_crlf_upper_header",
    "unsupported_extension",
]
# Built with dbt: a file with a rejected row, later-wins within a file, a re-encoded resubmission
# and a file that adds rows of its own (quarantined files: the whole-corpus run below).
BUILT = {"negative_wages", "duplicate_keys", "windows_1252", "invalid_ssn_transcript"}


@dataclass
class BaseRun:
    base: Baseline
    landing: Path
    warehouse: Path
    outcomes: dict[str, list[tuple]]
    lake: dict[str, list[tuple]]
    manifest: dict[str, dict]
    pii: set[str]


def outcome_tables(db: Path, schema: str = "marts") -> dict[str, list[tuple]]:
    return {t: query(db, f"select * from {schema}.{t} order by all") for t in OUTCOME_TABLES}


def effective_lake(warehouse: Path) -> dict[str, list[tuple]]:
    """The lake rows dbt works from after later-wins, without file bookkeeping, sorted."""
    out = {}
    for table, key in LAKE_KEYS.items():
        files = (warehouse / "lake" / table).as_posix() + "/*.parquet"
        rows = rows_as_dicts(
            None,
            f"select * exclude ({', '.join(BOOKKEEPING)}) "
            f"from read_parquet('{files}', union_by_name = true) "
            f"qualify row_number() over (partition by {', '.join(key)} "
            "order by file_seq desc, line_number desc) = 1 order by all",
        )
        out[table] = [tuple(r.values()) for r in rows]
    return out


def manifest_rows(warehouse: Path) -> dict[str, dict]:
    audit = (warehouse / "lake" / "_audit").as_posix()
    rows = rows_as_dicts(None, f"select * from read_parquet('{audit}/load_manifest__*.parquet')")
    by_name = {r["file_name"]: r for r in rows}
    assert len(by_name) == len(rows), "file names in the test landing zones are unique"
    return by_name


def rejected_rows(warehouse: Path) -> list[dict]:
    audit = (warehouse / "lake" / "_audit").as_posix()
    return rows_as_dicts(
        None,
        f"select * from read_parquet('{audit}/rejected_rows__*.parquet') order by file_name, line_number",
    )


def lake_rows_of(warehouse: Path, table: str, file_name: str) -> list[dict]:
    folder = (warehouse / "lake" / table).as_posix()
    return rows_as_dicts(
        None,
        f"select * from read_parquet('{folder}/*.parquet', union_by_name = true) where file_name = ?",
        [file_name],
    )


def ingest(landing: Path, warehouse: Path) -> dict[str, list]:
    settings = Settings.load(
        {"landing_dir": landing, "warehouse_dir": warehouse, "hash_key": TEST_KEY}, environ={}
    )
    return {kind: ingest_kind(kind, settings, warn=lambda _m: None).files for kind in KINDS}


def landing_pii(landing: Path) -> set[str]:
    values: set[str] = set()
    for path in landing.rglob("*.csv"):
        values |= csv_pii_values(path.read_bytes())
    return values


def prepare(root: Path, base_landing: Path, bad: list[BadFile]) -> Path:
    """A copy of the baseline landing zone with the bad files added; returns the landing folder."""
    landing = root / "landing"
    shutil.copytree(base_landing, landing)
    for bf in bad:
        (landing / bf.kind / bf.name).write_bytes(bf.content)
    return landing


@pytest.fixture(scope="module")
def base_landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Baseline, Path]:
    landing = tmp_path_factory.mktemp("bad_input_baseline") / "landing"
    return baseline(landing), landing


@pytest.fixture(scope="module")
def bad_files(base_landing: tuple[Baseline, Path]) -> dict[str, BadFile]:
    return {f.id: f for f in corpus(base_landing[0])}


@pytest.fixture(scope="module")
def builds(
    base_landing: tuple[Baseline, Path],
    bad_files: dict[str, BadFile],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Future]:
    """The baseline and the BUILT cases, built two at a time (each `dbt build` has its own target
    folder); each future's result is the warehouse folder, or the build's exception."""
    landings = {"baseline": base_landing[1]}
    for case_id in sorted(BUILT):
        root = tmp_path_factory.mktemp(f"corpus_{case_id}")
        landings[case_id] = prepare(root, base_landing[1], [bad_files[case_id]])

    def build(landing: Path) -> Path:
        build_warehouse(landing, landing.parent / "warehouse")  # raises unless ingestion and dbt succeed
        return landing.parent / "warehouse"

    with ThreadPoolExecutor(max_workers=2) as pool:
        return {case_id: pool.submit(build, landing) for case_id, landing in landings.items()}


@pytest.fixture(scope="module")
def base_run(base_landing: tuple[Baseline, Path], builds: dict[str, Future]) -> BaseRun:
    base, landing = base_landing
    warehouse = builds["baseline"].result()
    db = warehouse / "warehouse.duckdb"
    outcomes = outcome_tables(db)
    # the baseline is meaningful: both programs have outcomes, with employment and a completion rate
    programs = rows_as_dicts(db, "select program_id, n_completers, n_employed_q2 from marts.program_outcomes")
    assert {r["program_id"] for r in programs} == {"CNA", "WELD"}
    assert all(r["n_employed_q2"] > 0 for r in programs)
    wpell = rows_as_dicts(db, "select n_cohort, completion_rate from marts.wpell_program_outcomes")
    assert len(wpell) == 1 and wpell[0]["n_cohort"] == 12 and wpell[0]["completion_rate"] is not None
    pii = needles(base.people) | landing_pii(landing)
    assert not find_leaks(warehouse, pii), "the baseline itself leaks PII"
    return BaseRun(
        base, landing, warehouse, outcomes, effective_lake(warehouse), manifest_rows(warehouse), pii
    )


def test_corpus_covers_every_case(bad_files: dict[str, BadFile]) -> None:
    assert sorted(bad_files) == sorted(CORPUS_IDS)
    assert len({(f.kind, f.name) for f in bad_files.values()}) == len(bad_files)
    assert set(CORPUS_IDS) >= BUILT and len(BUILT) >= 4


def file_pii(bf: BadFile) -> set[str]:
    values = needles(bf.people, bf.pii_extra)
    if bf.name.endswith(".csv"):
        values |= csv_pii_values(bf.content)
    return values


def check_manifest_and_rejects(bf: BadFile, base_run: BaseRun, warehouse: Path) -> None:
    manifest = manifest_rows(warehouse)
    # every file, bad or not, has exactly one manifest row, and the invariant holds for each
    assert set(manifest) == set(base_run.manifest) | {bf.name}
    for name, row in manifest.items():
        assert row["rows_read"] == row["rows_loaded"] + row["rows_rejected"] + row["rows_duplicate"], name
    # the baseline files are unaffected by the bad file
    for name, row in base_run.manifest.items():
        now = manifest[name]
        assert (now["status"], now["rows_loaded"]) == (row["status"], row["rows_loaded"]), name

    row = manifest[bf.name]
    assert row["status"] == bf.status, row["message"]
    assert row["source_kind"] == bf.kind
    for word in bf.words:
        assert word.lower() in (row["message"] or "").lower(), (word, row["message"])
    if bf.status == LOADED and not bf.words:
        assert "column" not in (row["message"] or ""), row["message"]  # no header warning
    if bf.counts is not None:
        got = (row["rows_read"], row["rows_loaded"], row["rows_rejected"], row["rows_duplicate"])
        assert got == bf.counts

    rejects = rejected_rows(warehouse)
    assert {r["file_name"] for r in rejects} <= {bf.name}, "only the bad file has rejected rows"
    mine = [r for r in rejects if r["file_name"] == bf.name]
    assert [r["line_number"] for r in mine] == [line for line, _f in bf.rejects]
    for r, (line, field) in zip(mine, bf.rejects, strict=True):
        assert r["field"], r
        if field is not None:
            assert r["field"] == field, r
        assert r["reason"] and r["reason"].startswith(r["field"]), r
        if line in bf.reason_words:
            assert bf.reason_words[line] in r["reason"], r
        record = json.loads(r["record"])
        for pii_column in PII_COLUMNS:
            assert record.get(pii_column) in (None, "<redacted>"), r

    report = warehouse / "quarantine" / bf.kind / f"{bf.name}.errors.txt"
    if bf.status == QUARANTINED:
        text = report.read_text(encoding="utf-8")
        assert "QUARANTINED" in text
        for word in bf.words:
            assert word.lower() in text.lower(), (word, text[:2000])
        for line, _field in bf.rejects:
            assert f"line {line}:" in text, text[:2000]
    else:
        assert not report.exists()


@pytest.mark.parametrize("case_id", CORPUS_IDS)
def test_bad_file(
    case_id: str,
    base_run: BaseRun,
    bad_files: dict[str, BadFile],
    builds: dict[str, Future],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    bf = bad_files[case_id]
    if case_id in BUILT:
        warehouse = builds[case_id].result()  # re-raises a failed ingestion or `dbt build`
        db = warehouse / "warehouse.duckdb"
        assert outcome_tables(db) == base_run.outcomes
        # the audit tables in the warehouse are those the lake recorded
        row = rows_as_dicts(db, "select * from audit.load_manifest where file_name = ?", [bf.name])
        assert [r["status"] for r in row] == [bf.status]
        n_rejects = query(db, "select count(*) from audit.rejected_rows where file_name = ?", [bf.name])
        assert n_rejects == [(len(bf.rejects),)]
    else:
        root = tmp_path_factory.mktemp(f"corpus_{case_id}")
        landing = prepare(root, base_run.landing, [bf])
        warehouse = root / "warehouse"
        reports = ingest(landing, warehouse)  # raises if ingestion fails
        assert bf.name in {r.file.name for r in reports[bf.kind]}
        assert effective_lake(warehouse) == base_run.lake

    check_manifest_and_rejects(bf, base_run, warehouse)

    if case_id == "invalid_ssn_transcript":
        # kept, with the SSN treated as unknown: a name + birth date key, not an SSN key
        lake = lake_rows_of(warehouse, "transcripts", bf.name)
        assert len(lake) == 3
        assert {(r["is_ssn_key"], r["identity_source"]) for r in lake} == {(False, "NAME_DOB")}

    leaks = find_leaks(warehouse, base_run.pii | file_pii(bf))
    assert not leaks, leaks


def test_whole_corpus_through_ler_run(
    base_run: BaseRun, bad_files: dict[str, BadFile], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every bad file at once, through the real `ler run`: it succeeds, every file gets its status,
    the outcomes (exact and suppressed) equal the baseline's and nothing leaks anywhere, including
    the published database and the exports."""
    root = tmp_path_factory.mktemp("corpus_all")
    landing, warehouse = prepare(root, base_run.landing, list(bad_files.values())), root / "warehouse"

    ler_run(landing, warehouse)  # raises unless the run exits 0

    db = warehouse / "warehouse.duckdb"
    assert outcome_tables(db) == base_run.outcomes
    base_db = base_run.warehouse / "warehouse.duckdb"
    assert outcome_tables(db, "reporting") == outcome_tables(base_db, "reporting")

    manifest = {r["file_name"]: r for r in rows_as_dicts(db, "select * from audit.load_manifest")}
    for bf in bad_files.values():
        assert manifest[bf.name]["status"] == bf.status, (bf.id, manifest[bf.name]["message"])
    for name, row in manifest.items():
        assert row["rows_read"] == row["rows_loaded"] + row["rows_rejected"] + row["rows_duplicate"], name
    expected_rejects = sorted((bf.name, line) for bf in bad_files.values() for line, _f in bf.rejects)
    got_rejects = query(db, "select file_name, line_number from audit.rejected_rows order by all")
    assert got_rejects == expected_rejects
    quarantined = sorted(bf.name for bf in bad_files.values() if bf.status == QUARANTINED)
    report_files = (warehouse / "quarantine").rglob("*.errors.txt")
    reports = sorted(p.name.removesuffix(".errors.txt") for p in report_files)
    assert reports == quarantined

    pii = set(base_run.pii)
    for bf in bad_files.values():
        pii |= file_pii(bf)
    leaks = find_leaks(warehouse, pii)
    assert not leaks, leaks


def test_leak_finder_sees_values_in_every_kind_of_output(tmp_path: Path) -> None:
    """The PII check above is only as good as its finder: values planted in a compressed Parquet
    file, a DuckDB table (as a DATE) and a text report are all found."""
    out = tmp_path / "out"
    out.mkdir()
    con = duckdb.connect(str(out / "w.duckdb"))
    con.execute("create schema marts")
    con.execute("create table marts.t as select date '1980-02-07' as d, 'x' as v")
    con.execute(
        f"copy (select 'Zoëa' as name from range(1000)) to '{(out / 'p.parquet').as_posix()}' "
        "(format parquet, compression zstd)"
    )
    con.close()
    (out / "r.errors.txt").write_text("line 3: ssn 100-11-1001\n", encoding="utf-8")
    leaks = find_leaks(out, {"1980-02-07", "Zoëa", "100-11-1001", "Nobody"})
    assert {leak.split(": ")[-1] for leak in leaks} == {"'1980-02-07'", "'Zoëa'", "'100-11-1001'"}
    assert any("w.duckdb [tables]" in leak and "1980-02-07" in leak for leak in leaks)
    assert any("p.parquet [rows]" in leak for leak in leaks)
