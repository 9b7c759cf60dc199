"""The bad-input corpus (docs/submission_manual.md §5) and the baseline landing zone it is dropped into.

`baseline(root)` describes a small, valid landing zone: one provider, a Workforce Pell candidate
credit program (WELD, 12 learners, 11 awards), a noncredit program (CNA, 4 learners with
credentials), a credit program nobody is enrolled in (BUS, wpell_candidate = N) and two years of
wages. `corpus(base)` returns one `BadFile` per kind of bad input, each with the status, message
words, row counts and rejected (line, field) pairs the spec requires, and the PII it carries.

Colleges still use SSNs as student ids (docs/submission_manual.md §4), so every learner id here is an
SSN: the baseline's transcript `student_id`s (plain and dashed) and noncredit `learner_id`s, its PESC
`SchoolAssignedPersonID` (a later resubmission of one WELD spell, which must stay one spell through
its `local_id_key`) and its Open Badge `studentId` (a CNA learner known to the badge only by that id,
which must be matched to the provider's roster), and the corpus's strangers' ids. Every leak check
built on `PII_COLUMNS` / `needles` therefore checks local ids too.

Every corpus file is chosen so that, whatever it loads, the outcome tables stay those of the
baseline (each file says why in `why_outcomes_unchanged`); so "outcomes equal the run without it"
is a real check of "nothing from a rejected row or a quarantined file leaks into the outcomes".
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import random
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from tests import badge_samples as badges
from tests import pesc_samples as pesc
from tests.support.landing import (
    NONCREDIT_COLUMNS,
    TRANSCRIPT_COLUMNS,
    WAGE_COLUMNS,
    LandingBuilder,
    Person,
)
from tests.support.pii import without_embedded_images
from tests.support.pipeline import ler_run
from tests.support.scenarios import Scenario

# Local learner ids are personal data like the rest (docs/submission_manual.md §4).
LOCAL_ID_COLUMNS = ("student_id", "learner_id")
PII_COLUMNS = ("ssn", "first_name", "last_name", "birth_date", *LOCAL_ID_COLUMNS)
LATER = "20240301"  # stamp of every corpus file: after every baseline file
TRANSCRIPTS_FILE = "transcripts_20230105.csv"
NONCREDIT_FILE = "noncredit_20230105.csv"
WAGES_FILE = "wages_20240115.csv"
PESC_FILE = "pesc_20230106.xml"  # after TRANSCRIPTS_FILE: its spell replaces the CSV one
BADGE_FILE = "badge_20230106.json"
BADGE_ISSUER = "https://p1.example.org/issuer"
FICE = "001234"

QUARANTINED = "QUARANTINED"
LOADED = "LOADED"
LOADED_WITH_REJECTS = "LOADED_WITH_REJECTS"


@dataclass
class Baseline:
    builder: LandingBuilder
    people: list[Person]

    def rows(self, kind: str, name: str) -> list[dict]:
        return [dict(r) for r in self.builder.files[(kind, name)]]

    @property
    def pesc_learner(self) -> Person:
        """The WELD learner whose CSV spell is sent again as PESC."""
        return self.people[0]

    @property
    def badge_learner(self) -> Person:
        """The CNA learner whose badge names them only by studentId (their CSV learner_id)."""
        return self.people[12]


def dashed(ssn9: str) -> str:
    return f"{ssn9[:3]}-{ssn9[3:5]}-{ssn9[5:]}"


def student_id(p: Person, i: int) -> str:
    """A baseline learner's student id: their SSN, dashed for every other learner."""
    assert p.ssn9 is not None
    return dashed(p.ssn9) if i % 2 else p.ssn9


def pesc_resubmission(p: Person, sid: str) -> bytes:
    """The WELD spell of `p` (start 2021-09-01, award 2021-11-10) as a PESC College Transcript."""
    award = pesc.Award(
        level="IPEDS1", date="2021-11-10", title="WELD award", programs=[pesc.Program("48.0508")]
    )
    record = pesc.Record(
        school=pesc.Org(fice=FICE, name="P1 College"),
        awards=[award],
        sessions=[pesc.Session(begin="2021-09-01", end="2021-11-10")],
    )
    learner = pesc.Learner(
        school_id=sid,
        ssn=p.ssn,
        first=p.first_name,
        last=p.last_name,
        birth=p.birth_date,
        gender="Female",
        records=[record],
    )
    return pesc.encode(pesc.transcript([learner], source=pesc.Org(fice=FICE, name="P1 College")))


def roster_badge(sid: str) -> bytes:
    """A CNA certificate (NC_CERT, CIP 51.3902) whose subject is known only by studentId `sid`; a
    spell of its own (started 2022-01-03), earned in the award year of the learner's CSV credential."""
    ach = badges.achievement(
        "Certificate",
        name="CNA certificate",
        cip="51.3902",
        achievement_id="https://p1.example.org/achievements/cna",
    )
    credential = badges.ob3_credential(
        ach=ach,
        issuer=BADGE_ISSUER,
        name="CNA certificate",
        issued="2022-01-20T12:00:00Z",
        activity_start="2022-01-03T00:00:00Z",
        activity_end="2022-01-20T00:00:00Z",
        credential_id="urn:uuid:00000000-0000-4000-8000-0000000000b1",
        identifiers=[badges.identity_object("studentId", sid)],
    )
    return json.dumps(credential, indent=1).encode("utf-8")


def baseline(root: Path) -> Baseline:
    """Write the baseline landing zone under `root` (see the module docstring)."""
    b = LandingBuilder(root)
    b.provider("P1", fice=FICE, badge_issuer_id=BADGE_ISSUER)
    b.program("P1", "WELD")  # wpell candidate, CREDIT CERT_LT1, 300 h, 10 weeks, SOC 51-4121
    b.program(
        "P1",
        "CNA",
        cip_code="51.3902",
        credit_type="NONCREDIT",
        credential_level="NC_CERT",
        wpell_candidate="N",
    )
    b.program("P1", "BUS", cip_code="52.0201", wpell_candidate="N")
    b.demand("51-4121")
    people = [b.person() for _ in range(16)]
    for i, p in enumerate(people[:12]):
        b.transcript(
            TRANSCRIPTS_FILE,
            p,
            "P1",
            "WELD",
            date(2021, 9, 1),
            award=date(2021, 11, 10) if i < 11 else None,
            student_id=student_id(p, i),
        )
    for p in people[12:]:
        b.noncredit(
            NONCREDIT_FILE,
            p,
            "P1",
            "CNA",
            date(2021, 9, 1),
            credential=date(2021, 12, 1),
            cip_code="51.3902",
            learner_id=p.ssn9,
        )
    for i, p in enumerate(people):
        for year in (2022, 2023):
            for quarter in (1, 2, 3, 4):
                if (i + quarter) % 5:
                    b.wage(WAGES_FILE, p, year, quarter, 4000 + 100 * i + quarter)
    b.write()
    base = Baseline(b, people)
    pesc_learner = base.pesc_learner
    b.raw_file("transcripts", PESC_FILE, pesc_resubmission(pesc_learner, student_id(pesc_learner, 0)))
    b.raw_file("noncredit", BADGE_FILE, roster_badge(base.badge_learner.ssn9 or ""))
    return base


def stranger(n: int, *, ssn: str | None = None) -> Person:
    """A learner who is in no baseline file, with distinctive PII of their own."""
    return Person(
        900 + n,
        ssn if ssn is not None else f"{200 + n:03d}-{40 + n:02d}-{5000 + n:04d}",
        f"Thaddeüs{chr(97 + n // 26)}{chr(97 + n % 26)}",
        f"Wojciechowski{chr(97 + n // 26)}{chr(97 + n % 26)}",
        (date(1977, 3, 10) + timedelta(days=11 * n)).isoformat(),
    )


def person_row(p: Person, columns: list[str], **values: str) -> dict:
    """A transcript/noncredit row for a stranger in BUS (never awarded unless `values` say so)."""
    row = {c: "" for c in columns}
    row.update(
        {
            "provider_id": "P1",
            "ssn": p.ssn or "",
            "first_name": p.first_name,
            "last_name": p.last_name,
            "birth_date": p.birth_date,
            "sex": "F",
            "race_ethnicity": "UNK",
            "program_id": "BUS",
            "cip_code": "52.0201",
            "award_level": "1B",
            "enrollment_start_date": "2022-01-10",
            "student_id": p.ssn or f"X{p.number:05d}",  # colleges use SSNs as student ids
            "learner_id": p.ssn or f"X{p.number:05d}",
            "start_date": "2022-01-10",
        }
    )
    row.update(values)
    return {c: row[c] for c in columns}


def csv_bytes(
    columns: list[str],
    rows: list[dict],
    *,
    delimiter: str = ",",
    newline: str = "\n",
    encoding: str = "utf-8",
    bom: bool = False,
    header: list[str] | None = None,
) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header or columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    data = buf.getvalue().encode(encoding)
    return (codecs.BOM_UTF8 + data) if bom else data


def billion_laughs(levels: int = 9) -> bytes:
    """The classic entity-expansion bomb, wrapped in a PESC root element."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, levels + 1)
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE CollegeTranscript [\n  '
        + "\n  ".join(entities)
        + f"\n]>\n<CollegeTranscript><TransmissionData>&lol{levels};</TransmissionData></CollegeTranscript>\n"
    ).encode("utf-8")


def nested_json(depth: int) -> bytes:
    """An Open Badges-looking credential whose `credentialSubject` nests `depth` objects deep."""
    inner: object = {"type": ["Achievement"], "name": "deep"}
    for _ in range(depth - 2):
        inner = {"nested": inner}
    doc = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "credentialSubject": inner,
    }
    return json.dumps(doc).encode("utf-8")


def very_deep_json(depth: int) -> bytes:
    """Bracket nesting far past the parser's recursion limit (a stack-exhaustion attempt)."""
    return ("[" * depth + "]" * depth).encode("ascii")


def garbage(size: int, seed: int = 7) -> bytes:
    rnd = random.Random(seed)
    data = bytearray(rnd.randbytes(size))
    for i in range(0, size, 97):
        data[i] = 0
    return bytes(data)


def malformed_pesc(p: Person) -> bytes:
    """A PESC transcript cut off in the middle of a Student (a truncated upload)."""
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<CollegeTranscript>\n'
        "  <TransmissionData><Source><Organization><FICE>001234</FICE></Organization></Source>"
        "</TransmissionData>\n"
        f"  <Student><Person><SSN>{p.ssn9}</SSN><Birth><BirthDate>{p.birth_date}</BirthDate></Birth>"
        f"<Name><FirstName>{p.first_name}</FirstName><LastName>{p.last_name}</LastName></Name></Person>\n"
        "    <AcademicRecord><AcademicAward><AcademicAwardLevel>IPEDS1</AcademicAwardLevel>\n"
    )
    return text.encode("utf-8")


@dataclass(frozen=True)
class BadFile:
    id: str
    kind: str
    name: str
    content: bytes
    status: str
    words: tuple[str, ...]  # key words of the manifest message (case-insensitive)
    counts: tuple[int, int, int, int] | None  # rows_read, rows_loaded, rows_rejected, rows_duplicate
    rejects: tuple[tuple[int, str | None], ...] = ()  # (line_number, field); field None: any field
    people: tuple[Person, ...] = ()  # strangers whose PII only this file carries
    pii_extra: tuple[str, ...] = ()  # other PII-like values only this file carries (invalid SSNs)
    why_outcomes_unchanged: str = ""
    reason_words: dict[int, str] = field(default_factory=dict)  # line -> word of the reject reason


NOTHING = "quarantined: loads nothing"

# The session scenarios (tests/support/scenarios.py) of the baseline and of the baseline with the
# whole corpus dropped in, shared by every module that reads them.
BASELINE_SCENARIO, CORPUS_SCENARIO = "bad_input_baseline", "bad_input_corpus"


def build_baseline_run(s: Scenario) -> None:
    """The baseline landing zone through the real `ler run` (its output recorded)."""
    baseline(s.landing)
    proc = ler_run(s.landing, s.warehouse)
    s.record_output(proc.stdout, proc.stderr)


def build_corpus_run(s: Scenario, baseline_landing: Path, files: list[BadFile]) -> None:
    """The baseline landing zone plus every corpus file at once, through the real `ler run`."""
    shutil.copytree(baseline_landing, s.landing, copy_function=shutil.copy2)
    for bf in files:
        (s.landing / bf.kind / bf.name).write_bytes(bf.content)
    proc = ler_run(s.landing, s.warehouse)  # raises unless the run exits 0
    s.record_output(proc.stdout, proc.stderr)


def corpus(base: Baseline) -> list[BadFile]:
    t_rows = base.rows("transcripts", TRANSCRIPTS_FILE)
    n_rows = base.rows("noncredit", NONCREDIT_FILE)
    w_rows = base.rows("wages", WAGES_FILE)
    t_cols, n_cols, w_cols = TRANSCRIPT_COLUMNS, NONCREDIT_COLUMNS, WAGE_COLUMNS
    resubmitted_t = csv_bytes(t_cols, t_rows)  # 12 rows: header is line 1, rows lines 2-13
    resubmitted_w = w_rows[:10]  # 10 wage rows: lines 2-11
    files: list[BadFile] = []
    add = files.append

    add(
        BadFile(
            "empty_file",
            "transcripts",
            f"empty_{LATER}.csv",
            b"",
            QUARANTINED,
            ("empty",),
            (0, 0, 0, 0),
            why_outcomes_unchanged=NOTHING,
        )
    )
    add(
        BadFile(
            "header_only",
            "transcripts",
            f"header_only_{LATER}.csv",
            csv_bytes(t_cols, []),
            QUARANTINED,
            ("no data rows",),
            (0, 0, 0, 0),
            why_outcomes_unchanged=NOTHING,
        )
    )
    add(
        BadFile(
            "binary_garbage",
            "wages",
            f"garbage_{LATER}.csv",
            garbage(4096),
            QUARANTINED,
            ("binary",),
            (0, 0, 0, 0),
            why_outcomes_unchanged=NOTHING,
        )
    )

    s = stranger(1)
    cut = csv_bytes(t_cols, [person_row(s, t_cols)]).split(b"\n")[1]
    cut = cut[: cut.index(s.birth_date.encode()) + len(s.birth_date)]  # ends after the birth date
    add(
        BadFile(
            "truncated_rows",
            "transcripts",
            f"truncated_{LATER}.csv",
            resubmitted_t + cut,
            LOADED_WITH_REJECTS,
            ("rejected",),
            (13, 12, 1, 0),
            rejects=((14, None),),
            people=(s,),
            reason_words={14: "fields"},
            why_outcomes_unchanged="12 baseline rows resubmitted unchanged (later-wins, same values); "
            "the cut row is rejected",
        )
    )

    add(
        BadFile(
            "wrong_delimiter",
            "transcripts",
            f"semicolons_{LATER}.csv",
            csv_bytes(t_cols, t_rows, delimiter=";"),
            QUARANTINED,
            ("missing required column", "provider_id", "enrollment_start_date"),
            (0, 0, 0, 0),
            why_outcomes_unchanged=NOTHING,
        )
    )

    s = stranger(2)
    huge = person_row(s, t_cols, award_title="A" * (10 * 1024 * 1024))
    add(
        BadFile(
            "huge_field",
            "transcripts",
            f"huge_field_{LATER}.csv",
            resubmitted_t + csv_bytes(t_cols, [huge]).split(b"\n", 1)[1],
            LOADED_WITH_REJECTS,
            ("rejected",),
            (13, 12, 1, 0),
            rejects=((14, "award_title"),),
            people=(s,),
            reason_words={14: "longer than 1000"},
            why_outcomes_unchanged="baseline rows resubmitted unchanged; the 10 MB row is rejected",
        )
    )

    add(
        BadFile(
            "billion_laughs",
            "transcripts",
            f"laughs_{LATER}.xml",
            billion_laughs(),
            QUARANTINED,
            ("DTD", "entities"),
            (0, 0, 0, 0),
            why_outcomes_unchanged=NOTHING,
        )
    )
    s = stranger(3)
    add(
        BadFile(
            "malformed_xml",
            "transcripts",
            f"broken_{LATER}.xml",
            malformed_pesc(s),
            QUARANTINED,
            ("malformed XML", "line"),
            (0, 0, 0, 0),
            people=(s,),
            why_outcomes_unchanged=NOTHING,
        )
    )
    add(
        BadFile(
            "deep_json",
            "noncredit",
            f"deep_{LATER}.json",
            nested_json(100),
            QUARANTINED,
            ("nested deeper than 64",),
            (0, 0, 0, 0),
            why_outcomes_unchanged=NOTHING,
        )
    )
    add(
        BadFile(
            "very_deep_json",
            "noncredit",
            f"very_deep_{LATER}.json",
            very_deep_json(200_000),
            QUARANTINED,
            ("nested deeper",),
            (0, 0, 0, 0),
            why_outcomes_unchanged=NOTHING,
        )
    )

    # One problem per row; every row rejected, so the >10 % rule quarantines the file.
    bad_values = [
        ("birth_date", "1990-02-30"),
        ("enrollment_start_date", "2021-13-01"),
        ("award_date", "31/12/2021"),
        ("sex", "Q"),
        ("race_ethnicity", "LATINO"),
        ("cip_code", "48.508"),
        ("award_level", "9"),
        ("exit_reason", "GRADUATED"),
        ("provider_id", "PX"),
        ("program_id", "NOPE"),
        ("credits_attempted", "-3"),
        ("credits_earned", "ten"),
        ("pell_recipient", "maybe"),
    ]
    strangers = [stranger(10 + i) for i in range(len(bad_values))]
    rows = [person_row(p, t_cols, **{col: v}) for p, (col, v) in zip(strangers, bad_values, strict=True)]
    add(
        BadFile(
            "invalid_dates_codes",
            "transcripts",
            f"invalid_values_{LATER}.csv",
            csv_bytes(t_cols, rows),
            QUARANTINED,
            ("13 of 13 rows rejected", "10%"),
            (13, 0, 13, 0),
            rejects=tuple((i + 2, col) for i, (col, _v) in enumerate(bad_values)),
            people=tuple(strangers),
            pii_extra=("1990-02-30",),
            why_outcomes_unchanged=NOTHING,
        )
    )

    # Education rows with an invalid SSN are kept with the SSN treated as unknown (§5): they load,
    # under a name + birth date key, as enrollments without an award in BUS, which is no Workforce
    # Pell candidate (no wpell_program_outcomes row) and has no completer (no program/statewide row).
    bad_ssns = ("000-12-3456", "666-12-3456", "876-54-321")
    strangers = [stranger(30 + i, ssn=v) for i, v in enumerate(bad_ssns)]
    add(
        BadFile(
            "invalid_ssn_transcript",
            "transcripts",
            f"bad_ssn_{LATER}.csv",
            csv_bytes(t_cols, [person_row(p, t_cols) for p in strangers]),
            LOADED,
            (),
            (3, 3, 0, 0),
            people=tuple(strangers),
            pii_extra=bad_ssns,
            why_outcomes_unchanged="unawarded enrollments in a non-wpell program: no outcome row counts them",
        )
    )

    # Wage rows: 10 baseline rows resubmitted unchanged plus one bad row for a quarter (2024 Q1 or a
    # new employer) the baseline does not have. Were the bad row loaded, it would move
    # wage_data_through or a person's earnings, so equal outcomes prove it was not.
    p0 = base.people[0]
    neg = dict(w_rows[0], year="2024", quarter="1", wages="-500.00")
    add(
        BadFile(
            "negative_wages",
            "wages",
            f"negative_{LATER}.csv",
            csv_bytes(w_cols, resubmitted_w + [neg]),
            LOADED_WITH_REJECTS,
            ("rejected",),
            (11, 10, 1, 0),
            rejects=((12, "wages"),),
            reason_words={12: ">= 0"},
            why_outcomes_unchanged="baseline rows resubmitted; the negative row (2024 Q1) is rejected",
        )
    )
    q5 = dict(w_rows[0], year="2023", quarter="5", wages="9999.00")
    add(
        BadFile(
            "quarter_5",
            "wages",
            f"quarter5_{LATER}.csv",
            csv_bytes(w_cols, resubmitted_w + [q5]),
            LOADED_WITH_REJECTS,
            ("rejected",),
            (11, 10, 1, 0),
            rejects=((12, "quarter"),),
            reason_words={12: "between 1 and 4"},
            why_outcomes_unchanged="baseline rows resubmitted; the quarter-5 row is rejected",
        )
    )
    bad = dict(w_rows[0], ssn="900-12-3456", employer_account="7777777777", wages="88888.00")
    add(
        BadFile(
            "invalid_ssn_wage",
            "wages",
            f"bad_ssn_wages_{LATER}.csv",
            csv_bytes(w_cols, resubmitted_w + [bad]),
            LOADED_WITH_REJECTS,
            ("rejected",),
            (11, 10, 1, 0),
            rejects=((12, "ssn"),),
            pii_extra=("900-12-3456",),
            reason_words={12: "not a valid SSN"},
            why_outcomes_unchanged="baseline rows resubmitted; the invalid-SSN row is rejected",
        )
    )

    # Same key twice with different wages (the later line, the baseline value, wins) and one exact
    # repeated line (rows_duplicate, loaded once).
    a, b2 = w_rows[0], w_rows[1]
    a_wrong = dict(a, wages="99999.00")
    add(
        BadFile(
            "duplicate_keys",
            "wages",
            f"dup_keys_{LATER}.csv",
            csv_bytes(w_cols, [a_wrong, b2, a, b2]),
            LOADED,
            ("duplicate",),
            (4, 3, 0, 1),
            why_outcomes_unchanged="the later line of the repeated key carries the baseline value",
        )
    )
    assert p0.ssn == a["ssn"]

    add(
        BadFile(
            "windows_1252",
            "transcripts",
            f"cp1252_{LATER}.csv",
            csv_bytes(t_cols, t_rows, encoding="cp1252"),
            LOADED,
            ("Windows-1252",),
            (12, 12, 0, 0),
            why_outcomes_unchanged="baseline rows resubmitted unchanged, in Windows-1252",
        )
    )
    header = [f" {c.upper()} " if i % 2 else c.title() for i, c in enumerate(n_cols)]
    add(
        BadFile(
            "bom_crlf_upper_header",
            "noncredit",
            f"bom_crlf_{LATER}.csv",
            csv_bytes(n_cols, n_rows, newline="\r\n", bom=True, header=header),
            LOADED,
            (),
            (4, 4, 0, 0),
            why_outcomes_unchanged="baseline noncredit rows resubmitted unchanged",
        )
    )
    add(
        BadFile(
            "unsupported_extension",
            "transcripts",
            f"transcripts_{LATER}.xlsx",
            b"PK\x03\x04" + resubmitted_t,
            QUARANTINED,
            ("not an accepted file type",),
            (0, 0, 0, 0),
            why_outcomes_unchanged=NOTHING,
        )
    )
    return files


def needles(people: list[Person] | tuple[Person, ...], extra: tuple[str, ...] = ()) -> set[str]:
    """Every written form of the given people's SSN, names and birth date."""
    out: set[str] = set(extra)
    for v in extra:
        out.add(v.replace("-", ""))
    for p in people:
        if p.ssn:
            digits = p.ssn.replace("-", "")
            out |= {p.ssn, digits}
            if len(digits) == 9:
                out.add(f"{digits[:3]}-{digits[3:5]}-{digits[5:]}")
        for name in (p.first_name, p.last_name):
            out |= {name, name.upper()}
        y, m, d = p.birth_date.split("-")
        out |= {p.birth_date, f"{m}/{d}/{y}"}
    return {n for n in out if n}


def csv_pii_values(content: bytes) -> set[str]:
    """The values of the PII columns of a CSV submission (any header case), as the file writes them."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    if "\x00" in text:
        return set()
    # the corpus has over-long fields on purpose; do not rely on a reader having raised the limit
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    found: set[str] = set()
    for row in reader:
        for name, value in zip(header, row, strict=False):
            if name in PII_COLUMNS and value.strip():
                found.add(value.strip())
    return found


# -- looking for PII in outputs ---------------------------------------------------------------------


def _rows_text(con, sql: str) -> str:  # noqa: ANN001 - a duckdb connection
    rows = con.execute(sql).fetchall()
    return "\n".join("\t".join("" if v is None else str(v) for v in row) for row in rows)


def parquet_text(path: Path) -> str:
    import duckdb

    con = duckdb.connect()
    try:
        return _rows_text(con, f"select * from read_parquet('{path.as_posix()}')")
    finally:
        con.close()


def duckdb_text(path: Path) -> str:
    """Every value of every table and view of a DuckDB file, as text (dates as YYYY-MM-DD)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        relations = con.execute(
            "select table_catalog, table_schema, table_name from information_schema.tables "
            "where table_schema not in ('information_schema', 'pg_catalog') order by all"
        ).fetchall()
        parts = []
        for catalog, schema, table in relations:
            parts.append(f"## {schema}.{table}")
            parts.append(_rows_text(con, f'select * from "{catalog}"."{schema}"."{table}"'))
        return "\n".join(parts)
    finally:
        con.close()


def pdf_text(path: Path) -> str:
    """The text of every page of a PDF (its content streams are compressed)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def output_texts(root: Path):  # noqa: ANN201 - an iterator of (where, bytes)
    """(where, bytes) for every file under `root`, plus the decoded rows of Parquet and DuckDB files
    and the text of PDFs (whose pages may be compressed, so their bytes alone prove little).

    An HTML page's base64 `data:` URIs (the report's chart images, the docs site's fonts) are
    dropped: an image is not text, and four random base64 letters would match a short surname.
    """
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".html":
            data = without_embedded_images(data)
        yield str(path), data
        if path.suffix == ".pdf":
            yield f"{path} [text]", pdf_text(path).encode("utf-8")
        elif path.suffix == ".parquet":
            yield f"{path} [rows]", parquet_text(path).encode("utf-8")
        elif path.suffix == ".duckdb":
            yield f"{path} [tables]", duckdb_text(path).encode("utf-8")


def _encodings(value: str) -> set[bytes]:
    forms = {value.encode("utf-8")}
    with contextlib.suppress(UnicodeEncodeError):
        forms.add(value.encode("cp1252"))
    return forms


def find_leaks(root: Path, values: set[str]) -> list[str]:
    """`where: value` for every PII value found in any output under `root`."""
    forms = {v: _encodings(v) for v in values}
    leaks = []
    for where, data in output_texts(root):
        for value, encoded in forms.items():
            if any(e in data for e in encoded):
                leaks.append(f"{where}: {value!r}")
    return leaks
