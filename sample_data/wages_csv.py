"""UI Wage Extract CSVs (docs/submission_manual.md §2.3), one per quarter, filed after the quarter ends.

Deliberate features:
- an amended file for an earlier quarter (later stamp) that corrects misreported wages, reports a
  late row, and corrects some wrongly reported rows to 0.00 (a correction, not a deletion);
- one quarter's file delivered twice under another name (byte-identical: DUPLICATE);
- a few rejectable rows in one quarter (negative wage, quarter 5, invalid SSN, a short line);
- one quarter delivered only as an ICESA fixed-width report (see icesa.py), not as CSV.
"""

from __future__ import annotations

import random
from datetime import date

from sample_data import icesa
from sample_data.careers import Employer, EmployerPool, WageRow
from sample_data.identity import dashed
from sample_data.landing import LandingWriter, csv_bytes
from sample_data.spells import Person
from sample_data.timeline import q_label, q_num, q_year, qidx, stamp, stamp_mtime, wage_file_stamp

WAGE_COLUMNS = ["ssn", "last_name", "first_name", "employer_account", "employer_fein", "year", "quarter",
                "wages", "naics_code", "county_fips", "hours"]

ICESA_Q = qidx(2023, 4)
AMEND_Q, AMEND_STAMP = qidx(2022, 3), date(2023, 3, 15)
DUP_Q, DUP_STAMP = qidx(2020, 1), date(2020, 6, 1)
BAD_Q = qidx(2021, 1)


class Formatter:
    """Formats wage rows, caching each person's SSN and upper-case names (a person has dozens of rows)."""

    def __init__(self) -> None:
        self._people: dict[int, tuple[str, str, str]] = {}

    def _person(self, person: Person, dashes: bool) -> tuple[str, str, str]:
        cols = self._people.get(person.pid)
        if cols is None:
            cols = (person.ssn, person.last.upper(), person.first.upper())
            self._people[person.pid] = cols
        return (dashed(cols[0]), cols[1], cols[2]) if dashes else cols

    def fields(self, person: Person, employer: Employer, q: int, wages: float,
               hours: float | None) -> list[str]:
        ssn, last, first = self._person(person, employer.dashes_ssn)
        if employer.omits_names:
            last = first = ""
        return [ssn, last, first, employer.account, employer.fein, str(q_year(q)), str(q_num(q)),
                f"{wages:.2f}", employer.naics, employer.county, "" if hours is None else f"{hours:.1f}"]

    def row(self, row: WageRow) -> list[str]:
        return self.fields(row.person, row.employer, row.q, row.wages, row.hours)


def _sorted(rows: list[list[str]]) -> list[list[str]]:
    """Employer order, then SSN: how a UI tax system exports its wage detail."""
    return sorted(rows, key=lambda r: (r[3], r[0].replace("-", "")))


def amendment(rng: random.Random, fmt: Formatter, rows: list[WageRow], people: list[Person],
              pool: EmployerPool) -> tuple[list[list[str]], list[list[str]]]:
    """(first filing, amended filing) of one quarter; together they equal the true wages."""
    n = len(rows)
    picks = rng.sample(range(n), min(n, max(3, n // 50) + max(1, n // 200)))
    misreported, late = picks[: max(3, n // 50)], picks[max(3, n // 50):]
    first: list[list[str]] = []
    amended: list[list[str]] = []
    mis, lat = set(misreported), set(late)
    for i, row in enumerate(rows):
        if i in lat:
            amended.append(fmt.row(row))
            continue
        if i in mis:
            wrong = round(row.wages * rng.choice((1.5, 0.6, 10.0)), 2)
            first.append(fmt.fields(row.person, row.employer, row.q, wrong, row.hours))
            amended.append(fmt.row(row))
            continue
        first.append(fmt.row(row))
    taken = {(r.person.pid, r.employer.account) for r in rows}
    employers = pool.all()
    q = rows[0].q if rows else AMEND_Q
    for _ in range(max(2, n // 300)):
        person, employer = rng.choice(people), rng.choice(employers)
        if (person.pid, employer.account) in taken:
            continue
        taken.add((person.pid, employer.account))
        first.append(fmt.fields(person, employer, q, round(rng.uniform(800, 6000), 2), None))
        amended.append(fmt.fields(person, employer, q, 0.0, None))  # reported in error: corrected to zero
    return _sorted(first), _sorted(amended)


def with_bad_rows(rng: random.Random, rows: list[list[str]]) -> tuple[list[list[str]], int]:
    """Rejectable copies of real rows at random places, at most one per 12 good rows (under 10 %)."""
    k = min(4, len(rows) // 12)
    result = list(rows)
    for i in range(k):
        pos = rng.randrange(len(result))
        bad = list(result[pos])
        if i == 0:
            bad[7] = f"-{bad[7]}"
        elif i == 1:
            bad[6] = "5"
        elif i == 2:
            bad[0] = "000" + bad[0].replace("-", "")[3:]
        else:
            bad = bad[:-1]
        result.insert(pos + 1, bad)
    return result, k


def write_wages(out: LandingWriter, rng: random.Random, by_q: dict[int, list[WageRow]], people: list[Person],
                pool: EmployerPool) -> dict[str, int]:
    """Every quarter's wage file plus the amended, duplicate and ICESA deliveries."""
    notes: dict[str, int] = {}
    fmt = Formatter()
    for q, rows in by_q.items():
        filed = wage_file_stamp(q)
        name = f"ui_wages_{q_label(q)}_{stamp(filed)}.csv"
        if q == ICESA_Q:
            data = icesa.report(rows, q)
            out.write("wages", f"icesa_wages_{q_label(q)}_{stamp(filed)}.txt", data, stamp_mtime(filed))
            notes["icesa_s_records"] = len(rows)
            continue
        if q == AMEND_Q:
            first, amended = amendment(rng, fmt, rows, people, pool)
            out.write("wages", name, csv_bytes(WAGE_COLUMNS, first), stamp_mtime(filed))
            amend_name = f"ui_wages_{q_label(q)}_amended_{stamp(AMEND_STAMP)}.csv"
            out.write("wages", amend_name, csv_bytes(WAGE_COLUMNS, amended), stamp_mtime(AMEND_STAMP))
            notes["amended_rows"] = len(amended)
            continue
        lines = _sorted([fmt.row(r) for r in rows])
        if q == BAD_Q:
            lines, notes["wage_bad_rows"] = with_bad_rows(rng, lines)
        data = csv_bytes(WAGE_COLUMNS, lines)
        out.write("wages", name, data, stamp_mtime(filed))
        if q == DUP_Q:
            copy = f"ui_wages_{q_label(q)}_copy_{stamp(DUP_STAMP)}.csv"
            out.write("wages", copy, data, stamp_mtime(DUP_STAMP))  # the same bytes sent twice
    return notes
