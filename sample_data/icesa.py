"""ICESA fixed-width wage report (docs/submission_manual.md §2.4): 275-byte records A, B, then per employer
E, S...,
T, and a final F, CRLF-terminated.

Only the positions the spec fixes carry meaning for the pipeline; the other fields are filled the
way a payroll vendor would (transmitter name, employer name) so the file looks like a real one.
Money is unsigned, zero-filled, with two implied decimals; T totals equal the sum of their S
records and F counts every S and E record.
"""

from __future__ import annotations

from collections.abc import Iterable

from sample_data.careers import WageRow
from sample_data.catalog import STATE_FIPS
from sample_data.identity import ascii_upper
from sample_data.timeline import q_num, q_year

RECORD_LENGTH = 275
TRANSMITTER_EIN = "410987654"


def record(kind: str, fields: Iterable[tuple[int, int, str]]) -> str:
    """A 275-character record; fields are (first position, last position, value), 1-based inclusive."""
    chars = [" "] * RECORD_LENGTH
    chars[0] = kind
    for first, last, value in fields:
        width = last - first + 1
        if len(value) > width:
            raise ValueError(f"{kind} record: {value!r} does not fit positions {first}-{last}")
        chars[first - 1:last] = list(value.ljust(width))
    line = "".join(chars)
    if not line.isascii():
        raise ValueError(f"{kind} record is not ASCII")
    return line


def report(rows: list[WageRow], q: int) -> bytes:
    """The quarter's wage records as one ICESA report, employers in account order."""
    year, quarter = q_year(q), q_num(q)
    period = f"{quarter * 3:02d}{year}"
    by_employer: dict[str, list[WageRow]] = {}
    for row in rows:
        by_employer.setdefault(row.employer.account, []).append(row)
    lines = [
        record("A", [(2, 5, str(year)), (6, 14, TRANSMITTER_EIN), (15, 18, "UTAX"),
                     (24, 73, "NORTHLAND PAYROLL SERVICES INC"), (74, 113, "400 MARKET ST STE 210"),
                     (114, 138, "CEDAR HOLLOW"), (139, 140, "MN"), (154, 158, "55101")]),
        record("B", [(2, 5, str(year)), (6, 14, TRANSMITTER_EIN), (15, 22, "PCLINUX"), (29, 30, "SL"),
                     (44, 87, "NORTHLAND PAYROLL SERVICES INC")]),
    ]
    n_s = 0
    for account in sorted(by_employer):
        group = sorted(by_employer[account], key=lambda r: r.person.ssn)
        employer = group[0].employer
        lines.append(record("E", [(2, 5, str(year)), (6, 14, employer.fein),
                                  (24, 73, ascii_upper(employer.name)), (177, 191, employer.account),
                                  (212, 217, employer.naics), (271, 272, f"{quarter * 3:02d}")]))
        total = 0
        for row in group:
            cents = round(row.wages * 100)
            total += cents
            lines.append(record("S", [(2, 10, row.person.ssn), (11, 30, ascii_upper(row.person.last)[:20]),
                                      (31, 42, ascii_upper(row.person.first)[:12]), (44, 45, STATE_FIPS),
                                      (64, 77, f"{cents:014d}"), (136, 141, period),
                                      (142, 156, employer.account)]))
        n_s += len(group)
        lines.append(record("T", [(2, 8, f"{len(group):07d}"), (23, 36, f"{total:014d}")]))
    lines.append(record("F", [(2, 11, f"{n_s:010d}"), (12, 21, f"{len(by_employer):010d}")]))
    return ("\r\n".join(lines) + "\r\n").encode("ascii")
