"""One normalizer per code system, shared by every reader that normalizes (PESC, CLR / Open Badges, CTDL).

Senders write one code many ways: a CIP `1.0105` whose leading zero a spreadsheet dropped, six bare
digits `520201` for `52.0201`, an O*NET-SOC `15-1252.00` where the SOC `15-1252` is meant, a
date-time where a date is meant. Each function returns the code in the form the contracts expect
(CIP `NN.NNNN`, SOC `NN-NNNN`, NAICS 2-6 digits, date `YYYY-MM-DD`), or None when the text is not a
value of that system. What a None means is the reader's call: PESC and Open Badges pass the text on
as written, so validation rejects the row with the contract's reason; CTDL leaves the code out of its
list and counts it in a warning.

Six bare digits are read as a CIP or SOC code only where the format says the value is one (a PESC
`ProgramCIPCode`, an alignment whose framework names CIP, SOC or O*NET): elsewhere `520201` could be
anything. CSV layouts are never normalized: docs/submission_manual.md §5 makes a CIP that is not
`NN.NNNN` a row-level reject, so CSV values are judged as written, in SQL (data_contracts/README.md).
"""

from __future__ import annotations

import re
from datetime import date

_CIP = re.compile(r"(\d{1,2})\.(\d{4})")
_CIP_BARE = re.compile(r"(\d{2})(\d{4})")
_SOC = re.compile(r"(\d{2})-(\d{4})(?:\.\d{2})?")
_SOC_BARE = re.compile(r"(\d{2})(\d{4})(?:\.\d{2})?")
# NAICS 2 to 6 digits, or a sector written as its official range (`31-33` manufacturing).
_NAICS = re.compile(r"\d{2,6}|\d{2}-\d{2}")
# ISO 8601 date, optionally with a time and an offset (`2020-05-04`, `2020-05-04T10:00:00.5-05:00`,
# `2020-05-04Z`, XML Schema's `2020-05-04-05:00`); the date part is the value.
_ISO_DATE_TIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:[Tt ]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?"
)
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _trimmed(text: str | None) -> str | None:
    if text is None:
        return None
    return text.strip() or None


def cip(text: str | None, bare_digits: bool = False) -> str | None:
    """CIP 2020 `NN.NNNN`: `1.0105` gets its leading zero back; `520201` counts only with `bare_digits`."""
    text = _trimmed(text)
    if text is None:
        return None
    if m := _CIP.fullmatch(text):
        return f"{m.group(1).zfill(2)}.{m.group(2)}"
    if bare_digits and (m := _CIP_BARE.fullmatch(text)):
        return f"{m.group(1)}.{m.group(2)}"
    return None


def soc(text: str | None, bare_digits: bool = False) -> str | None:
    """SOC 2018 `NN-NNNN`; an O*NET-SOC code (`15-1252.00`) gives its SOC detailed occupation."""
    text = _trimmed(text)
    if text is None:
        return None
    m = _SOC.fullmatch(text) or (_SOC_BARE.fullmatch(text) if bare_digits else None)
    return f"{m.group(1)}-{m.group(2)}" if m else None


def naics(text: str | None) -> str | None:
    """NAICS 2022, sector to national industry: 2-6 digits (or a sector range such as `31-33`)."""
    text = _trimmed(text)
    return text if text is not None and _NAICS.fullmatch(text) else None


def date_part(text: str | None) -> str | None:
    """`YYYY-MM-DD` of an ISO date or date-time (offsets ignored: the date as written), or of the
    spec's `MM/DD/YYYY`; None for anything else. Calendar validity is judged later, in SQL."""
    text = _trimmed(text)
    if text is None:
        return None
    if m := _ISO_DATE_TIME.fullmatch(text):
        return m.group(1)
    if m := _US_DATE.fullmatch(text):
        return f"{m.group(3)}-{m.group(1).zfill(2)}-{m.group(2).zfill(2)}"
    return None


def is_date(text: str | None) -> bool:
    """True for a real calendar date written `YYYY-MM-DD` (what `date_part` returns)."""
    if text is None or not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
