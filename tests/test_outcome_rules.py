"""Every outcome rule of docs/reporting_rules.md §6-8 on a hand-built state, with the expected numbers by
hand.

One landing zone holds a program per rule (so a broken rule breaks one program's row); it is run
through the real `ler run` once per session (conftest.py), and the same rules are also unit-tested
in dbt (dbt/models/unit_tests/). Wage data reach 2025Q2 (a filler worker), so
wage_data_through = 2025Q2 with the default lag of 0.

Programs (provider COLL, credit certificates unless said otherwise):
  WELD     completion at exactly the 150 % limit, an exclusion, a learner without SSN, two employers
           in a quarter, an amended wage (correction to 0), placement via +2, year-3 earnings,
           top industry tie between sectors
  CNA16    16 year-3 earners: value-added earnings computed, meets_vae true
  CNA15    15 year-3 earners: VAE null (does not block ELIGIBLE)
  VAEFAIL  VAE below tuition: INELIGIBLE for VAE
  SMALL9 / SMALL10  cohort of 9 (rates null) vs 10
  SHORT    fails length and in-demand
  RECENT   +1 observed exactly at wage_data_through, +2 not observed (left out of the base)
  DEG, DEG2  associate degrees: a learner with two awards in one year, and in two programs
  TIE      primary employer by equal wages -> lower employer account; a primary employer without NAICS
  ATT      attachment thresholds for annual earnings, percentiles
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.support.landing import LandingBuilder, Person
from tests.support.pipeline import rows_as_dicts
from tests.support.scenarios import Scenario

pytestmark = pytest.mark.e2e
IN_DEMAND_SOC, HIGH_WAGE_SOC, NOT_IN_DEMAND_SOC = "51-4121", "29-1141", "11-1011"
PROVIDER = "COLL"
QUARTER_FILED = {1: "0515", 2: "0815", 3: "1115", 4: "0215"}


def wage_file(year: int, quarter: int) -> str:
    filed_year = year + 1 if quarter == 4 else year
    return f"ui_wages_{year}Q{quarter}_{filed_year}{QUARTER_FILED[quarter]}.csv"


class StateBuilder:
    def __init__(self, root: Path) -> None:
        self.b = LandingBuilder(root)
        self.people: dict[str, Person] = {}

    def person(self, name: str, *, ssn: bool = True) -> Person:
        p = self.b.person(ssn=ssn)
        self.people[name] = p
        return p

    def wage(
        self,
        p: Person,
        year: int,
        quarter: int,
        amount: float,
        *,
        employer: str = "1000000001",
        naics: str = "541511",
    ) -> None:
        self.b.wage(wage_file(year, quarter), p, year, quarter, amount, employer=employer, naics=naics)

    def enrol(self, p: Person, program: str, start: date, award: date | None, **kw: str) -> None:
        self.b.transcript(
            f"TRN_{PROVIDER}_{start.year}_20250801.csv", p, PROVIDER, program, start, award=award, **kw
        )


def build_scenario(root: Path) -> Path:
    s = StateBuilder(root)
    b = s.b
    b.provider(PROVIDER)
    b.demand(IN_DEMAND_SOC)
    b.demand(HIGH_WAGE_SOC, "HIGH_WAGE")
    b.program(PROVIDER, "WELD", weeks=10, clock_hours=300, soc_codes=IN_DEMAND_SOC, tuition_fees=2000)
    for name in ("CNA16", "CNA15"):
        b.program(
            PROVIDER,
            name,
            weeks=8,
            clock_hours=160,
            soc_codes=HIGH_WAGE_SOC,
            tuition_fees=5000,
            cip_code="51.3902" if name == "CNA16" else "51.3903",
        )
    b.program(
        PROVIDER,
        "VAEFAIL",
        weeks=8,
        clock_hours=160,
        soc_codes=IN_DEMAND_SOC,
        tuition_fees=20000,
        cip_code="48.0509",
    )
    b.program(PROVIDER, "SMALL9", weeks=10, clock_hours=300, cip_code="48.0510")
    b.program(PROVIDER, "SMALL10", weeks=10, clock_hours=300, cip_code="48.0511")
    b.program(PROVIDER, "SHORT", weeks=4, clock_hours=100, soc_codes=NOT_IN_DEMAND_SOC, cip_code="48.0512")
    b.program(PROVIDER, "RECENT", weeks=8, clock_hours=160, cip_code="48.0513")
    b.program(
        PROVIDER,
        "DEG",
        credential_level="ASSOC",
        wpell_candidate="N",
        weeks=90,
        clock_hours=0,
        cip_code="52.0201",
    )
    b.program(
        PROVIDER,
        "DEG2",
        credential_level="ASSOC",
        wpell_candidate="N",
        weeks=90,
        clock_hours=0,
        cip_code="52.0301",
    )
    b.program(PROVIDER, "TIE", wpell_candidate="N", cip_code="48.0599")
    b.program(PROVIDER, "ATT", wpell_candidate="N", cip_code="48.0598")

    # filler worker: the latest wage quarter is 2025Q2
    s.wage(s.person("filler"), 2025, 2, 1000)

    # -- WELD, cohort 2021-22: start 2021-09-01, limit = start + ceil(1.5 * 10 * 7) = + 105 days
    start, limit = date(2021, 9, 1), date(2021, 12, 15)
    a = {i: s.person(f"a{i}", ssn=i != 14) for i in range(1, 15)}
    for i in range(1, 11):
        s.enrol(a[i], "WELD", start, limit)
    s.enrol(a[11], "WELD", start, date(2021, 12, 16))  # one day late
    s.enrol(a[12], "WELD", start, None, exit_reason="DECEASED")  # excluded
    s.enrol(a[13], "WELD", start, None, exit_reason="WITHDREW")
    s.enrol(a[14], "WELD", start, date(2021, 12, 1))  # no SSN: completer, unmatchable
    s.wage(a[1], 2022, 1, 3000, employer="1000000001")
    s.wage(a[1], 2022, 1, 2000, employer="1000000002")  # two employers, summed: 5000
    for i in range(2, 9):
        s.wage(a[i], 2022, 1, 5000)
    for i in range(1, 9):
        s.wage(a[i], 2022, 2, 5000)
    s.wage(a[9], 2022, 2, 4000)  # placed through +2 only
    s.wage(a[10], 2022, 1, 3000)  # ... then amended to 0 below: not employed
    b.wage("amend_2022Q1_20220901.csv", a[10], 2022, 1, 0.0, employer="1000000001")
    for i, naics in ((1, "621111"), (2, "621111"), (3, "541511"), (4, "541511"), (5, "311111")):
        s.wage(a[i], 2022, 4, 6000, naics=naics)
    for i in range(1, 10):
        for q in range(1, 5):
            s.wage(a[i], 2024, q, 5000 * i)

    # -- CNA16 / CNA15 / VAEFAIL, cohort 2020-21: start 2020-09-01, limit + 84 days, award 2020-11-01
    for program, n in (("CNA16", 16), ("CNA15", 15), ("VAEFAIL", 16)):
        for i in range(1, n + 1):
            p = s.person(f"{program}_{i}")
            s.enrol(p, program, date(2020, 9, 1), date(2020, 11, 1))
            s.wage(p, 2021, 1, 1000)
            for q in range(1, 5):
                s.wage(p, 2023, q, 1000 * i)

    # -- SMALL9 / SMALL10 / SHORT, cohort 2019-20
    for program, n, st, award in (
        ("SMALL9", 9, date(2019, 9, 3), date(2019, 12, 1)),
        ("SMALL10", 10, date(2019, 9, 3), date(2019, 12, 1)),
        ("SHORT", 10, date(2019, 10, 1), date(2019, 11, 1)),
    ):
        for i in range(1, n + 1):
            p = s.person(f"{program}_{i}")
            s.enrol(p, program, st, award)
            s.wage(p, 2020, 1, 2500)

    # -- RECENT, cohort 2024-25: award 2025-03-15 (2025Q1); +1 = 2025Q2 observed, +2 = 2025Q3 not
    for i in range(1, 13):
        p = s.person(f"RECENT_{i}")
        s.enrol(p, "RECENT", date(2025, 1, 6), date(2025, 3, 15))
        if i <= 5:
            s.wage(p, 2025, 2, 3000)

    # -- DEG / DEG2: k1 has two DEG awards in 2022-23 and one DEG2 award in 2022-23
    k1, k2 = s.person("k1"), s.person("k2")
    s.enrol(k1, "DEG", date(2020, 8, 20), date(2022, 8, 10), award_level="3", cip_code="52.0201")
    s.enrol(k1, "DEG", date(2022, 9, 1), date(2023, 5, 20), award_level="3", cip_code="52.0201")
    s.enrol(k1, "DEG2", date(2021, 1, 10), date(2023, 1, 15), award_level="3", cip_code="52.0301")
    s.enrol(k2, "DEG", date(2020, 8, 20), date(2022, 12, 1), award_level="3", cip_code="52.0201")
    s.wage(k1, 2023, 1, 7000)  # +2 of 2022-08-10
    s.wage(k1, 2023, 4, 9000)  # +2 of 2023-05-20 (must not be used)
    s.wage(k2, 2023, 2, 8000)  # +2 of 2022-12-01

    # -- TIE, completion 2023-09-15 (2023Q3); +4 = 2024Q3
    t = {i: s.person(f"t{i}") for i in range(1, 5)}
    for p in t.values():
        s.enrol(p, "TIE", date(2023, 6, 1), date(2023, 9, 15), cip_code="48.0599")
    s.wage(t[1], 2024, 3, 3000, employer="1000000009", naics="622110")
    s.wage(t[1], 2024, 3, 3000, employer="2000000002", naics="311111")
    s.wage(t[2], 2024, 3, 4000, employer="2000000002", naics="311111")
    s.wage(t[3], 2024, 3, 4000, employer="1000000009", naics="622110")
    s.wage(t[4], 2024, 3, 5000, employer="3000000003", naics="")

    # -- ATT, completion 2021-03-01; year 1 = 2022
    c = {i: s.person(f"att{i}") for i in range(1, 6)}
    for p in c.values():
        s.enrol(p, "ATT", date(2020, 9, 1), date(2021, 3, 1), cip_code="48.0598")
    for q in range(1, 5):
        s.wage(c[1], 2022, q, 5000)
        s.wage(c[4], 2022, q, 3000)
        s.wage(c[5], 2022, q, 3770)
    for q in range(1, 4):
        s.wage(c[2], 2022, q, 6000)
    for q in (1, 2):
        s.wage(c[3], 2022, q, 10000)
    return b.write()


@pytest.fixture(scope="module")
def warehouse(rules_run: Scenario) -> Path:
    """The hand-built state through `ler run` (built once per session, shared with the e2e tests)."""
    return rules_run.db


def one(db: Path, table: str, **key: str) -> dict:
    where = " and ".join(f"{k} = ?" for k in key)
    rows = rows_as_dicts(db, f"select * from {table} where {where}", list(key.values()))
    assert len(rows) == 1, f"{table} {key}: {len(rows)} rows"
    return rows[0]


def approx(value: float) -> object:
    return pytest.approx(value, rel=1e-9)


# -- §6 time rules --------------------------------------------------------------------------------
def test_wage_data_through_is_latest_loaded_quarter(warehouse: Path) -> None:
    meta = rows_as_dicts(warehouse, "select * from marts.run_metadata")[0]
    assert (meta["wage_data_through"], meta["wage_data_through_year"], meta["wage_data_through_quarter"]) == (
        "2025Q2",
        2025,
        2,
    )


# -- §7.1 Workforce Pell ----------------------------------------------------------------------------
def test_completion_exactly_at_150_percent_limit_counts(warehouse: Path) -> None:
    row = one(warehouse, "marts.wpell_program_outcomes", program_id="WELD", cohort_year="2021-22")
    assert row["n_cohort"] == 14
    assert row["n_excluded"] == 1  # DECEASED
    assert row["n_completers_150"] == 11  # ten at the limit + the learner without SSN; not the one a day late
    assert row["completion_rate"] == approx(11 / 13)


def test_placement_uses_observed_plus_one_or_two_and_amendments(warehouse: Path) -> None:
    row = one(warehouse, "marts.wpell_program_outcomes", program_id="WELD", cohort_year="2021-22")
    # SSN completers a1..a10: a1..a8 in +1, a9 only in +2, a10's +1 wage corrected to 0 by amendment
    assert (row["n_placement_base"], row["n_placed_180"]) == (10, 9)
    assert row["placement_rate"] == approx(0.9)


def test_year3_earnings_and_small_vae_base(warehouse: Path) -> None:
    row = one(warehouse, "marts.wpell_program_outcomes", program_id="WELD", cohort_year="2021-22")
    assert row["n_earnings_y3"] == 9  # a1..a9 earned 20,000 x i in 2024
    assert row["median_earnings_y3"] == approx(100000.0)
    assert row["value_added_earnings"] is None and row["meets_vae"] is None
    assert (row["meets_length"], row["in_demand"], row["meets_completion"], row["meets_placement"]) == (
        True,
        True,
        True,
        True,
    )
    assert (row["status"], row["reasons"]) == ("ELIGIBLE", None)
    assert (row["clock_hours"], row["weeks"], float(row["tuition_fees"]), row["soc_codes"]) == (
        300,
        10,
        2000.0,
        IN_DEMAND_SOC,
    )


def test_value_added_earnings_with_16_earners(warehouse: Path) -> None:
    row = one(warehouse, "marts.wpell_program_outcomes", program_id="CNA16", cohort_year="2020-21")
    assert row["n_earnings_y3"] == 16
    assert row["median_earnings_y3"] == approx(34000.0)  # median of 4,000 x (1..16)
    # per learner: 2023 earnings - 1.5 x 14,580 (HHS 2023) = 4,000 i - 21,870; median = 34,000 - 21,870
    assert row["value_added_earnings"] == approx(12130.0)
    assert row["meets_vae"] is True
    assert (row["status"], row["reasons"]) == ("ELIGIBLE", None)


def test_value_added_earnings_null_with_15_earners(warehouse: Path) -> None:
    row = one(warehouse, "marts.wpell_program_outcomes", program_id="CNA15", cohort_year="2020-21")
    assert row["n_earnings_y3"] == 15
    assert row["median_earnings_y3"] == approx(32000.0)
    assert row["value_added_earnings"] is None and row["meets_vae"] is None
    assert row["status"] == "ELIGIBLE"  # a null VAE does not block


def test_vae_below_tuition_is_ineligible(warehouse: Path) -> None:
    row = one(warehouse, "marts.wpell_program_outcomes", program_id="VAEFAIL", cohort_year="2020-21")
    assert row["value_added_earnings"] == approx(12130.0)
    assert row["meets_vae"] is False
    assert (row["status"], row["reasons"]) == ("INELIGIBLE", "VAE")


def test_cohort_of_nine_has_no_rates(warehouse: Path) -> None:
    row = one(warehouse, "marts.wpell_program_outcomes", program_id="SMALL9", cohort_year="2019-20")
    assert (row["n_cohort"], row["n_completers_150"], row["n_placement_base"], row["n_placed_180"]) == (
        9,
        9,
        9,
        9,
    )
    assert row["completion_rate"] is None and row["meets_completion"] is None
    assert row["placement_rate"] is None and row["meets_placement"] is None
    assert (row["status"], row["reasons"]) == ("INSUFFICIENT_DATA", "SMALL_COHORT")


def test_cohort_of_ten_has_rates(warehouse: Path) -> None:
    row = one(warehouse, "marts.wpell_program_outcomes", program_id="SMALL10", cohort_year="2019-20")
    assert row["completion_rate"] == approx(1.0) and row["placement_rate"] == approx(1.0)
    assert row["n_earnings_y3"] == 0 and row["median_earnings_y3"] is None
    assert (row["status"], row["reasons"]) == ("ELIGIBLE", None)


def test_length_and_in_demand_failures(warehouse: Path) -> None:
    row = one(warehouse, "marts.wpell_program_outcomes", program_id="SHORT", cohort_year="2019-20")
    assert (row["meets_length"], row["in_demand"]) == (False, False)
    assert (row["status"], row["reasons"]) == ("INELIGIBLE", "LENGTH;NOT_IN_DEMAND")


def test_unobserved_plus_two_leaves_learners_out_of_placement_base(warehouse: Path) -> None:
    row = one(warehouse, "marts.wpell_program_outcomes", program_id="RECENT", cohort_year="2024-25")
    assert row["n_completers_150"] == 12 and row["completion_rate"] == approx(1.0)
    # +1 = 2025Q2 = wage_data_through is observed: 5 placed; +2 = 2025Q3 is not: the 7 others are
    # left out of the base, never counted as not placed
    assert (row["n_placement_base"], row["n_placed_180"]) == (5, 5)
    assert row["placement_rate"] is None
    assert (row["status"], row["reasons"]) == ("INSUFFICIENT_DATA", "SMALL_COHORT")


def test_only_candidate_programs_with_members_have_rows(warehouse: Path) -> None:
    rows = rows_as_dicts(
        warehouse,
        "select program_id, cohort_year from marts.wpell_program_outcomes order by program_id, cohort_year",
    )
    assert [(r["program_id"], r["cohort_year"]) for r in rows] == [
        ("CNA15", "2020-21"),
        ("CNA16", "2020-21"),
        ("RECENT", "2024-25"),
        ("SHORT", "2019-20"),
        ("SMALL10", "2019-20"),
        ("SMALL9", "2019-20"),
        ("VAEFAIL", "2020-21"),
        ("WELD", "2021-22"),
    ]


# -- §7.2 program outcomes --------------------------------------------------------------------------
def test_program_outcomes_quarters_and_unmatchable(warehouse: Path) -> None:
    row = one(warehouse, "marts.program_outcomes", program_id="WELD", completion_year="2021-22")
    assert (row["n_completers"], row["n_unmatchable"]) == (12, 1)  # a1..a11 and a14 (no SSN)
    assert (row["n_observed_q2"], row["n_employed_q2"]) == (11, 9)
    assert row["employment_rate_q2"] == approx(9 / 11)
    assert row["median_earnings_q2"] == approx(5000.0)  # 5,000 x 8 and 4,000
    assert (row["n_observed_q4"], row["n_employed_q4"]) == (11, 5)
    assert row["median_earnings_q4"] == approx(6000.0)
    assert row["top_industry_q4"] == "54"  # 62 and 54 tie at two each: the lower code
    assert (
        row["provider_name"],
        row["cip_code"],
        row["cip_family"],
        row["credential_level"],
        row["credit_type"],
    ) == ("COLL College", "48.0508", "48", "CERT_LT1", "CREDIT")


def test_program_outcomes_annual_earnings(warehouse: Path) -> None:
    row = one(warehouse, "marts.program_outcomes", program_id="WELD", completion_year="2021-22")
    # year 1 = 2022: a1..a5 earned 16,000 in 3 quarters (attached); a6..a8 10,000 in 2; a9 4,000
    assert row["y1_n_attached"] == 5
    assert (row["y1_p25_earnings"], row["y1_p50_earnings"], row["y1_p75_earnings"]) == (
        approx(16000.0),
        approx(16000.0),
        approx(16000.0),
    )
    # year 3 = 2024: 20,000 x (1..9), linear interpolation
    assert row["y3_n_attached"] == 9
    assert (row["y3_p25_earnings"], row["y3_p50_earnings"], row["y3_p75_earnings"]) == (
        approx(60000.0),
        approx(100000.0),
        approx(140000.0),
    )
    # year 5 = 2026: not observed
    assert row["y5_n_attached"] == 0 and row["y5_p50_earnings"] is None


def test_attachment_thresholds(warehouse: Path) -> None:
    row = one(warehouse, "marts.program_outcomes", program_id="ATT", completion_year="2020-21")
    # 20,000 in 4 quarters, 18,000 in 3, exactly 15,080 in 4: attached; 20,000 in 2 and 12,000 in 4: not
    assert row["y1_n_attached"] == 3
    assert (row["y1_p25_earnings"], row["y1_p50_earnings"], row["y1_p75_earnings"]) == (
        approx(16540.0),
        approx(18000.0),
        approx(19000.0),
    )


def test_learner_with_two_awards_in_one_year_counts_once_at_the_earliest(warehouse: Path) -> None:
    row = one(warehouse, "marts.program_outcomes", program_id="DEG", completion_year="2022-23")
    assert row["n_completers"] == 2
    # k1 completes 2022-08-10 (+2 = 2023Q1: 7,000), k2 2022-12-01 (+2 = 2023Q2: 8,000)
    assert (row["n_observed_q2"], row["n_employed_q2"]) == (2, 2)
    assert row["median_earnings_q2"] == approx(7500.0)


def test_primary_employer_tie_goes_to_lower_account(warehouse: Path) -> None:
    row = one(warehouse, "marts.program_outcomes", program_id="TIE", completion_year="2023-24")
    assert (row["n_observed_q4"], row["n_employed_q4"]) == (4, 4)
    # t1's equal wages at 1000000009 (62) and 2000000002 (31): the lower account, so 62 leads 2 to 1;
    # t4's employer has no NAICS and is left out
    assert row["top_industry_q4"] == "62"


# -- §7.3 statewide ---------------------------------------------------------------------------------
def test_statewide_counts_a_learner_once_per_group(warehouse: Path) -> None:
    row = one(
        warehouse,
        "marts.statewide_outcomes",
        credit_type="CREDIT",
        credential_level="ASSOC",
        completion_year="2022-23",
    )
    # k1 has awards in DEG and DEG2 in 2022-23: once, at the earliest (2022-08-10)
    assert row["n_completers"] == 2
    assert row["median_earnings_q2"] == approx(7500.0)
    deg2 = one(warehouse, "marts.program_outcomes", program_id="DEG2", completion_year="2022-23")
    assert (deg2["n_completers"], deg2["n_employed_q2"]) == (1, 0)


def test_statewide_certificates_sum_programs(warehouse: Path) -> None:
    row = one(
        warehouse,
        "marts.statewide_outcomes",
        credit_type="CREDIT",
        credential_level="CERT_LT1",
        completion_year="2021-22",
    )
    assert row["n_completers"] == 12 and row["n_unmatchable"] == 1  # only WELD completes in 2021-22


# -- §8 suppression ---------------------------------------------------------------------------------
def test_reporting_suppresses_small_counts_and_their_statistics(warehouse: Path) -> None:
    row = one(warehouse, "reporting.wpell_program_outcomes", program_id="WELD", cohort_year="2021-22")
    # n_excluded (1) is primary-suppressed, so n_cohort follows (§8 rule 3: their difference is
    # n_completers_150 / completion_rate); the rate over 13 is published, rounded to 4 decimals
    assert (row["n_cohort"], row["n_excluded"], row["n_completers_150"]) == (None, None, 11)
    assert row["completion_rate"] == 0.8462
    assert row["suppressed_columns"].split(";")[:2] == ["n_cohort", "n_excluded"]
    # n_placed_180 (9) is hidden, so placement_rate (0.9 in marts) follows it (§8 rule 4)
    assert (row["n_placement_base"], row["n_placed_180"], row["placement_rate"]) == (10, None, None)
    assert (row["n_earnings_y3"], row["median_earnings_y3"]) == (None, None)
    assert row["suppressed"] is True
    prog = one(warehouse, "reporting.program_outcomes", program_id="WELD", completion_year="2021-22")
    assert (prog["n_unmatchable"], prog["n_employed_q2"], prog["median_earnings_q2"]) == (None, None, None)
    # n_employed_q2 (9) is hidden, so employment_rate_q2 (0.8182 in marts) follows it (§8 rule 4)
    assert prog["employment_rate_q2"] is None and prog["suppressed"] is True
    exact = one(warehouse, "marts.program_outcomes", program_id="WELD", completion_year="2021-22")
    assert (exact["n_employed_q2"], round(exact["employment_rate_q2"], 4)) == (9, 0.8182)


def test_reporting_keeps_rows_without_small_cells(warehouse: Path) -> None:
    row = one(warehouse, "reporting.wpell_program_outcomes", program_id="CNA16", cohort_year="2020-21")
    assert (row["n_cohort"], row["n_excluded"], row["n_earnings_y3"]) == (16, 0, 16)
    assert (row["median_earnings_y3"], row["value_added_earnings"]) == (34000.0, 12130.0)
    assert row["suppressed"] is False


def test_reporting_rounds_earnings_to_whole_dollars(warehouse: Path) -> None:
    row = one(warehouse, "reporting.program_outcomes", program_id="ATT", completion_year="2020-21")
    assert row["y1_n_attached"] is None  # 3 attached: suppressed with its percentiles
    assert row["y1_p50_earnings"] is None and row["suppressed"] is True
    marts = one(warehouse, "marts.program_outcomes", program_id="CNA16", completion_year="2020-21")
    rep = one(warehouse, "reporting.program_outcomes", program_id="CNA16", completion_year="2020-21")
    assert rep["y3_p50_earnings"] == round(marts["y3_p50_earnings"])


# -- settings change the rules they name -------------------------------------------------------------
@pytest.fixture(scope="module")
def lagged_warehouse(rules_lagged_run: Scenario) -> Path:
    """The same state through `ler run --wage-lag-quarters 1 --min-cell 3 --min-annual-earnings 20000`."""
    return rules_lagged_run.db


def test_wage_lag_moves_wage_data_through(lagged_warehouse: Path) -> None:
    meta = rows_as_dicts(lagged_warehouse, "select * from marts.run_metadata")[0]
    assert meta["wage_data_through"] == "2025Q1"
    assert (meta["wage_lag_quarters"], meta["min_cell"], meta["min_annual_earnings"]) == (1, 3, 20000.0)
    row = one(lagged_warehouse, "marts.wpell_program_outcomes", program_id="RECENT", cohort_year="2024-25")
    # 2025Q2 is now after wage_data_through: nobody's +1 is observed, the base is empty
    assert (row["n_placement_base"], row["n_placed_180"]) == (0, 0)


def test_min_annual_earnings_setting(lagged_warehouse: Path) -> None:
    row = one(lagged_warehouse, "marts.program_outcomes", program_id="ATT", completion_year="2020-21")
    assert row["y1_n_attached"] == 1  # only the 20,000-in-4-quarters learner reaches 20,000


def test_min_cell_setting(lagged_warehouse: Path) -> None:
    row = one(lagged_warehouse, "reporting.program_outcomes", program_id="DEG", completion_year="2022-23")
    assert row["n_completers"] is None  # 2 < 3
    row = one(lagged_warehouse, "reporting.program_outcomes", program_id="TIE", completion_year="2023-24")
    assert row["n_employed_q4"] == 4 and row["suppressed"] is False


def test_poverty_guideline_of_a_later_year_uses_the_latest_published(warehouse: Path) -> None:
    rows = rows_as_dicts(
        warehouse,
        "select distinct completion_date, poverty_threshold_y3 "
        "from intermediate.int_outcomes__completion_measures "
        "where completion_date in ('2020-11-01', '2025-03-15') order by 1",
    )
    # 2020 + 3 = 2023: 1.5 x 14,580; 2025 + 3 = 2028 is not published: 1.5 x 15,960 (2026)
    assert [float(r["poverty_threshold_y3"]) for r in rows] == [21870.0, 23940.0]
