"""The blocking GX check re-validates what ingestion hands to dbt, and reports counts, never values."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dagster_project.contract_checks import check_kind
from tests.support.landing import LandingBuilder
from tests.support.pipeline import TEST_KEY


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dagster_project.landing.ingest import ingest_kind
    from dagster_project.settings import Settings

    root = tmp_path_factory.mktemp("gx")
    b = LandingBuilder(root / "landing")
    b.provider("P1")
    b.program("P1", "W1")
    b.demand("51-4121")
    p = b.person()
    b.wage("w_20240101.csv", p, 2023, 4, 1234.5)
    b.write()
    s = Settings.load(
        {"landing_dir": root / "landing", "warehouse_dir": root / "wh", "hash_key": TEST_KEY}, environ={}
    )
    for kind in ("reference", "wages"):
        ingest_kind(kind, s, warn=lambda _m: None)
    return root / "wh" / "lake"


def test_clean_lake_passes_every_expectation(lake: Path) -> None:
    report = check_kind("wages", lake)
    assert report.success and report.rows_checked == 1
    assert {o.expectation for o in report.outcomes} >= {
        "expect_column_values_to_be_between",
        "expect_column_values_to_not_be_null",
    }
    assert "wage_csv.ssn" in report.metadata()["enforced_at_ingestion_only"]


def test_a_row_breaking_the_contract_fails_the_check_without_showing_values(lake: Path) -> None:
    bad = lake / "wages" / "zz_bad.parquet"
    con = duckdb.connect()
    con.execute(
        f"copy (select * replace (7::integer as quarter, -99.0::decimal(18,2) as wages) "
        f"from read_parquet('{lake / 'wages'}/0*.parquet')) to '{bad}' (format parquet)"
    )
    try:
        report = check_kind("wages", lake)
    finally:
        bad.unlink()
    assert not report.success
    failures = report.metadata()["failures"]
    assert "wage_csv.quarter: expect_column_values_to_be_between: 1 of 2" in failures
    assert "wage_csv.wages" in failures and "-99" not in str(report.metadata())
