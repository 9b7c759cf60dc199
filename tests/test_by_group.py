"""The equity breakdown, marts.statewide_outcomes_by_group (docs/reporting_rules.md §7.5), end to end.

The worked example v2 gives the exact table (`expected/statewide_outcomes_by_group.csv`, every row
and cell); the partition property (within a dimension the groups add up to the statewide row, every
count) is checked on every session scenario; the hand-built state of test_outcome_rules.py sends
every transcript with sex F and race UNK, so each of its statewide rows is one SEX and one
RACE_ETHNICITY group of the same size. Hand-counted groups, ties, blanks and age bands are dbt unit
tests (dbt/models/unit_tests/by_group.yml); the published copy is checked in test_suppression.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.expected import LEGISLATIVE_COUNTS, compare_table
from tests.support.pipeline import rows_as_dicts
from tests.support.scenarios import Scenario

pytestmark = pytest.mark.e2e
DIMENSIONS = {"SEX", "RACE_ETHNICITY", "AGE_AT_COMPLETION"}


def test_example_v2_by_group_matches_expected(example_v2_run: Scenario, example_v2_dir: Path) -> None:
    expected = example_v2_dir / "expected" / "statewide_outcomes_by_group.csv"
    problems = compare_table(example_v2_run.db, "marts", "statewide_outcomes_by_group", expected)
    assert problems == [], "\n".join(problems[:20])


@pytest.mark.parametrize("scenario_name", ["rules_run", "example_run", "example_v2_run"])
def test_groups_partition_each_statewide_row(scenario_name: str, request: pytest.FixtureRequest) -> None:
    db = request.getfixturevalue(scenario_name).db
    sums = ", ".join(f"sum(g.{c}) as {c}" for c in LEGISLATIVE_COUNTS)
    grouped = rows_as_dicts(
        db,
        f"select g.credit_type, g.credential_level, g.completion_year, g.group_dimension, {sums} "
        "from marts.statewide_outcomes_by_group as g group by all",
    )
    statewide = {
        (r["credit_type"], r["credential_level"], r["completion_year"]): r
        for r in rows_as_dicts(db, "select * from marts.statewide_outcomes")
    }
    assert statewide and {r["group_dimension"] for r in grouped} == DIMENSIONS
    assert len(grouped) == 3 * len(statewide)
    for r in grouped:
        whole = statewide[(r["credit_type"], r["credential_level"], r["completion_year"])]
        assert {c: r[c] for c in LEGISLATIVE_COUNTS} == {c: whole[c] for c in LEGISLATIVE_COUNTS}, r


def test_hand_built_state_is_one_sex_and_one_race(rules_run: Scenario) -> None:
    rows = rows_as_dicts(
        rules_run.db,
        "select g.group_dimension, g.group_value, g.n_completers, s.n_completers as statewide "
        "from marts.statewide_outcomes_by_group as g join marts.statewide_outcomes as s "
        "using (credit_type, credential_level, completion_year) "
        "where g.group_dimension in ('SEX', 'RACE_ETHNICITY') and s.credit_type = 'CREDIT'",
    )
    assert rows and {(r["group_dimension"], r["group_value"]) for r in rows} == {
        ("SEX", "F"),
        ("RACE_ETHNICITY", "UNK"),
    }
    assert all(r["n_completers"] == r["statewide"] for r in rows)
