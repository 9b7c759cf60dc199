"""Build ICESA wage files for tests, placing fields by a layout so custom layouts can be exercised too.

Values are given as Python values: an `int` is zero-filled to its field's width (money in minor
units, counts as counts), a `str` is left-aligned and space-filled. Nothing here validates: tests
also need broken files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.landing.formats.icesa import IcesaLayout, load_layout

DEFAULT_LAYOUT = load_layout()


@dataclass
class Employee:
    ssn: str
    last_name: str
    first_name: str
    cents: int | str  # a str is written as is (to make a non-numeric wage field)
    period: str = "122024"
    account: str = ""


@dataclass
class Employer:
    fein: str
    account: str
    naics: str
    employees: Sequence[Employee] = field(default_factory=list)
    payment_year: str = "2024"
    reporting_quarter: str = "12"
    t_cents: int | str | None = None  # None: the correct sum
    t_count: int | str | None = None  # None: the correct count


def record(layout: IcesaLayout, record_type: str, values: Mapping[str, int | str] | None = None) -> str:
    """One record of exactly `layout.record_length` characters."""
    chars = [" "] * layout.record_length
    chars[0] = record_type
    for name, value in (values or {}).items():
        f = layout.field(record_type, name)
        if f is None:
            continue  # the layout does not carry this field
        width = f.end - f.start + 1
        text = str(value).zfill(width) if isinstance(value, int) else str(value).ljust(width)
        if len(text) != width:
            raise ValueError(f"value for {record_type}.{name} does not fit {width} characters")
        chars[f.start - 1:f.end] = text
    return "".join(chars)


def group_lines(layout: IcesaLayout, employer: Employer) -> list[str]:
    lines = [record(layout, "E", {
        "payment_year": employer.payment_year, "employer_fein": employer.fein,
        "employer_account": employer.account, "naics_code": employer.naics,
        "reporting_quarter": employer.reporting_quarter,
    })]
    for emp in employer.employees:
        lines.append(record(layout, "S", {
            "ssn": emp.ssn, "last_name": emp.last_name, "first_name": emp.first_name,
            "wages": emp.cents, "reporting_period": emp.period, "employer_account": emp.account,
        }))
    total = employer.t_cents if employer.t_cents is not None else sum(
        e.cents for e in employer.employees if isinstance(e.cents, int))
    count = employer.t_count if employer.t_count is not None else len(employer.employees)
    lines.append(record(layout, "T", {"employee_count": count, "wages": total}))
    return lines


def icesa_lines(
    employers: Iterable[Employer],
    layout: IcesaLayout = DEFAULT_LAYOUT,
    *,
    b_records: int = 1,
    s_count: int | str | None = None,
    e_count: int | str | None = None,
) -> list[str]:
    """All records of a file: A, B..., groups, F (with correct counts unless overridden)."""
    employers = list(employers)
    lines = [record(layout, "A")] + [record(layout, "B")] * b_records
    for employer in employers:
        lines += group_lines(layout, employer)
    n_s = sum(len(e.employees) for e in employers)
    lines.append(record(layout, "F", {
        "s_record_count": n_s if s_count is None else s_count,
        "e_record_count": len(employers) if e_count is None else e_count,
    }))
    return lines


def write_lines(path: Path, lines: Iterable[str], newline: str = "\r\n", trailing: str | None = None) -> Path:
    """Write records as Latin-1 with the given line end (`trailing` replaces the final one)."""
    lines = list(lines)
    text = newline.join(lines) + (newline if trailing is None else trailing)
    path.write_bytes(text.encode("latin-1"))
    return path


def sample_employers() -> list[Employer]:
    """Three employer groups with distinctive, made-up values (tests look for them in messages)."""
    return [
        Employer("581111111", "ACCT0000001", "518210", [
            Employee("201456789", "QUIXOTEWORTH", "ZEBEDIAH", 1234567),
            Employee("202456789", "ABERNATHYX", "PHILOMENA", 50),
        ]),
        Employer("582222222", "ACCT0000002", "722511", [
            Employee("203456789", "VANDERZWAAN", "ISOLDE", 987654, period="092024"),
            Employee("204456789", "O'KEEFFE", "BARTHOLOMEW", 0),
            Employee("205456789", "MONTGOMERYQ", "ELSPETH", 31415926),
        ]),
        Employer("583333333", "ACCT0000003", "611310", [
            Employee("206456789", "FITZWILLIAMS", "CORDELIA", 777777),
        ]),
    ]


# Values from sample_employers() that must never appear in an error message or warning.
SAMPLE_SECRETS = (
    "201456789", "202456789", "203456789", "204456789", "205456789", "206456789",
    "QUIXOTEWORTH", "ZEBEDIAH", "ABERNATHYX", "PHILOMENA", "VANDERZWAAN", "ISOLDE", "KEEFFE",
    "BARTHOLOMEW", "MONTGOMERYQ", "ELSPETH", "FITZWILLIAMS", "CORDELIA",
    "1234567", "12345.67", "987654", "9876.54", "31415926", "314159.26", "777777", "7777.77",
)
