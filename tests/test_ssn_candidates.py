"""The SSN candidates of hashed badge identities (landing/hashed_identity.py): the providers' CSV
extracts are read as ingestion reads them, DuckDB's CSV path for a large extract, and give the same
candidates as Python's csv module."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.identity import install_sql_identity
from dagster_project.landing.formats import csv_fast
from dagster_project.landing.hashed_identity import load_ssn_candidates
from dagster_project.landing.registry import load_registry
from dagster_project.landing.validate import install_sql_helpers
from tests.support.batch_reads import count_batch_reads
from tests.support.landing import LandingBuilder
from tests.support.pipeline import TEST_KEY


def _candidates(landing: Path) -> list[tuple[str, str]]:
    con = duckdb.connect()
    try:
        install_sql_identity(con, TEST_KEY)
        install_sql_helpers(con)
        load_ssn_candidates(con, landing, load_registry())
        left = "select count(*) from duckdb_tables() where table_name = '_candidate_raw'"
        assert con.execute(left).fetchone() == (0,)  # the raw text is not kept
        return con.execute("select * from _ssn_candidates order by all").fetchall()
    finally:
        con.close()


def test_a_large_extract_gives_the_same_candidates_on_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    b = LandingBuilder(tmp_path / "landing")
    b.provider("P1")
    b.program("P1", "WELD")
    people = [b.person() for _ in range(1_500)] + [b.person(ssn_text="000-12-3456"), b.person(ssn=False)]
    for p in people:
        b.transcript("TRN_P1_2024_20240901.csv", p, "P1", "WELD", date(2024, 9, 1))
    land = b.write()
    extract = land / "transcripts" / "TRN_P1_2024_20240901.csv"
    assert extract.stat().st_size >= csv_fast.MIN_FAST_BYTES  # DuckDB's path
    fast = _candidates(land)
    monkeypatch.setattr(csv_fast, "MIN_FAST_BYTES", 1 << 40)  # Python's csv module
    assert _candidates(land) == fast
    # the invalid and the missing SSN are no candidates
    assert len(fast) == 1_500 and {provider for provider, _ in fast} == {"P1"}


def test_many_extracts_read_together_give_the_candidates_of_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A layout's large extracts are read in one DuckDB read; one the read declines (Windows-1252
    past its head) is read by Python, a small one too, and one with a broken header gives none."""
    b = LandingBuilder(tmp_path / "landing")
    b.provider("P1")
    b.program("P1", "WELD")
    groups = {name: [b.person() for _ in range(n)] for name, n in (("A", 1_500), ("B", 1_500), ("C", 20))}
    for name, people in groups.items():
        for p in people:
            b.transcript(f"TRN_P1_20{20 + ord(name) - 65}_20240901.csv", p, "P1", "WELD", date(2024, 9, 1))
    land = b.write()
    files = sorted((land / "transcripts").glob("TRN_P1_*.csv"))
    assert [f.stat().st_size >= csv_fast.MIN_FAST_BYTES for f in files] == [True, True, False]
    files[1].write_bytes(files[1].read_text(encoding="utf-8").encode("cp1252"))  # its names' accents
    broken = land / "transcripts" / "TRN_P1_2030_20240901.csv"
    broken.write_text("ssn,year\n" + "123456789,2024\n" * 5_000)  # no provider_id: no candidates
    loads = count_batch_reads(monkeypatch)
    fast = _candidates(land)
    assert loads[0] == 2  # the two large extracts in one read (then each alone: one is Windows-1252)
    monkeypatch.setattr(csv_fast, "MIN_FAST_BYTES", 1 << 40)
    assert _candidates(land) == fast
    assert len(fast) == 1_500 + 1_500 + 20
