"""PESC College / High School Transcript XML reader (docs/submission_manual.md §1, §3, §5).

One output record per `AcademicAward` of each `AcademicRecord` of each `Student`; an academic record
without an award gives one record for the enrollment alone (award fields null). Values stay raw text:
dates, codes, CIP format, SSNs and numbers are judged later, in SQL, against `pesc_xml.json`.

Parsing is hardened (`defusedxml`): a DTD, any entity declaration or an external reference makes the
file structurally wrong, as does malformed XML. Encoding comes from the BOM / XML declaration (UTF-8
or UTF-16); UTF-16 without a BOM is recognised from its NUL pattern, and a declared single-byte
encoding (ISO-8859-1) is decoded as declared, both with a warning; an encoding the parser cannot
read is a structural error.
Elements are matched by local name only, so every PESC 1.x version and any namespace prefix (or none)
reads the same way. The file is parsed incrementally, one `Student` at a time.

Mapping rules:
- transcript_type: root `CollegeTranscript` -> COLLEGE, `HighSchoolTranscript` -> HIGH_SCHOOL; any
  other root is not a PESC transcript (structural error).
- provider_id: the record's `School` organization when the record has one, else
  `TransmissionData/Source/Organization`; matched on `FICE`, else `OPEID`, through providers.csv. A
  `School` present but carrying neither code (e.g. only CEEB/ATP, a transfer or high school) is not
  replaced by the Source, because it names another institution. No match: provider_id null and a
  row problem on provider_id (the record is kept, so the reject names the file line).
- student_id: `Person/SchoolAssignedPersonID`, else `AgencyIdentifier/AgencyAssignedID`, else
  `RecipientAssignedID`. ssn: `Person/SSN` (else any `SSN` under Person). Names: the Person's own
  `Name` (not a ParentGuardian's). birth_date: `Birth/BirthDate`. sex: `Gender/GenderCode` Male -> M,
  Female -> F, any other value -> U, absent -> null. race_ethnicity: always null (PESC's ethnicity and
  race codes do not map one-to-one to the IPEDS categories).
- enrollment_start_date / enrollment_end_date, each on its own: the earliest `SessionBeginDate` /
  latest `SessionEndDate` of the record's `AcademicSessionDetail`s; else the earliest
  `CourseBeginDate` / latest `CourseEndDate` of its courses; start only, as a last resort: the earliest
  `SessionDesignator` (PESC's required `CCYY-MM` of the month a session begins) as `CCYY-MM-01`.
- Dates (`codes.date_part`): an XML Schema date or dateTime (`2020-05-04`, `2020-05-04Z`,
  `2020-05-04T00:00:00-05:00`) keeps its `YYYY-MM-DD` part and a US `MM/DD/YYYY` date is written
  `YYYY-MM-DD`; anything else is passed through raw. When a minimum or maximum is taken and any
  candidate is not a valid date, that raw value is returned instead, so the row is rejected for a
  bad date rather than given a spell computed from the values that happened to parse.
- credits_attempted / credits_earned, each on its own: `GPA/CreditHoursAttempted` /
  `GPA/CreditHoursEarned` of a record-level `AcademicSummary` (preferring AcademicSummaryType
  `SenderOnly`, then `All`, then any, in file order), as written; else the sum of the courses'
  `CourseCreditValue` / `CourseCreditEarned` (decimal, e.g. "36" or "26.0"); a non-numeric course value
  is passed through raw so the row is rejected; no values at all -> null.
- source_award_code: `AcademicAwardLevel` as written (IPEDS7, 2.4, B18 ...; never interpreted here,
  the crosswalk lives in dbt). award_date: `AcademicAwardDate`. award_title: `AcademicAwardTitle`.
- cip_code: the award's `AcademicAwardProgram/ProgramCIPCode` (the first of the Major or untyped
  programs, else of any program); if the award has none, the record's `AcademicProgram/ProgramCIPCode`
  when exactly one distinct code is found there (sessions and summaries included). `codes.cip`
  normalizes it (`520201` -> `52.0201`, a dropped leading zero `1.0105` -> `01.0105`); any other text
  is kept as written (trimmed) so validation rejects it.
- _line: the 1-based ordinal of the output record in the file.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError
from xml.parsers.expat import ErrorString

import pyarrow as pa
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from dagster_project.landing import codes
from dagster_project.landing.context import ProviderDirectory, ReadContext
from dagster_project.landing.contracts import Contract
from dagster_project.landing.records import BatchBuilder, StructuralError

TRANSCRIPT_TYPES = {"CollegeTranscript": "COLLEGE", "HighSchoolTranscript": "HIGH_SCHOOL"}

DTD_MESSAGE = "XML declares a DTD or entities, which are not accepted"
NOT_PESC_MESSAGE = "not a PESC College or High School Transcript (unexpected root element)"
ENCODING_MESSAGE = "unreadable encoding: the XML declaration names an encoding other than UTF-8 or UTF-16"
NO_CODE_REASON = "sender has no FICE or OPEID, so it cannot be matched to providers.csv"
UNKNOWN_SENDER_REASON = "sender FICE/OPEID is not in providers.csv"

_DESIGNATOR = re.compile(r"\d{4}-\d{2}")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_DECLARED_ENCODING = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_DOCUMENTED_ENCODINGS = {"utf-8", "utf8", "utf-16", "utf-16le", "utf-16be", "us-ascii", "ascii"}
_GENDERS = {"male": "M", "female": "F"}
_SUMMARY_PREFERENCE = {"SenderOnly": 0, "All": 1}
_MAIN_PROGRAM_TYPES = {None, "Major"}

Problem = tuple[str | None, str]
OutputRecord = tuple[dict[str, str | None], Problem | None]


# -- file to elements --------------------------------------------------------------------------------


def read_pesc(path: Path, contract: Contract, ctx: ReadContext) -> Iterator[pa.RecordBatch]:
    """Stream a PESC transcript file as raw-text record batches (see the module docstring)."""
    raw = path.read_bytes()
    builder = BatchBuilder(contract.column_names)
    for line, (values, problem) in enumerate(transcript_records(raw, ctx), start=1):
        builder.add(line, values, problem)
        yield from builder.drain()
    yield from builder.finish()


def transcript_records(raw: bytes, ctx: ReadContext) -> Iterator[OutputRecord]:
    """The output records of one PESC document, in file order, with the reader's row problem."""
    source: Element | None = None
    skipped_students = 0
    for transcript_type, child in _top_level_elements(_with_bom(raw, ctx)):
        name = _local(child.tag)
        if name == "TransmissionData":
            source = _find(child, "Source", "Organization")
        elif name == "Student":
            rows = list(_student_records(child, transcript_type, source, ctx.providers))
            if not rows:
                skipped_students += 1
            yield from rows
    if skipped_students:
        ctx.warnings.append(f"{skipped_students} Student element(s) without an AcademicRecord were skipped")


def _with_bom(raw: bytes, ctx: ReadContext) -> bytes:
    """Check the file has content; give BOM-less UTF-16 the BOM that lets the parser decode it.

    Expat reads UTF-8 and BOM-marked UTF-16 itself. UTF-16 without a BOM is recognised by its NUL
    byte pattern (XML starts with an ASCII character), which is unambiguous for a markup file.
    """
    body = raw
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if body.startswith(bom):
            body = body[len(bom):]
            break
    if not body.strip(b" \t\r\n\x00"):
        raise StructuralError("empty file")
    if body is not raw:
        return raw
    if _declares_other_encoding(raw):
        ctx.warnings.append("file declares an encoding other than UTF-8 or UTF-16; decoded as declared")
    if len(raw) >= 2 and raw[0] != 0 and raw[1] == 0:
        ctx.warnings.append("file is UTF-16 (little-endian) without a byte-order mark; read as UTF-16LE")
        return codecs.BOM_UTF16_LE + raw
    if len(raw) >= 2 and raw[0] == 0 and raw[1] != 0:
        ctx.warnings.append("file is UTF-16 (big-endian) without a byte-order mark; read as UTF-16BE")
        return codecs.BOM_UTF16_BE + raw
    return raw


def _declares_other_encoding(raw: bytes) -> bool:
    """True when an 8-bit file's XML declaration names something other than UTF-8 / UTF-16 / ASCII.

    Expat decodes single-byte encodings such as ISO-8859-1 correctly, so such a file is read, but the
    office is told, as it is for CSV files that are not UTF-8.
    """
    match = _DECLARED_ENCODING.match(raw[:256])
    return bool(match) and match.group(1).decode("ascii").lower() not in _DOCUMENTED_ENCODINGS


def _top_level_elements(raw: bytes) -> Iterator[tuple[str, Element]]:
    """Each complete child of the root, with the transcript type; the tree is freed as we go.

    Only the current top-level element (a Student, with its records) is ever held in memory. Errors
    are reported by position and expat error code only, so no file content reaches a message.
    """
    events = iterparse(io.BytesIO(raw), events=("start", "end"), forbid_dtd=True,
                       forbid_entities=True, forbid_external=True)
    root: Element | None = None
    transcript_type = ""
    depth = 0
    try:
        for event, elem in events:
            if event == "start":
                depth += 1
                if root is None:
                    root = elem
                    transcript_type = _transcript_type(elem)
                continue
            if depth == 2 and root is not None:
                yield transcript_type, elem
                del root[:]
            depth -= 1
    except DefusedXmlException:
        raise StructuralError(DTD_MESSAGE) from None
    except ParseError as exc:
        raise StructuralError(_parse_error_message(exc)) from None
    except (ValueError, LookupError):  # expat: multi-byte or unknown declared encoding
        raise StructuralError(ENCODING_MESSAGE) from None


def _transcript_type(root: Element) -> str:
    kind = TRANSCRIPT_TYPES.get(_local(root.tag))
    if kind is None:
        raise StructuralError(NOT_PESC_MESSAGE)
    return kind


def _parse_error_message(exc: ParseError) -> str:
    """`malformed XML at line L, column C: <expat reason>`; the reason text never quotes the file."""
    line, column = getattr(exc, "position", (0, 0))
    code = getattr(exc, "code", None)
    reason = ErrorString(code) if isinstance(code, int) else "not well-formed"
    return f"malformed XML at line {line}, column {column}: {reason}"


# -- element helpers (local names only) ------------------------------------------------------------


def _local(tag: object) -> str:
    """`{urn:org:pesc:...}Student` -> `Student`; comments and PIs have no name."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(elem: Element, name: str) -> list[Element]:
    return [c for c in elem if _local(c.tag) == name]


def _find(elem: Element | None, *path: str) -> Element | None:
    """The first element along a path of direct children, by local name."""
    for name in path:
        if elem is None:
            return None
        elem = next((c for c in elem if _local(c.tag) == name), None)
    return elem


def _text(elem: Element | None) -> str | None:
    """Trimmed text of an element; empty counts as absent."""
    if elem is None or elem.text is None:
        return None
    return elem.text.strip() or None


def _find_text(elem: Element | None, *path: str) -> str | None:
    return _text(_find(elem, *path))


def _descendants(elem: Element, name: str) -> Iterator[Element]:
    return (e for e in elem.iter() if _local(e.tag) == name)


# -- student and record mapping --------------------------------------------------------------------


@dataclass(frozen=True)
class Sender:
    provider_id: str | None
    problem: Problem | None


def _student_records(
    student: Element, transcript_type: str, source: Element | None, providers: ProviderDirectory
) -> Iterator[OutputRecord]:
    learner = learner_fields(_find(student, "Person"))
    for record in _children(student, "AcademicRecord"):
        school = _find(record, "School")
        sender = resolve_sender(school if school is not None else source, providers)
        shared = {
            **learner,
            "provider_id": sender.provider_id,
            "transcript_type": transcript_type,
            **enrollment_fields(record),
        }
        record_cip = _single_cip(_record_programs(record))
        awards = _children(record, "AcademicAward")
        if not awards:
            yield {**shared, "cip_code": record_cip}, sender.problem
        for award in awards:
            yield {**shared, **award_fields(award, record_cip)}, sender.problem


def resolve_sender(org: Element | None, providers: ProviderDirectory) -> Sender:
    """The provider of an organization: FICE first, then OPEID (a FICE that is unknown may still have
    a known OPEID). No code, or no match, keeps the record with a row problem."""
    fice, opeid = _find_text(org, "FICE"), _find_text(org, "OPEID")
    if fice is None and opeid is None:
        return Sender(None, ("provider_id", NO_CODE_REASON))
    pid = providers.provider_for_fice(fice) or providers.provider_for_opeid(opeid)
    if pid is None:
        return Sender(None, ("provider_id", UNKNOWN_SENDER_REASON))
    return Sender(pid, None)


def learner_fields(person: Element | None) -> dict[str, str | None]:
    """Identity columns from `Person`; only its own Name (a ParentGuardian has one too)."""
    student_id = (
        _find_text(person, "SchoolAssignedPersonID")
        or _find_text(person, "AgencyIdentifier", "AgencyAssignedID")
        or _find_text(person, "RecipientAssignedID")
    )
    ssn = _find_text(person, "SSN")
    if ssn is None and person is not None:
        ssn = next((t for t in map(_text, _descendants(person, "SSN")) if t), None)
    return {
        "student_id": student_id,
        "ssn": ssn,
        "first_name": _find_text(person, "Name", "FirstName"),
        "last_name": _find_text(person, "Name", "LastName"),
        "birth_date": date_text(_find_text(person, "Birth", "BirthDate")),
        "sex": sex_code(_find_text(person, "Gender", "GenderCode")),
        "race_ethnicity": None,
    }


def sex_code(gender: str | None) -> str | None:
    """PESC GenderCode (Male, Female, Unreported) to the contract's F/M/U; absent stays null."""
    if gender is None:
        return None
    return _GENDERS.get(gender.lower(), "U")


def enrollment_fields(record: Element) -> dict[str, str | None]:
    """Spell dates and credits of one AcademicRecord (rules in the module docstring)."""
    details = list(_descendants(record, "AcademicSessionDetail"))
    courses = list(_descendants(record, "Course"))
    start = earliest(_find_text(d, "SessionBeginDate") for d in details)
    if start is None:
        start = earliest(_find_text(c, "CourseBeginDate") for c in courses)
    if start is None:
        start = earliest(designator_date(_find_text(d, "SessionDesignator")) for d in details)
    end = latest(_find_text(d, "SessionEndDate") for d in details)
    if end is None:
        end = latest(_find_text(c, "CourseEndDate") for c in courses)
    attempted, earned = summary_credits(_children(record, "AcademicSummary"))
    if attempted is None:
        attempted = sum_text(_find_text(c, "CourseCreditValue") for c in courses)
    if earned is None:
        earned = sum_text(_find_text(c, "CourseCreditEarned") for c in courses)
    return {
        "enrollment_start_date": start,
        "enrollment_end_date": end,
        "credits_attempted": attempted,
        "credits_earned": earned,
    }


def summary_credits(summaries: list[Element]) -> tuple[str | None, str | None]:
    """Attempted and earned hours of the record-level summaries, SenderOnly before All before others.

    SenderOnly is the sending institution's own credit, which is what an enrollment at that provider
    means; All (with transfer credit) is the next best statement.
    """
    ranked = sorted(summaries, key=lambda s: _SUMMARY_PREFERENCE.get(
        _find_text(s, "AcademicSummaryType") or "", len(_SUMMARY_PREFERENCE)))

    def first(name: str) -> str | None:
        for summary in ranked:
            value = _find_text(summary, "GPA", name) or _find_text(summary, name)
            if value is not None:
                return value
        return None

    return first("CreditHoursAttempted"), first("CreditHoursEarned")


def award_fields(award: Element, record_cip: str | None) -> dict[str, str | None]:
    """Award columns, as written; the award's own program CIP, else the record's single CIP."""
    award_cips = _program_cips(_children(award, "AcademicAwardProgram"))
    return {
        "source_award_code": _find_text(award, "AcademicAwardLevel"),
        "award_date": date_text(_find_text(award, "AcademicAwardDate")),
        "award_title": _find_text(award, "AcademicAwardTitle"),
        "cip_code": award_cips[0] if award_cips else record_cip,
    }


def _record_programs(record: Element) -> list[Element]:
    """`AcademicProgram`s anywhere in the record outside its awards (sessions, summaries)."""
    found: list[Element] = []
    for child in record:
        if _local(child.tag) != "AcademicAward":
            found.extend(_descendants(child, "AcademicProgram"))
    return found


def _program_cips(programs: Iterable[Element]) -> list[str]:
    """Distinct normalized CIPs, Major (or untyped) programs first; minors only when nothing else."""
    main: list[str] = []
    other: list[str] = []
    for program in programs:
        cip = cip_text(_find_text(program, "ProgramCIPCode"))
        if cip is None:
            continue
        bucket = main if _find_text(program, "AcademicProgramType") in _MAIN_PROGRAM_TYPES else other
        if cip not in bucket:
            bucket.append(cip)
    return main or other


def _single_cip(programs: list[Element]) -> str | None:
    cips = _program_cips(programs)
    return cips[0] if len(cips) == 1 else None


# -- value helpers ---------------------------------------------------------------------------------


def cip_text(value: str | None) -> str | None:
    """A trimmed `ProgramCIPCode` normalized (`codes.cip`, six bare digits allowed: the element is a
    CIP), else as written, so validation rejects it."""
    return codes.cip(value, bare_digits=True) or value


def date_text(value: str | None) -> str | None:
    """`YYYY-MM-DD` of a date or date-time (`codes.date_part`); other text is returned unchanged."""
    return codes.date_part(value) or value


def designator_date(value: str | None) -> str | None:
    """SessionDesignator `CCYY-MM` -> `CCYY-MM-01`; other text unchanged (and then rejected)."""
    if value is None:
        return None
    return f"{value}-01" if _DESIGNATOR.fullmatch(value) else value


def _extreme(values: Iterable[str | None], pick_latest: bool) -> str | None:
    """Min or max of dates; the first invalid value wins so the row fails validation visibly."""
    dates = [date_text(v) for v in values if v is not None]
    for text in dates:
        if text is not None and not codes.is_date(text):
            return text
    valid = [d for d in dates if d is not None]
    if not valid:
        return None
    return max(valid) if pick_latest else min(valid)


def earliest(values: Iterable[str | None]) -> str | None:
    return _extreme(values, pick_latest=False)


def latest(values: Iterable[str | None]) -> str | None:
    return _extreme(values, pick_latest=True)


def sum_text(values: Iterable[str | None]) -> str | None:
    """Exact decimal sum as text; a non-numeric value is returned raw so the row is rejected."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    for value in present:
        if not _NUMBER.fullmatch(value):
            return value
    return format(sum((Decimal(v) for v in present), Decimal(0)), "f")
