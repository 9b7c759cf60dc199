"""The codebook of every publication (issue 11 item 2; dagster_project/publication/codebook.py):
comments from the dbt docs inside published.duckdb, exports/codebook.csv, the publication's README.

The issue found 0 of 637 published columns with a description: here every published column of a
real run must have one, and a suppression text derived from its reporting model's suppression test.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dagster_project.publication import publish
from dagster_project.publication.codebook import (
    CODEBOOK_COLUMNS,
    NOT_SUPPRESSED,
    published_docs,
    read_codebook,
    suppression_texts,
)
from tests.support.pipeline import query
from tests.support.scenarios import Scenario

RULES = {
    "grain": ["provider_id", "program_id", "cohort_year"],
    "counts": ["n_cohort", "n_excluded", "n_completers_150"],
    "stats": {
        "completion_rate": ["n_cohort - n_excluded", 4, ["n_completers_150"]],
        "median_earnings_y3": ["n_earnings_y3", 0, []],
        "top_industry_q4": ["n_employed_q4", None, ["n_employed_q4"]],
    },
    "passthru": ["tuition_fees", "status"],
    "pairs": {"n_cohort": "n_excluded"},
    "complemented": ["n_completers_150"],
}


def test_suppression_text_follows_the_declared_rules() -> None:
    columns = [
        "provider_id",
        "n_cohort",
        "n_excluded",
        "n_completers_150",
        "completion_rate",
        "median_earnings_y3",
        "top_industry_q4",
        "tuition_fees",
        "suppressed_columns",
        "suppressed",
    ]
    texts = suppression_texts(columns, RULES, whole="statewide_outcomes")
    assert texts["provider_id"] == "Never suppressed: part of the row's key."
    assert texts["n_cohort"].startswith("Count: null when it is 1 to LER_MIN_CELL - 1 (rule 1")
    assert "whenever n_excluded is hidden (rule 3)" in texts["n_cohort"]
    assert "rule 3" not in texts["n_excluded"]  # nothing pairs or complements it
    assert "among the rows of one statewide_outcomes row (rule 3)" in texts["n_completers_150"]
    assert "denominator n_cohort - n_excluded is below LER_MIN_CELL (rule 2)" in texts["completion_rate"]
    assert "when n_completers_150 is hidden (rule 4)" in texts["completion_rate"]
    assert "rounded to 4 decimals" in texts["completion_rate"]
    assert "whole dollars" in texts["median_earnings_y3"] and "rule 4" not in texts["median_earnings_y3"]
    assert "rounded" not in texts["top_industry_q4"] and "n_employed_q4 is hidden" in texts["top_industry_q4"]
    assert texts["tuition_fees"].startswith("Never suppressed")
    assert texts["suppressed"].startswith("Rule 6") and texts["suppressed_columns"].startswith("Rule 6")
    assert suppression_texts(["run_id"], None) == {"run_id": NOT_SUPPRESSED}


@pytest.fixture(scope="module")
def manifest() -> dict:
    from dagster_project.dbt_manifest import ensure_manifest

    return json.loads(ensure_manifest().read_text(encoding="utf-8"))


def test_every_reporting_column_has_dbt_docs_and_a_suppression_text(manifest: dict) -> None:
    docs = published_docs(manifest, "reporting")
    assert {
        "wpell_program_outcomes",
        "program_outcomes",
        "statewide_outcomes",
        "run_metadata",
        "statewide_outcomes_by_group",
    } <= set(docs)
    for table, doc in docs.items():
        assert doc.description, table
        assert doc.columns and all(doc.columns.values()), [c for c, d in doc.columns.items() if not d]
        assert set(doc.suppression) == set(doc.columns), table
        assert all(doc.suppression.values()), table
    # docs blocks are resolved, never left as Jinja
    assert not [c for d in docs.values() for c in d.columns.values() if "{{" in c or "doc(" in c]
    # the counts of program_outcomes are complemented against the published statewide row
    assert "statewide_outcomes row" in docs["program_outcomes"].suppression["n_completers"]
    assert docs["statewide_outcomes"].suppression["n_completers"].startswith("Count")
    assert "statewide_outcomes row" not in docs["statewide_outcomes"].suppression["n_completers"]
    assert docs["run_metadata"].suppression["run_id"] == NOT_SUPPRESSED


def test_missing_comments_are_filled_and_existing_ones_kept(tmp_path: Path, manifest: dict) -> None:
    wh = tmp_path / "wh"
    wh.mkdir()
    con = duckdb.connect(str(wh / "warehouse.duckdb"))
    con.execute("create schema reporting")
    con.execute(
        "create table reporting.program_outcomes as select '01.0000' as cip_code, "
        "12::bigint as n_completers, 'x' as not_documented"
    )
    con.execute("comment on column reporting.program_outcomes.n_completers is 'kept as the warehouse has it'")
    con.close()
    result = publish(wh, "run-1")
    rows = query(
        wh / "published.duckdb",
        "select column_name, comment from duckdb_columns() where table_name = 'program_outcomes' "
        "order by column_index",
    )
    docs = published_docs(manifest, "reporting")["program_outcomes"]
    assert rows == [
        ("cip_code", docs.columns["cip_code"]),
        ("n_completers", "kept as the warehouse has it"),
        ("not_documented", None),
    ]
    table_comment = query(wh / "published.duckdb", "select comment from duckdb_tables()")[0][0]
    assert table_comment == docs.description
    codebook = read_codebook(result.publication)
    assert [(r["table"], r["column"], r["type"]) for r in codebook] == [
        ("program_outcomes", "cip_code", "VARCHAR"),
        ("program_outcomes", "n_completers", "BIGINT"),
        ("program_outcomes", "not_documented", "VARCHAR"),
    ]
    assert codebook[0]["suppression"] == docs.suppression["cip_code"]
    assert codebook[2]["description"] == "" and codebook[2]["suppression"] == ""


@pytest.mark.e2e
def test_every_published_column_is_described_in_a_real_run(example_v2_run: Scenario) -> None:
    db = example_v2_run.published
    undescribed = query(
        db,
        "select table_name, column_name from duckdb_columns() where schema_name = 'reporting' "
        "and coalesce(comment, '') = ''",
    )
    total = query(db, "select count(*) from duckdb_columns() where schema_name = 'reporting'")[0][0]
    assert total > 100 and undescribed == []
    assert query(db, "select count(*) from duckdb_tables() where coalesce(comment, '') = ''")[0][0] == 0
    folder = (example_v2_run.warehouse / "publications" / "current").resolve()
    with (folder / "exports" / "codebook.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == CODEBOOK_COLUMNS
        rows = list(reader)
    published = query(
        db,
        "select table_name, column_name, data_type, comment from duckdb_columns() "
        "where schema_name = 'reporting' order by table_name, column_index",
    )
    assert [(r["table"], r["column"], r["type"], r["description"]) for r in rows] == [
        (t, c, kind, " ".join(text.split())) for t, c, kind, text in published
    ]
    assert all(r["suppression"] for r in rows)
    hidden = {r["column"]: r["suppression"] for r in rows if r["table"] == "statewide_outcomes_by_group"}
    assert "statewide_outcomes row" in hidden["n_completers"] and "rule 4" in hidden["employment_rate_q4"]
    manifest = json.loads((folder / "publication.json").read_text())
    assert {"exports/codebook.csv", "README.md"} <= set(manifest["files"])


@pytest.mark.e2e
def test_the_publication_readme_explains_files_and_suppressed_cells(example_v2_run: Scenario) -> None:
    folder = (example_v2_run.warehouse / "publications" / "current").resolve()
    readme = (folder / "README.md").read_text(encoding="utf-8")
    run_id, through = query(
        example_v2_run.published, "select run_id, wage_data_through from reporting.run_metadata"
    )[0]
    assert run_id in readme and through in readme
    for name in (
        "published.duckdb",
        "exports/codebook.csv",
        "report/report.html",
        "suppressed_columns",
        "duckdb -readonly",
        "--format xlsx",
    ):
        assert name in readme, name
    # the dtype tip of the README reads every text column of a CSV export as text
    tip = readme.split("pd.read_csv(path, dtype=", 1)[1].split(")", 1)[0]
    dtype = eval(tip, {"str": str})  # the README's own snippet, as an analyst pastes it
    frame = pd.read_csv(folder / "exports" / "program_outcomes.csv", dtype=dtype)
    exact = query(example_v2_run.published, "select cip_code, cip_family from reporting.program_outcomes")
    assert sorted(zip(frame["cip_code"], frame["cip_family"], strict=True)) == sorted(exact)
