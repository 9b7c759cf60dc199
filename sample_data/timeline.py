"""Calendar facts of the synthetic state: award years, wage quarters and the extract date.

Quarters are handled as one integer (`year * 4 + quarter - 1`) so stepping `k` quarters is `+ k`,
the same arithmetic the spec's `quarter(d) + k` uses (docs/reporting_rules.md §6).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

FIRST_AWARD_YEAR = 2017  # 2017-18
LAST_AWARD_YEAR = 2024  # 2024-25
AWARD_YEARS = tuple(range(FIRST_AWARD_YEAR, LAST_AWARD_YEAR + 1))

# Every college and training-provider extract is a snapshot taken on this date, so spells still
# running then are ENROLLED with no end date.
EXTRACT_DATE = date(2025, 9, 15)
EDUCATION_STAMP = date(2025, 9, 15)
REFERENCE_MTIME = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)


def qidx(year: int, quarter: int) -> int:
    """One integer per calendar quarter."""
    return year * 4 + quarter - 1


def quarter_of(d: date) -> int:
    return qidx(d.year, (d.month - 1) // 3 + 1)


def q_year(q: int) -> int:
    return q // 4


def q_num(q: int) -> int:
    return q % 4 + 1


def q_label(q: int) -> str:
    return f"{q_year(q)}Q{q_num(q)}"


FIRST_WAGE_Q = qidx(2016, 1)
LAST_WAGE_Q = qidx(2025, 2)


def quarter_end(q: int) -> date:
    month = q_num(q) * 3
    first_next = date(q_year(q) + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def wage_file_stamp(q: int) -> date:
    """UI wage files arrive on the 15th of the second month after the quarter ends."""
    end = quarter_end(q)
    month = end.month + 2
    return date(end.year + (month > 12), (month - 1) % 12 + 1, 15)


def award_year_of(d: date) -> int:
    """Start year of the award year (July 1 - June 30) holding d."""
    return d.year if d.month >= 7 else d.year - 1


def award_year_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def stamp(d: date) -> str:
    return d.strftime("%Y%m%d")


def stamp_mtime(d: date) -> datetime:
    """Modification time given to a stamped file: its stamp date, 06:00 UTC (a plausible upload)."""
    return datetime(d.year, d.month, d.day, 6, 0, tzinfo=UTC)
