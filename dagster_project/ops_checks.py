"""The operational checks' rules (docs/reporting_rules.md §9, "Operational checks"): pure functions
that judge what a run found, with no I/O, so each rule is tested on its own
(tests/test_ops_checks.py). The checks themselves (checks.py) read the warehouse (ops_data.py) and
report these verdicts as non-blocking Dagster asset checks of severity WARN: a late wage file, a
table that halved or a feed full of unknown codes is for the data office to look at, not a reason
to keep yesterday's publication.

Every verdict's metadata is counts, percentages and quarter labels only: never a code, a provider,
a person key or any value of a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Verdict:
    """One check's finding: passed or not, one plain sentence, and metadata safe to show anywhere."""

    passed: bool
    summary: str
    metadata: Mapping[str, object] = field(default_factory=dict)


# -- wage freshness ------------------------------------------------------------------------------


def quarter_index(day: date) -> int:
    """The calendar quarter of `day` as year * 4 + (quarter - 1), the warehouse's `quarter_index`."""
    return day.year * 4 + (day.month - 1) // 3


def quarter_label(index: int) -> str:
    """`2025Q2` for index 8101, as dbt's quarter_label macro writes it."""
    return f"{index // 4}Q{index % 4 + 1}"


def judge_freshness(latest_quarter: int | None, run_date: date, lag_quarters: int) -> Verdict:
    """Is the latest wage quarter in the warehouse at most `lag_quarters` before the run's own
    calendar quarter? (LER_WAGE_FRESHNESS_LAG_QUARTERS: wage records arrive after their quarter
    ends, so some lag is normal.) A quarter after the run's quarter cannot hold real wages yet: it
    warns too, since the files or the run clock are wrong."""
    run_quarter = quarter_index(run_date)
    meta: dict[str, object] = {
        "run_date": run_date.isoformat(),
        "run_quarter": quarter_label(run_quarter),
        "allowed_lag_quarters": lag_quarters,
    }
    if latest_quarter is None:
        return Verdict(False, "no wage data is loaded", meta | {"latest_wage_quarter": "none"})
    behind = run_quarter - latest_quarter
    meta |= {"latest_wage_quarter": quarter_label(latest_quarter), "quarters_behind": behind}
    latest, run = quarter_label(latest_quarter), quarter_label(run_quarter)
    if behind < 0:
        return Verdict(False, f"the latest wage quarter {latest} is after the run's quarter {run}", meta)
    summary = f"the latest wage quarter {latest} is {behind} quarter(s) before the run's quarter {run}"
    if behind > lag_quarters:
        return Verdict(False, f"{summary}, more than LER_WAGE_FRESHNESS_LAG_QUARTERS = {lag_quarters}", meta)
    return Verdict(True, f"{summary} (at most {lag_quarters} allowed)", meta)


# -- row-count change ----------------------------------------------------------------------------


def change_pct(previous: int, current: int) -> float | None:
    """Signed change in percent of `previous`; None when previous is 0 (no percentage exists)."""
    if previous == 0:
        return None
    return round(100.0 * (current - previous) / previous, 2)


def judge_row_count(
    label: str, previous: int | None, current: int, max_change_pct: float, previous_run: str | None = None
) -> Verdict:
    """Did the table's row count move by more than `max_change_pct` percent (LER_ROW_COUNT_CHANGE_PCT,
    either way) since the previous run that published? No previous count (the first run, or a table
    new since then) passes with a note. From 0 rows to some is a change no percentage measures: it
    warns (a feed that was empty now has rows, or the previous run loaded nothing); 0 to 0 passes."""
    meta: dict[str, object] = {"current_rows": current, "max_change_pct": max_change_pct}
    if previous is None:
        return Verdict(
            True,
            f"{label}: {current} rows; no earlier published run to compare with",
            meta | {"previous_rows": "none"},
        )
    meta |= {"previous_rows": previous, "previous_run_id": previous_run or "unknown"}
    pct = change_pct(previous, current)
    meta["change_pct"] = "n/a (previous 0)" if pct is None else pct
    moved = f"{label}: {previous} -> {current} rows"
    if pct is None:
        if current == 0:
            return Verdict(True, f"{moved} (unchanged)", meta)
        return Verdict(False, f"{moved}: rows where the previous published run had none", meta)
    if abs(pct) > max_change_pct:
        limit = f"more than LER_ROW_COUNT_CHANGE_PCT = {max_change_pct:g}"
        return Verdict(False, f"{moved} ({pct:+.2f} %), {limit}", meta)
    return Verdict(True, f"{moved} ({pct:+.2f} %)", meta)


# -- crosswalk coverage --------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCoverage:
    """One code system's records that carry a code, and those whose code no crosswalk knows."""

    code_system: str
    records_with_code: int
    unmapped_records: int
    unmapped_codes: int  # distinct unknown codes: a count, never the codes themselves

    @property
    def unmapped_pct(self) -> float:
        if not self.records_with_code:
            return 0.0
        return round(100.0 * self.unmapped_records / self.records_with_code, 2)


def judge_coverage(systems: list[CodeCoverage], max_pct: float) -> Verdict:
    """Does every code system keep its share of records with an unknown code at or under `max_pct`
    percent (LER_UNMAPPED_CODES_MAX_PCT)? Judged per system, so a new PESC feed full of unknown
    award levels is not hidden by thousands of well-coded CSV rows. The codes are in
    marts.dq_unmapped_codes, for the office; the metadata only counts them."""
    meta: dict[str, object] = {"max_unmapped_pct": max_pct}
    for s in sorted(systems, key=lambda s: s.code_system):
        key = s.code_system.lower()
        meta |= {
            f"{key}_records_with_code": s.records_with_code,
            f"{key}_unmapped_records": s.unmapped_records,
            f"{key}_unmapped_pct": s.unmapped_pct,
            f"{key}_unmapped_codes": s.unmapped_codes,
        }
    total = sum(s.records_with_code for s in systems)
    unmapped = sum(s.unmapped_records for s in systems)
    meta |= {"records_with_code": total, "unmapped_records": unmapped}
    if not total:
        return Verdict(True, "no education record carries a credential code yet", meta)
    over = sorted((s for s in systems if s.unmapped_pct > max_pct), key=lambda s: s.code_system)
    if over:
        parts = ", ".join(f"{s.code_system} {s.unmapped_pct:g} %" for s in over)
        return Verdict(
            False,
            f"records with a code no crosswalk knows: {parts}, more than "
            f"LER_UNMAPPED_CODES_MAX_PCT = {max_pct:g}",
            meta,
        )
    return Verdict(True, f"{unmapped} of {total} coded records carry a code no crosswalk knows", meta)
