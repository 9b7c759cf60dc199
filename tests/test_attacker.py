"""An outside analyst tries to recover hidden cells from a published database (docs/reporting_rules.md §8).

The attacker reads only `published.duckdb` (what anyone can download) and tries what issue 9 found
working against primary suppression alone:

(a) rates: rate x denominator for a hidden numerator, numerator / rate for a hidden denominator, for
    every rate (employment_rate_q2/q4, placement_rate, completion_rate over n_cohort - n_excluded);
    a 4-decimal rate gives back every count consistent with it, and a single candidate is a
    recovery;
(b) subtraction: a published whole minus the other published parts, for every whole / part family
    (the program rows of a statewide row; the groups of one dimension of a statewide row);
(c) the employer sector of a handful of people: top_industry_q4 published for fewer than K employed.

Values the attacker derives exactly (a unique rate inversion, a subtraction among the groups of a
dimension, which add up exactly) are used again in later attempts until nothing new comes out. A
hidden count is recovered when a derived value equals the exact value in `marts`, which the test
(not the attacker) reads from the restricted warehouse. The attack runs on every publication the
session's scenarios build and on one generated sample state; a control run shows that the same
attacker does recover cells from a publication with primary suppression only, so "nothing
recovered" is not a blind attacker.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from dataclasses import dataclass

import duckdb
import pytest

from sample_data.generate import generate
from tests.support.expected import LEGISLATIVE_COUNTS
from tests.support.pipeline import ler_run
from tests.support.scenarios import Scenario, build_once

pytestmark = pytest.mark.e2e

# The generated states: 600 learners is big enough to have hidden cells in every table and small
# enough for make test's budget; LER_TEST_ATTACK_LEARNERS (a comma list) attacks states of other
# sizes too (`make test-attack`: 600, 3000 and 12000 learners).
SAMPLE_LEARNERS = tuple(int(n) for n in os.environ.get("LER_TEST_ATTACK_LEARNERS", "600").split(","))
SAMPLE_SEED = 20261201
LEGISLATIVE = ("program_outcomes", "statewide_outcomes", "statewide_outcomes_by_group")
KEYS = {
    "wpell_program_outcomes": ("provider_id", "program_id", "cohort_year"),
    "program_outcomes": ("provider_id", "program_id", "completion_year"),
    "statewide_outcomes": ("credit_type", "credential_level", "completion_year"),
    "statewide_outcomes_by_group": (
        "credit_type",
        "credential_level",
        "completion_year",
        "group_dimension",
        "group_value",
    ),
}
WPELL_COUNTS = (
    "n_cohort",
    "n_excluded",
    "n_completers_150",
    "n_placement_base",
    "n_placed_180",
    "n_earnings_y3",
)
# rate -> (numerator, denominator as signed terms)
RATES = {
    "wpell_program_outcomes": {
        "completion_rate": ("n_completers_150", ((1, "n_cohort"), (-1, "n_excluded"))),
        "placement_rate": ("n_placed_180", ((1, "n_placement_base"),)),
    },
    **{
        table: {f"employment_rate_q{q}": (f"n_employed_q{q}", ((1, f"n_observed_q{q}"),)) for q in (2, 4)}
        for table in LEGISLATIVE
    },
}
HALF_STEP = 0.00005  # a rate published to 4 decimals is within this of the exact fraction
MAX_DENOMINATOR = 10**6

Cell = tuple[str, tuple, str]  # (table, key, column)


@dataclass(frozen=True)
class Recovery:
    cell: Cell
    value: int
    how: str


# -- reading a publication ---------------------------------------------------------------------------
def read_tables(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, dict[tuple, dict]]:
    """Every outcome table of `schema` as {key: row}."""
    tables = {}
    for table, key in KEYS.items():
        cur = con.execute(f"select * from {schema}.{table}")
        names = [d[0] for d in cur.description]
        tables[table] = {
            tuple(row[names.index(k)] for k in key): dict(zip(names, row, strict=True))
            for row in cur.fetchall()
        }
    return tables


def counts_of(table: str) -> tuple[str, ...]:
    return WPELL_COUNTS if table == "wpell_program_outcomes" else LEGISLATIVE_COUNTS


# -- the attacks -------------------------------------------------------------------------------------
def numerators_for(rate: float, denominator: int) -> list[int]:
    """Every count k with k / denominator published as `rate` (4 decimals)."""
    if denominator <= 0:
        return []
    low = math.ceil((rate - HALF_STEP) * denominator - 1e-9)
    high = math.floor((rate + HALF_STEP) * denominator + 1e-9)
    return list(range(max(low, 0), min(high, denominator) + 1))


def denominators_for(rate: float, numerator: int) -> list[int]:
    """Every denominator d with numerator / d published as `rate` (4 decimals)."""
    if rate - HALF_STEP <= 0:
        return []  # a rate of 0 says nothing about the denominator
    low = max(numerator, 1, math.ceil(numerator / (rate + HALF_STEP) - 1e-9))
    high = min(MAX_DENOMINATOR, math.floor(numerator / (rate - HALF_STEP) + 1e-9))
    return [d for d in range(low, high + 1) if abs(numerator / d - rate) <= HALF_STEP + 1e-12]


def rate_attacks(published: dict, known: dict[Cell, int]) -> dict[Cell, tuple[int, str]]:
    """(a): what rates give back, from the published and already derived counts."""
    found: dict[Cell, tuple[int, str]] = {}
    for table, rates in RATES.items():
        for key, row in published[table].items():
            for rate_column, (numerator, terms) in rates.items():
                rate = row[rate_column]
                if rate is None:
                    continue
                num = known.get((table, key, numerator))
                values = {c: known.get((table, key, c)) for _sign, c in terms}
                if num is None and None not in values.values():
                    denominator = sum(sign * values[c] for sign, c in terms)
                    candidates = numerators_for(rate, denominator)
                    if len(candidates) == 1:
                        found[(table, key, numerator)] = (candidates[0], f"{rate_column} x denominator")
                elif num is not None and list(values.values()).count(None) == 1:
                    candidates = denominators_for(rate, num)
                    if len(candidates) == 1:
                        (sign, missing), *_ = [(s, c) for s, c in terms if values[c] is None]
                        rest = sum(s * values[c] for s, c in terms if c != missing)
                        found[(table, key, missing)] = (
                            (candidates[0] - rest) * sign,
                            f"{numerator} / {rate_column}",
                        )
    return found


def families(published: dict) -> list[tuple[str, tuple, str, list[tuple]]]:
    """(b)'s wholes and parts: (part table, whole key, label, part keys)."""
    grouped: dict[tuple, list[tuple]] = defaultdict(list)
    for key, row in published["program_outcomes"].items():
        whole = (row["credit_type"], row["credential_level"], row["completion_year"])
        grouped[("program_outcomes", whole, "programs")].append(key)
    for key, row in published["statewide_outcomes_by_group"].items():
        grouped[("statewide_outcomes_by_group", key[:3], row["group_dimension"])].append(key)
    return [(table, whole, label, parts) for (table, whole, label), parts in grouped.items()]


def subtraction_attacks(published: dict, known: dict[Cell, int]) -> dict[Cell, tuple[int, str, bool]]:
    """(b): whole minus the other parts where exactly one part is unknown. The flag says whether
    the parts add up exactly (groups of a dimension) or only roughly (programs: a learner in two
    programs is one statewide completer)."""
    found: dict[Cell, tuple[int, str, bool]] = {}
    for table, whole, label, parts in families(published):
        exact = table == "statewide_outcomes_by_group"
        for column in LEGISLATIVE_COUNTS:
            total = known.get(("statewide_outcomes", whole, column))
            unknown = [p for p in parts if (table, p, column) not in known]
            if total is None or len(unknown) != 1:
                continue
            rest = sum(known[(table, p, column)] for p in parts if p != unknown[0])
            found[(table, unknown[0], column)] = (total - rest, f"statewide - other {label}", exact)
    return found


def attack(published: dict) -> tuple[list[Recovery], int]:
    """Every value the attacker derives for a hidden count, and how many attempts it made."""
    known: dict[Cell, int] = {
        (table, key, column): row[column]
        for table, rows in published.items()
        for key, row in rows.items()
        for column in counts_of(table)
        if row[column] is not None
    }
    derived: list[Recovery] = []
    attempts = 0
    while True:
        new = {}
        for cell, (value, how) in rate_attacks(published, known).items():
            attempts += 1
            derived.append(Recovery(cell, value, how))
            if cell not in known:
                new[cell] = value
        for cell, (value, how, exact) in subtraction_attacks(published, known).items():
            attempts += 1
            derived.append(Recovery(cell, value, how))
            if exact and cell not in known:
                new[cell] = value
        if not new:
            return derived, attempts
        known.update(new)


def small_group_sectors(published: dict, exact: dict, min_cell: int) -> list[Cell]:
    """(c): a published top_industry_q4 over fewer than K employed (judged on exact counts)."""
    return [
        (table, key, "top_industry_q4")
        for table in LEGISLATIVE
        for key, row in published[table].items()
        if row["top_industry_q4"] is not None and exact[table][key]["n_employed_q4"] < min_cell
    ]


def recovered(derived: list[Recovery], published: dict, exact: dict) -> list[Recovery]:
    """The derived values that are a hidden cell's exact value."""
    return [
        r
        for r in derived
        if published[r.cell[0]][r.cell[1]][r.cell[2]] is None
        and exact[r.cell[0]][r.cell[1]][r.cell[2]] == r.value
    ]


def hidden_counts(published: dict) -> int:
    return sum(
        row[c] is None for table, rows in published.items() for row in rows.values() for c in counts_of(table)
    )


# -- publications to attack --------------------------------------------------------------------------
def sample_run(tmp_path_factory: pytest.TempPathFactory, learners: int) -> Scenario:
    """A generated state of `learners` learners (sample_data.generate), through `ler run` with
    default settings; built once per session and size."""

    def build(s: Scenario) -> None:
        generate(s.landing, learners, SAMPLE_SEED)
        ler_run(s.landing, s.warehouse)

    return build_once(tmp_path_factory, f"attacker_sample_{learners}", build)


def read_publication(scenario: Scenario) -> tuple[dict, dict, int]:
    """The published tables (what the attacker has), the exact marts (to judge) and the run's K."""
    con = duckdb.connect(str(scenario.published), read_only=True)
    try:
        published = read_tables(con, "reporting")
        (min_cell,) = con.execute("select min_cell from reporting.run_metadata").fetchone()
    finally:
        con.close()
    con = duckdb.connect(str(scenario.db), read_only=True)
    try:
        exact = read_tables(con, "marts")
    finally:
        con.close()
    return published, exact, min_cell


SCENARIOS = [
    "rules_run",
    "rules_lagged_run",
    "example_run",
    "example_v2_run",
    *(f"sample_{n}_learners" for n in SAMPLE_LEARNERS),
]


def scenario_named(name: str, request: pytest.FixtureRequest) -> Scenario:
    if name.startswith("sample_"):
        return sample_run(request.getfixturevalue("tmp_path_factory"), int(name.split("_")[1]))
    return request.getfixturevalue(name)


@pytest.mark.parametrize("scenario_name", SCENARIOS)
def test_the_attacker_recovers_no_hidden_cell(scenario_name: str, request: pytest.FixtureRequest) -> None:
    published, exact, min_cell = read_publication(scenario_named(scenario_name, request))
    assert hidden_counts(published) > 0, "a publication without hidden counts tests nothing"
    derived, _attempts = attack(published)
    leaks = recovered(derived, published, exact)
    assert leaks == [], "\n".join(f"{r.cell} = {r.value} by {r.how}" for r in leaks[:20])
    assert small_group_sectors(published, exact, min_cell) == []


def test_the_attacker_recovers_cells_from_primary_suppression_alone(example_v2_run: Scenario) -> None:
    """Control: the same attacker against the example's marts with rules 1, 2 and 5 only (the
    suppression before contract v2) recovers hidden counts and finds small-group sectors."""
    _published, exact, min_cell = read_publication(example_v2_run)
    con = duckdb.connect()
    try:
        con.execute(f"attach '{example_v2_run.db}' as wh (read_only)")
        con.execute("create schema reporting")
        for table in KEYS:
            con.execute(f"create table reporting.{table} as {primary_only_sql(table, min_cell)}")
        naive = read_tables(con, "reporting")
    finally:
        con.close()
    derived, attempts = attack(naive)
    leaks = recovered(derived, naive, exact)
    assert attempts > 0 and len(leaks) >= 10, f"{len(leaks)} recovered in {attempts} attempts"
    assert any("statewide - other" in r.how for r in leaks), "no recovery by subtraction"
    assert any("statewide - other" not in r.how for r in leaks), "no recovery through a rate"
    assert small_group_sectors(naive, exact, min_cell)


def primary_only_sql(table: str, min_cell: int) -> str:
    """marts.<table> with counts of 1 to K - 1 and statistics over fewer than K nulled, nothing else."""
    counts = counts_of(table)
    replaced = [f"case when {c} between 1 and {min_cell - 1} then null else {c} end as {c}" for c in counts]
    if table == "wpell_program_outcomes":
        stats = {
            "completion_rate": "n_cohort - n_excluded",
            "placement_rate": "n_placement_base",
            "median_earnings_y3": "n_earnings_y3",
            "value_added_earnings": "n_earnings_y3",
        }
    else:
        stats = {f"employment_rate_q{q}": f"n_observed_q{q}" for q in (2, 4)}
    replaced += [
        f"case when {den} < {min_cell} then null else round({c}, 4) end as {c}" for c, den in stats.items()
    ]
    return f"select * replace ({', '.join(replaced)}) from wh.marts.{table}"


def test_published_tables_are_those_the_attacker_reads(example_v2_run: Scenario) -> None:
    """The attack covers every published outcome table (a new one must be added to KEYS)."""
    con = duckdb.connect(str(example_v2_run.published), read_only=True)
    try:
        tables = {t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()}
    finally:
        con.close()
    assert tables - {"run_metadata"} == set(KEYS)


def test_rate_inversion_finds_the_unique_count() -> None:
    """The arithmetic of (a) on hand-made values: 9 / 12 = 0.75 is the only numerator of 0.75 over 12;
    0.6667 over 9 is 6; 9 / 0.75 is 12 (or 11.997..12.0008: only 12); 0.5 over 2 000 leaves no doubt
    either, while 0.3333 with numerator 100 allows 300 only; a rate of 0 gives no denominator."""
    assert numerators_for(0.75, 12) == [9]
    assert numerators_for(0.6667, 9) == [6]
    assert denominators_for(0.75, 9) == [12]
    assert numerators_for(0.5, 2000) == [1000]
    assert denominators_for(0.3333, 100) == [300]
    assert denominators_for(0.0, 5) == []
    assert numerators_for(0.1235, 10000) == list(range(1235, 1236))
    assert len(numerators_for(0.5, 100000)) > 1  # a large denominator hides the exact count


def legislative_row(**values: object) -> dict:
    """A published legislative row: every count 0 and every rate and sector null unless given."""
    row = {c: 0 for c in LEGISLATIVE_COUNTS}
    row |= {"employment_rate_q2": None, "employment_rate_q4": None, "top_industry_q4": None}
    return row | values


def test_derived_values_feed_later_attempts_only_when_exact() -> None:
    """(a) and (b) on a hand-made publication. The SEX groups add up exactly: F's n_employed_q2 is
    20 - 8 = 12, and then F's published rate 0.8 gives its hidden n_observed_q2, 12 / 0.8 = 15. Two
    program rows need not add up to their statewide row: P1's n_employed_q2, 20 - 8 = 12, is tried
    but not used again, so P1's n_observed_q2 is not derived from its rate."""
    whole = ("CREDIT", "ASSOC", "2022-23")
    published = {table: {} for table in KEYS}
    published["statewide_outcomes"][whole] = legislative_row(
        n_completers=30, n_employed_q2=20, n_observed_q2=None
    )
    groups = published["statewide_outcomes_by_group"]
    groups[(*whole, "SEX", "F")] = legislative_row(
        group_dimension="SEX", n_completers=15, n_employed_q2=None, n_observed_q2=None, employment_rate_q2=0.8
    )
    groups[(*whole, "SEX", "M")] = legislative_row(group_dimension="SEX", n_completers=15, n_employed_q2=8)
    programs = published["program_outcomes"]
    for program, employed, rate in (("P1", None, 0.8), ("P2", 8, None)):
        programs[("COLL", program, "2022-23")] = legislative_row(
            credit_type="CREDIT",
            credential_level="ASSOC",
            completion_year="2022-23",
            n_completers=15,
            n_employed_q2=employed,
            n_observed_q2=None,
            employment_rate_q2=rate,
        )
    derived, attempts = attack(published)
    by_cell = {r.cell: r.value for r in derived}
    f_key, p1_key = (*whole, "SEX", "F"), ("COLL", "P1", "2022-23")
    assert by_cell[("statewide_outcomes_by_group", f_key, "n_employed_q2")] == 12
    assert by_cell[("statewide_outcomes_by_group", f_key, "n_observed_q2")] == 15
    assert by_cell[("program_outcomes", p1_key, "n_employed_q2")] == 12
    assert ("program_outcomes", p1_key, "n_observed_q2") not in by_cell
    assert attempts == len(derived)
