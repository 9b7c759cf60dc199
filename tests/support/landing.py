"""Build small, hand-checkable landing zones in the spec's CSV layouts (docs/submission_manual.md §2).

Tests describe people, programs, spells and wages in a few lines; the builder fills every other
column with valid defaults and writes the files with `_YYYYMMDD` stamps, so each test states only
what its rule is about and writes the expected numbers by hand.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

TRANSCRIPT_COLUMNS = [
    "provider_id",
    "student_id",
    "ssn",
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "race_ethnicity",
    "program_id",
    "cip_code",
    "award_level",
    "enrollment_start_date",
    "enrollment_end_date",
    "exit_reason",
    "credits_attempted",
    "credits_earned",
    "award_date",
    "award_title",
    "pell_recipient",
]
NONCREDIT_COLUMNS = [
    "provider_id",
    "learner_id",
    "ssn",
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "race_ethnicity",
    "program_id",
    "cip_code",
    "soc_code",
    "clock_hours_completed",
    "start_date",
    "end_date",
    "exit_reason",
    "credential_type",
    "credential_name",
    "credential_date",
    "credential_ctid",
    "tuition_fees_charged",
    "funding_source",
]
WAGE_COLUMNS = [
    "ssn",
    "last_name",
    "first_name",
    "employer_account",
    "employer_fein",
    "year",
    "quarter",
    "wages",
    "naics_code",
    "county_fips",
    "hours",
]
PROVIDER_COLUMNS = [
    "provider_id",
    "provider_name",
    "provider_type",
    "ipeds_unitid",
    "opeid",
    "fice",
    "badge_issuer_id",
    "region",
]
PROGRAM_COLUMNS = [
    "provider_id",
    "program_id",
    "program_name",
    "cip_code",
    "soc_codes",
    "credit_type",
    "credential_level",
    "clock_hours",
    "credit_hours",
    "weeks",
    "tuition_fees",
    "wpell_candidate",
    "start_date",
]
IN_DEMAND_COLUMNS = ["soc_code", "title", "designation"]

_LAST = ["Smith", "Garcia", "Nguyen", "O'Brien", "De La Cruz", "Johnson", "Kim", "Patel", "Okafor", "Rossi"]
_FIRST = ["Ana", "Zoë", "Luis", "Mary", "José", "Wei", "Omar", "Priya", "Sam", "Ada"]


@dataclass(frozen=True)
class Person:
    number: int
    ssn: str | None
    first_name: str
    last_name: str
    birth_date: str

    @property
    def ssn9(self) -> str | None:
        return self.ssn.replace("-", "") if self.ssn else None


def person_fields(person: Person) -> dict[str, str]:
    """The identity columns of an education row (§2.1, §2.2)."""
    return {
        "ssn": person.ssn or "",
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": person.birth_date,
    }


@dataclass
class LandingBuilder:
    """Accumulates rows, then `write()`s a landing zone under `root`."""

    root: Path
    providers: list[dict] = field(default_factory=list)
    programs: list[dict] = field(default_factory=list)
    in_demand: list[dict] = field(default_factory=list)
    files: dict[tuple[str, str], list[dict]] = field(default_factory=lambda: defaultdict(list))
    _people: int = 0

    # -- people ----------------------------------------------------------------------------------
    def person(self, *, ssn: bool = True, ssn_text: str | None = None) -> Person:
        """A new learner with a unique valid SSN (or none), a name and a birth date."""
        self._people += 1
        n = self._people
        if ssn_text is not None:
            ssn_value = ssn_text
        elif ssn:
            ssn_value = f"{100 + n // 9000:03d}{11 + (n // 100) % 80:02d}{1000 + n % 9000:04d}"
        else:
            ssn_value = None
        return Person(
            n,
            ssn_value,
            _FIRST[n % len(_FIRST)] + chr(65 + (n // len(_FIRST)) % 26).lower(),
            _LAST[n % len(_LAST)] + chr(65 + (n // len(_LAST)) % 26).lower(),
            (date(1980, 1, 1) + timedelta(days=37 * n)).isoformat(),
        )

    # -- reference -------------------------------------------------------------------------------
    def provider(self, provider_id: str, **overrides: str) -> None:
        row = {
            "provider_id": provider_id,
            "provider_name": f"{provider_id} College",
            "provider_type": "PUBLIC_2YR",
            "ipeds_unitid": "",
            "opeid": "",
            "fice": "",
            "badge_issuer_id": "",
            "region": "NORTH",
        }
        row.update(overrides)
        self.providers.append(row)

    def program(self, provider_id: str, program_id: str, **overrides: object) -> None:
        row = {
            "provider_id": provider_id,
            "program_id": program_id,
            "program_name": f"{program_id} program",
            "cip_code": "48.0508",
            "soc_codes": "51-4121",
            "credit_type": "CREDIT",
            "credential_level": "CERT_LT1",
            "clock_hours": "300",
            "credit_hours": "10",
            "weeks": "10",
            "tuition_fees": "1000",
            "wpell_candidate": "Y",
            "start_date": "2015-08-01",
        }
        row.update({k: str(v) for k, v in overrides.items()})
        self.programs.append(row)

    def demand(self, soc_code: str, designation: str = "IN_DEMAND") -> None:
        self.in_demand.append(
            {"soc_code": soc_code, "title": f"Occupation {soc_code}", "designation": designation}
        )

    # -- submissions -----------------------------------------------------------------------------
    def transcript(
        self,
        file_name: str,
        person: Person,
        provider_id: str,
        program_id: str,
        start: date,
        *,
        award: date | None = None,
        exit_reason: str = "",
        student_id: str | None = None,
        award_level: str = "1B",
        cip_code: str = "48.0508",
        **overrides: str,
    ) -> None:
        row = {
            "provider_id": provider_id,
            "student_id": student_id or f"S{person.number:06d}",
            **person_fields(person),
            "sex": "F",
            "race_ethnicity": "UNK",
            "program_id": program_id,
            "cip_code": cip_code,
            "award_level": award_level,
            "enrollment_start_date": start.isoformat(),
            "enrollment_end_date": award.isoformat() if award else "",
            "exit_reason": exit_reason or ("COMPLETED" if award else ""),
            "credits_attempted": "10",
            "credits_earned": "10",
            "award_date": award.isoformat() if award else "",
            "award_title": f"{program_id} award" if award else "",
            "pell_recipient": "N",
        }
        row.update(overrides)
        self.files[("transcripts", file_name)].append(row)

    def noncredit(
        self,
        file_name: str,
        person: Person,
        provider_id: str,
        program_id: str,
        start: date,
        *,
        credential: date | None = None,
        exit_reason: str = "",
        learner_id: str | None = None,
        cip_code: str = "51.0714",
        credential_type: str = "NC_CERT",
        **overrides: str,
    ) -> None:
        row = {
            "provider_id": provider_id,
            "learner_id": learner_id or f"L{person.number:06d}",
            **person_fields(person),
            "sex": "M",
            "race_ethnicity": "WHITE",
            "program_id": program_id,
            "cip_code": cip_code,
            "soc_code": "",
            "clock_hours_completed": "100",
            "start_date": start.isoformat(),
            "end_date": credential.isoformat() if credential else "",
            "exit_reason": exit_reason or ("COMPLETED" if credential else ""),
            "credential_type": credential_type if credential else "",
            "credential_name": "",
            "credential_date": credential.isoformat() if credential else "",
            "credential_ctid": "",
            "tuition_fees_charged": "500",
            "funding_source": "WPELL",
        }
        row.update(overrides)
        self.files[("noncredit", file_name)].append(row)

    def wage(
        self,
        file_name: str,
        person: Person,
        year: int,
        quarter: int,
        wages: float | str,
        *,
        employer: str = "1000000001",
        naics: str = "541511",
        **overrides: str,
    ) -> None:
        self.files[("wages", file_name)].append(
            wage_row(person, year, quarter, wages, employer=employer, naics=naics, **overrides)
        )

    def raw_file(self, kind: str, file_name: str, content: bytes) -> Path:
        path = self.root / kind / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return path

    # -- output ----------------------------------------------------------------------------------
    def write(self) -> Path:
        for kind in ("reference", "transcripts", "noncredit", "wages"):
            (self.root / kind).mkdir(parents=True, exist_ok=True)
        write_csv(self.root / "reference" / "providers.csv", PROVIDER_COLUMNS, self.providers)
        write_csv(self.root / "reference" / "programs.csv", PROGRAM_COLUMNS, self.programs)
        write_csv(self.root / "reference" / "in_demand_occupations.csv", IN_DEMAND_COLUMNS, self.in_demand)
        columns = {"transcripts": TRANSCRIPT_COLUMNS, "noncredit": NONCREDIT_COLUMNS, "wages": WAGE_COLUMNS}
        for (kind, name), rows in self.files.items():
            write_csv(self.root / kind / name, columns[kind], rows)
        return self.root


def wage_row(
    person: Person,
    year: int,
    quarter: int,
    wages: float | str,
    *,
    employer: str = "1000000001",
    naics: str = "541511",
    **overrides: str,
) -> dict:
    """A UI Wage Extract row (docs/submission_manual.md §2.3) with valid defaults; `wages` as text is kept
    verbatim."""
    row = {
        "ssn": person.ssn or "",
        "last_name": person.last_name.upper(),
        "first_name": person.first_name.upper(),
        "employer_account": employer,
        "employer_fein": "123456789",
        "year": str(year),
        "quarter": str(quarter),
        "wages": wages if isinstance(wages, str) else f"{wages:.2f}",
        "naics_code": naics,
        "county_fips": "12345",
        "hours": "",
    }
    row.update(overrides)
    return row


def csv_text(columns: list[str], rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return buf.getvalue()


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(csv_text(columns, rows), encoding="utf-8")
