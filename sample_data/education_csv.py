"""Transcript and Noncredit Extract CSVs (docs/submission_manual.md §2.1, §2.2), one per provider and award
year.

Deliberate problems, each small enough not to spoil the outcome tables:
- a resubmitted transcript file (later stamp) in which awards missing from the first submission
  are now posted, so the later file must win for the same natural key;
- a few rejectable rows (impossible date, unknown program, malformed CIP) in one file, under 10 %;
- one exactly repeated line (counts as `rows_duplicate`);
- an addendum file without the required `program_id` column (quarantined whole);
- the certification body's files with a UTF-8 BOM, CRLF line ends and MM/DD/YYYY dates.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from sample_data.catalog import CREDIT_PROVIDERS, NONCREDIT_PROVIDERS
from sample_data.identity import dashed
from sample_data.landing import LandingWriter, csv_bytes
from sample_data.spells import Person, Spell
from sample_data.timeline import EDUCATION_STAMP, award_year_label, award_year_of, stamp, stamp_mtime

TRANSCRIPT_COLUMNS = ["provider_id", "student_id", "ssn", "first_name", "last_name", "birth_date", "sex",
                      "race_ethnicity", "program_id", "cip_code", "award_level", "enrollment_start_date",
                      "enrollment_end_date", "exit_reason", "credits_attempted", "credits_earned",
                      "award_date", "award_title", "pell_recipient"]
NONCREDIT_COLUMNS = ["provider_id", "learner_id", "ssn", "first_name", "last_name", "birth_date", "sex",
                     "race_ethnicity", "program_id", "cip_code", "soc_code", "clock_hours_completed",
                     "start_date", "end_date", "exit_reason", "credential_type", "credential_name",
                     "credential_date", "credential_ctid", "tuition_fees_charged", "funding_source"]

RESUBMIT_PROVIDER, RESUBMIT_YEAR, RESUBMIT_STAMP = "CHCC", 2023, date(2025, 10, 6)
BAD_ROWS_PROVIDER = "LKTC"
ADDENDUM_STAMP = date(2025, 10, 13)
DUP_LINE_PROVIDER, DUP_LINE_YEAR = "NPSU", 2019
US_DATE_PROVIDERS = ("NHSC",)

DateFmt = Callable[[date | None], str]


def iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def us_date(d: date | None) -> str:
    return d.strftime("%m/%d/%Y") if d else ""


def num(x: float) -> str:
    """Numbers as a registrar's export shows them: 16, 7.5."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def reported_ssn(person: Person, spell: Spell) -> str:
    """The SSN as the provider wrote it; LKTC and some others format it with dashes."""
    ssn = spell.reported_ssn
    if not ssn:
        return ""
    provider = spell.program.provider_id
    if provider == "LKTC" or (provider == "NPSU" and person.pid % 20 == 0) or (
            provider == "SWI" and person.pid % 10 == 3):
        return dashed(ssn)
    return ssn


def transcript_row(person: Person, spell: Spell, pending: bool = False) -> list[str]:
    """One Transcript Extract row; `pending` shows the spell as it looked before the award posted."""
    prog = spell.program
    award, end, reason, earned = spell.award_date, spell.end, spell.exit_reason, spell.credits_earned
    if pending:
        award, end, reason, earned = None, None, "ENROLLED", max(0.0, spell.credits_earned - 3)
    return [prog.provider_id, spell.local_id, reported_ssn(person, spell), person.first, person.last,
            iso(person.birth), person.sex, person.race, prog.program_id, prog.cip, prog.award_level,
            iso(spell.start), iso(end), reason, num(spell.credits_attempted), num(earned), iso(award),
            prog.name if award else "", spell.pell]


def noncredit_row(person: Person, spell: Spell, fmt: DateFmt = iso) -> list[str]:
    prog = spell.program
    award = spell.award_date
    reason = "" if prog.provider_id == "NHSC" else spell.exit_reason  # exam bodies track passes only
    return [prog.provider_id, spell.local_id, reported_ssn(person, spell), person.first, person.last,
            fmt(person.birth), person.sex, person.race, prog.program_id, prog.cip,
            prog.soc_codes[0] if prog.soc_codes else "", num(spell.hours_completed), fmt(spell.start),
            fmt(spell.end), reason, prog.level if award else "", prog.name if award else "", fmt(award),
            prog.ctid if award else "", num(spell.tuition_charged), spell.funding]


FileGroups = dict[tuple[str, int], list[tuple[Person, Spell]]]


def spells_by_file(learners: list[Person], providers: tuple[str, ...]) -> FileGroups:
    """CSV-delivered spells grouped by (provider, award year of the start), sorted by learner id."""
    groups: FileGroups = {}
    for person in learners:
        for spell in person.spells:
            provider = spell.program.provider_id
            if spell.channel == "csv" and provider in providers:
                groups.setdefault((provider, award_year_of(spell.start)), []).append((person, spell))
    for rows in groups.values():
        rows.sort(key=lambda ps: (ps[1].local_id, ps[1].start, ps[1].program.program_id))
    return dict(sorted(groups.items()))


def bad_rows(rng: random.Random, good: list[list[str]], cols: list[str]) -> list[tuple[int, list[str]]]:
    """Rejectable copies of real rows (position, row): impossible date, unknown program, bad CIP.

    At most one bad row per 12 good ones, so the file stays under the 10 % quarantine line.
    """
    k = min(3, len(good) // 12)
    out: list[tuple[int, list[str]]] = []
    for i in range(k):
        pos = rng.randrange(len(good))
        row = list(good[pos])
        if i == 0:
            row[cols.index("enrollment_start_date")] = f"{row[cols.index('enrollment_start_date')][:4]}-02-30"
        elif i == 1:
            row[cols.index("program_id")] = row[cols.index("program_id")] + "-X"
        else:
            row[cols.index("cip_code")] = row[cols.index("cip_code")][:5]
        out.append((pos, row))
    return out


def insert_rows(rows: list[list[str]], extra: list[tuple[int, list[str]]]) -> list[list[str]]:
    result = list(rows)
    for pos, row in sorted(extra, key=lambda e: -e[0]):
        result.insert(pos + 1, row)
    return result


def write_transcripts(out: LandingWriter, rng: random.Random, learners: list[Person]) -> dict[str, int]:
    """One transcript CSV per college and award year, plus the resubmission, bad rows and addendum."""
    groups = spells_by_file(learners, CREDIT_PROVIDERS)
    notes: dict[str, int] = {}
    sizes = {key: len(v) for key, v in groups.items() if key[0] == BAD_ROWS_PROVIDER}
    bad_key = max(sizes, key=lambda k: (sizes[k], k)) if sizes else None
    when = stamp_mtime(EDUCATION_STAMP)
    for (provider, year), pairs in groups.items():
        name = f"TRN_{provider}_{award_year_label(year)}_{stamp(EDUCATION_STAMP)}.csv"
        final_rows = [transcript_row(p, s) for p, s in pairs]
        if (provider, year) == (RESUBMIT_PROVIDER, RESUBMIT_YEAR):
            awarded = [i for i, (_, s) in enumerate(pairs) if s.award_date is not None]
            pending = set(rng.sample(awarded, min(len(awarded), max(2, len(awarded) // 12))))
            first_rows = [transcript_row(p, s, pending=i in pending) for i, (p, s) in enumerate(pairs)]
            out.write("transcripts", name, csv_bytes(TRANSCRIPT_COLUMNS, first_rows), when)
            resub = f"TRN_{provider}_{award_year_label(year)}_{stamp(RESUBMIT_STAMP)}.csv"
            data = csv_bytes(TRANSCRIPT_COLUMNS, final_rows)
            out.write("transcripts", resub, data, stamp_mtime(RESUBMIT_STAMP))
            notes["resubmitted_rows_changed"] = len(pending)
            continue
        rows = final_rows
        if (provider, year) == bad_key:
            extra = bad_rows(rng, final_rows, TRANSCRIPT_COLUMNS)
            rows = insert_rows(final_rows, extra)
            notes["transcript_bad_rows"] = len(extra)
        if (provider, year) == (DUP_LINE_PROVIDER, DUP_LINE_YEAR) and rows:
            rows = insert_rows(rows, [(len(rows) // 2, list(rows[len(rows) // 2]))])
        out.write("transcripts", name, csv_bytes(TRANSCRIPT_COLUMNS, rows), when)
    write_addendum(out, groups)
    return notes


def write_addendum(out: LandingWriter, groups: FileGroups) -> None:
    """A late addendum exported without `program_id`: the whole file must be quarantined."""
    keys = [k for k in groups if k[0] == BAD_ROWS_PROVIDER]
    if not keys:
        return
    key = keys[-1]
    drop = TRANSCRIPT_COLUMNS.index("program_id")
    rows = [transcript_row(p, s) for p, s in groups[key][:6]]
    rows = [r[:drop] + r[drop + 1:] for r in rows]
    header = TRANSCRIPT_COLUMNS[:drop] + TRANSCRIPT_COLUMNS[drop + 1:]
    name = f"TRN_{key[0]}_{award_year_label(key[1])}_addendum_{stamp(ADDENDUM_STAMP)}.csv"
    out.write("transcripts", name, csv_bytes(header, rows), stamp_mtime(ADDENDUM_STAMP))


def write_noncredit(out: LandingWriter, learners: list[Person]) -> None:
    """One Noncredit Extract per training provider and award year."""
    when = stamp_mtime(EDUCATION_STAMP)
    for (provider, year), pairs in spells_by_file(learners, NONCREDIT_PROVIDERS).items():
        us = provider in US_DATE_PROVIDERS
        rows = [noncredit_row(p, s, us_date if us else iso) for p, s in pairs]
        data = csv_bytes(NONCREDIT_COLUMNS, rows, crlf=us, bom=us)
        name = f"NC_{provider}_{award_year_label(year)}_{stamp(EDUCATION_STAMP)}.csv"
        out.write("noncredit", name, data, when)
