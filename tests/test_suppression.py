"""Acceptance: every published cell of the worked example v2 (docs/reporting_rules.md §8).

`tests/fixtures/example_v2/expected/reporting__<table>.csv` holds each reporting table after v2
suppression, with suppressed_columns and suppressed. They are compared, as the example's README
says, with the publication of `ler run` on its landing zone (the session scenario example_v2_run):
null exactly where null, counts exact, earnings within 0.5, rates within 0.0001, suppressed_columns
as a set of column names. The rules one by one are dbt unit tests (dbt/models/unit_tests/
suppression.yml, suppression_v2.yml); the re-derivation of every published cell runs as dbt tests in
every build (suppression_holds, complementary_suppression_holds).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.support.expected import GRAINS_V2, compare_table
from tests.support.pipeline import rows_as_dicts
from tests.support.scenarios import Scenario

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("table", sorted(GRAINS_V2))
def test_example_v2_publication_matches_expected(
    example_v2_run: Scenario, example_v2_dir: Path, table: str
) -> None:
    expected = example_v2_dir / "expected" / f"reporting__{table}.csv"
    problems = compare_table(example_v2_run.published, "reporting", table, expected)
    assert problems == [], "\n".join(problems[:20])


def test_example_v2_publication_hides_and_lists(example_v2_run: Scenario) -> None:
    """The vectors exercise every rule: each table hides cells, program rows and groups carry rule 3
    complements (hidden counts of LER_MIN_CELL or more), and suppressed follows suppressed_columns."""
    published, db = example_v2_run.published, example_v2_run.db
    for table in GRAINS_V2:
        rows = rows_as_dicts(published, f"select suppressed_columns, suppressed from reporting.{table}")
        assert any(r["suppressed"] for r in rows) and not all(r["suppressed"] for r in rows)
        assert all(r["suppressed"] == (r["suppressed_columns"] is not None) for r in rows)
    con = duckdb.connect()
    try:
        con.execute(f"attach '{published}' as pub (read_only)")
        con.execute(f"attach '{db}' as wh (read_only)")
        for table in ("program_outcomes", "statewide_outcomes_by_group"):
            keys = " and ".join(f"p.{k} = m.{k}" for k in GRAINS_V2[table])
            (complements,) = con.execute(
                f"select count(*) from pub.reporting.{table} as p join wh.marts.{table} as m on {keys} "
                "where p.n_completers is null and m.n_completers >= 10"
            ).fetchone()
            assert complements > 0, table
    finally:
        con.close()
