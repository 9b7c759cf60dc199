"""Large files judged once are reused by later runs, and only while nothing they depend on changed."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.landing import ingest
from dagster_project.landing.ingest import ingest_kind
from dagster_project.settings import Settings
from tests.support.landing import LandingBuilder
from tests.support.pipeline import TEST_KEY


@pytest.fixture(autouse=True)
def every_file_is_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "CACHE_MIN_BYTES", 0)


def landing(root: Path) -> Path:
    b = LandingBuilder(root)
    b.provider("P1")
    b.program("P1", "W1")
    people = [b.person() for _ in range(30)]
    for p in people:
        b.wage("ui_wages_2024Q1_20240515.csv", p, 2024, 1, 1000)
        b.transcript("TRN_P1_20240801.csv", p, "P1", "W1", date(2023, 9, 1))
    b.wage("ui_wages_2024Q1_20240515.csv", people[0], 2024, 7, 5)  # one reject
    return b.write()


def lake_rows(wh: Path, table: str) -> list[tuple]:
    con = duckdb.connect()
    try:
        return con.execute(
            f"select * from read_parquet('{wh}/lake/{table}/*.parquet') order by all"
        ).fetchall()
    finally:
        con.close()


def run(land: Path, wh: Path, key: str = TEST_KEY) -> dict[str, ingest.KindReport]:
    s = Settings.load({"landing_dir": land, "warehouse_dir": wh, "hash_key": key}, environ={})
    return {k: ingest_kind(k, s, warn=lambda _m: None) for k in ("reference", "transcripts", "wages")}


def cache_entries(wh: Path, kind: str) -> set[str]:
    return {p.name for p in (wh / "lake" / "_cache" / kind).iterdir()}


def test_second_run_reuses_the_judged_rows(tmp_path: Path) -> None:
    land, wh = landing(tmp_path / "landing"), tmp_path / "wh"
    first = run(land, wh)
    rows, rejects = lake_rows(wh, "wages"), first["wages"].files[0].counts
    entries = cache_entries(wh, "wages")
    assert len(entries) == 1 and rejects.rows_rejected == 1
    second = run(land, wh)
    assert lake_rows(wh, "wages") == rows and second["wages"].files[0].counts == rejects
    assert second["wages"].files[0].status == "LOADED_WITH_REJECTS"
    assert cache_entries(wh, "wages") == entries
    con = duckdb.connect()
    n = con.execute(f"select count(*) from '{wh}/lake/_audit/rejected_rows__wages.parquet'").fetchall()[0][0]
    assert n == 1


def test_a_new_key_or_reference_judges_again_and_prunes(tmp_path: Path) -> None:
    land, wh = landing(tmp_path / "landing"), tmp_path / "wh"
    run(land, wh)
    wages, transcripts = cache_entries(wh, "wages"), cache_entries(wh, "transcripts")
    run(land, wh, key="another-secret")
    assert cache_entries(wh, "wages").isdisjoint(wages)  # old entries pruned, new ones written
    programs = land / "reference" / "programs.csv"
    programs.write_text(programs.read_text().replace("W1 program", "Welding"))
    run(land, wh, key="another-secret")
    assert cache_entries(wh, "transcripts") != transcripts


def test_a_file_moved_on_the_timeline_keeps_its_new_name_and_sequence(tmp_path: Path) -> None:
    land, wh = landing(tmp_path / "landing"), tmp_path / "wh"
    run(land, wh)
    os.replace(land / "wages" / "ui_wages_2024Q1_20240515.csv", land / "wages" / "renamed_20240601.csv")
    run(land, wh)
    names = {
        r[0]
        for r in duckdb.connect()
        .execute(f"select distinct file_name from read_parquet('{wh}/lake/wages/*.parquet')")
        .fetchall()
    }
    assert names == {"renamed_20240601.csv"}
