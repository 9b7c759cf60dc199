"""The blocking `file_contracts` check reports the judging pass's contract results (counts, never
values) and fails when the lake is not what that pass judged; the SQL compiled from each GX suite and
GX's own engine agree, expectation by expectation, on a sample with broken values."""

from __future__ import annotations

import json
import logging
import os
import random
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dagster_project.contract_checks import check_kind
from dagster_project.identity import install_sql_identity
from dagster_project.landing.context import ReadContext
from dagster_project.landing.contract_results import count_rejects, expectation_key
from dagster_project.landing.contracts import NUMERIC_TYPES, Contract, contract
from dagster_project.landing.formats.csv_layout import read_csv_layout
from dagster_project.landing.ingest import ingest_kind
from dagster_project.landing.records import StructuralError
from dagster_project.landing.validate import FILE_IDX, install_sql_helpers, validate
from dagster_project.settings import Settings
from sample_data.generate import generate
from tests.support.landing import LandingBuilder
from tests.support.pipeline import TEST_KEY


def _ingest(root: Path, bad_rows: int = 0) -> Path:
    b = LandingBuilder(root / "landing")
    b.provider("P1")
    b.program("P1", "W1")
    b.demand("51-4121")
    people = [b.person() for _ in range(12)]
    for p in people:
        b.wage("w_20240101.csv", p, 2023, 4, 1234.5)
    for p in people[:bad_rows]:
        b.wage("w_20240101.csv", p, 2023, 7, -5)  # quarter out of range, negative wages: one row
    b.write()
    s = Settings.load(
        {"landing_dir": root / "landing", "warehouse_dir": root / "wh", "hash_key": TEST_KEY}, environ={}
    )
    for kind in ("reference", "wages"):
        ingest_kind(kind, s, warn=lambda _m: None)
    return root / "wh" / "lake"


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _ingest(tmp_path_factory.mktemp("gx"), bad_rows=1)


def test_the_check_reports_the_judging_pass(lake: Path) -> None:
    report = check_kind("wages", lake)
    assert report.success and report.rows_checked == 13  # 12 loaded + 1 rejected
    meta = report.metadata()
    assert meta["problems"] == "none"
    # every expectation of the suite is reported, PII columns included (judged before they are dropped)
    assert set(report.rejected) == {expectation_key("wage_csv", e) for e in contract("wage_csv").expectations}
    assert report.rejected["wage_csv.ssn: expect_column_values_to_not_be_null"] == 0
    assert report.rejected["wage_csv.quarter: expect_column_values_to_be_between"] == 1
    assert report.rejected["wage_csv.wages: expect_column_values_to_be_between"] == 1
    assert "wage_csv.quarter: expect_column_values_to_be_between: 1" in meta["rows_rejected_by_expectation"]
    assert "-5" not in json.dumps(meta)


def test_a_lake_that_is_not_what_the_pass_judged_fails_without_showing_values(lake: Path) -> None:
    extra = lake / "wages" / "zz_extra.parquet"
    con = duckdb.connect()
    con.execute(
        f"copy (select * replace (7::integer as quarter) from read_parquet('{lake / 'wages'}/0*.parquet')) "
        f"to '{extra}' (format parquet)"
    )
    try:
        report = check_kind("wages", lake)
    finally:
        extra.unlink()
    assert not report.success
    assert report.metadata()["problems"] == "lake table wages holds 24 rows, the manifest loaded 12"
    assert check_kind("wages", lake).success


def test_a_loaded_file_without_contract_results_fails(lake: Path) -> None:
    path = lake / "_audit" / "contracts__wages.json"
    saved = path.read_text()
    body = json.loads(saved)
    body["files"] = {}
    path.write_text(json.dumps(body))
    try:
        report = check_kind("wages", lake)
    finally:
        path.write_text(saved)
    assert (
        not report.success and "1 loaded file(s) without contract results: w_20240101.csv" in report.problems
    )
    path.unlink()
    try:
        assert not check_kind("wages", lake).success
    finally:
        path.write_text(saved)


# -- the compiled SQL and GX agree -----------------------------------------------------------------


def _violation(c: Contract, e, rng: random.Random) -> str:
    """A raw text value breaking expectation `e` (and only it, as far as the typing allows)."""
    if e.type == "expect_column_values_to_not_be_null":
        return rng.choice(["", "   "])
    if e.type == "expect_column_values_to_be_in_set":
        return rng.choice(["ZZ", "unknown-code"])
    if e.type == "expect_column_values_to_match_regex":
        return rng.choice(["??", "1.2.3", "x" * 12])
    low, high = e.kwargs.get("min_value"), e.kwargs.get("max_value")
    return str(low - 1 if low is not None and (high is None or rng.random() < 0.5) else high + 1)


def _clean(c: Contract, name: str, v: object) -> object:
    """The value as GX should see it: what the layout's cleaning makes of the raw text (trimmed, the
    spreadsheet ="..." guard removed, codes upper-cased, blanks null, numbers as numbers)."""
    if v is None:
        return None
    text = str(v)
    if text.startswith('="') and text.endswith('"') and len(text) >= 3:
        text = text[2:-1]
    text = text.strip()
    if not text:
        return None
    col = c.column(name)
    if col.type in ("code", "flag"):
        text = text.upper()
    if col.type in NUMERIC_TYPES:
        try:
            return float(text)
        except ValueError:
            return None  # not a number: the type check rejects it, no expectation sees it
    return text


def _gx_unexpected(c: Contract, frame: pd.DataFrame) -> dict[str, int]:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    suite = ctx.suites.add(
        gx.ExpectationSuite(name=c.layout, expectations=[dict(e) for e in c.suite["expectations"]])
    )
    batch = (
        ctx.data_sources.add_pandas(c.layout)
        .add_dataframe_asset("rows")
        .add_batch_definition_whole_dataframe("all")
    )
    result = gx.ValidationDefinition(name=c.layout, data=batch, suite=suite).run(
        batch_parameters={"dataframe": frame}, result_format="BASIC"
    )
    return {
        f"{c.layout}.{r.expectation_config.kwargs['column']}: {r.expectation_config.type}": int(
            r.result.get("unexpected_count") or 0
        )
        for r in result.results
    }


@pytest.fixture(scope="module")
def sample_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "landing"
    generate(out, 60)
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("layout", "pattern"),
    [
        ("wage_csv", "wages/ui_wages_2024Q*.csv"),
        ("transcript_csv", "transcripts/TRN_*.csv"),
        ("noncredit_csv", "noncredit/NC_*.csv"),
        ("programs", "reference/programs*.csv"),
        ("providers", "reference/providers*.csv"),
        ("in_demand_occupations", "reference/in_demand_occupations*.csv"),
    ],
)
def test_compiled_sql_and_gx_agree_on_a_sample(sample_landing: Path, layout: str, pattern: str) -> None:
    c, rng = contract(layout), random.Random(layout)
    frames = []
    for path in sorted(sample_landing.glob(pattern)):
        try:
            frames += [b.to_pandas() for b in read_csv_layout(path, c, ReadContext())]
        except StructuralError:  # the sample's deliberately broken files
            continue
    raw = pd.concat(frames, ignore_index=True).drop_duplicates(subset=c.column_names, ignore_index=True)
    raw["_line"] = range(2, len(raw) + 2)
    for e in c.expectations:  # break each expectation on a few rows
        for i in rng.sample(range(len(raw)), min(len(raw), 3)):
            raw.loc[i, e.column] = _violation(c, e, rng)
    con = duckdb.connect()
    install_sql_identity(con, TEST_KEY)
    install_sql_helpers(con)
    con.register("raw_frame", raw)
    con.execute(f"create temp table _raw as select 1::integer as {FILE_IDX}, * from raw_frame")
    con.execute(
        f"create temp table _files as select 1::integer as {FILE_IDX}, 'f.csv' as file_name, 1 as file_seq"
    )
    from dagster_project.landing.registry import load_registry

    registry = load_registry()
    validate(
        con,
        c,
        "_raw",
        "_files",
        lake_columns=registry.lake_schema(c.table),
        max_field_length=1000,
        reference_tables=None,
    )
    sql = count_rejects(con, c, "_rejected", FILE_IDX)[1]
    cleaned = pd.DataFrame({n: [_clean(c, n, v) for v in raw[n]] for n in c.column_names})
    for col in c.columns:
        if col.type in NUMERIC_TYPES:
            cleaned[col.name] = pd.to_numeric(cleaned[col.name])
    gx_counts = _gx_unexpected(c, cleaned)
    assert sum(sql.values()) >= len(c.expectations)  # the sample does break every expectation
    assert sql == gx_counts
