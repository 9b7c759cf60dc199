"""PESC College Transcript XML (and one High School Transcript) from the university
(docs/submission_manual.md §3).

Variety the reader must handle: UTF-16 with a BOM and UTF-8; two message versions; the sender
identified by FICE in one file and by OPEID in another; award levels written as IPEDS codes
(`IPEDS5`, `IPEDS7`) and as PESC numeric codes (`2.4`, `4.2`); a transcript with no award
(a student who withdrew); and a high-school transcript whose award is a secondary `B` code that
must be kept and flagged, never counted as a completion. Enrollment dates are the first session's
begin and the last session's end, as the spec derives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from xml.sax.saxutils import escape

from sample_data.catalog import PROVIDER_BY_ID
from sample_data.landing import LandingWriter
from sample_data.population import HighSchoolRecord
from sample_data.spells import Person, Spell
from sample_data.timeline import stamp, stamp_mtime

PESC_STAMP = date(2025, 9, 18)
HS_AWARD_CODE = "B22"  # a secondary (high-school) award level: kept, flagged, never a completion

NS_CURRENT = ('xmlns:ColTrn="urn:org:pesc:message:CollegeTranscript:v1.6.0" '
              'xmlns:AcRec="urn:org:pesc:sector:AcademicRecord:v1.9.0" '
              'xmlns:core="urn:org:pesc:core:CoreMain:v1.14.0"')
NS_OLDER = ('xmlns:ColTrn="urn:org:pesc:message:CollegeTranscript:v1.3.0" '
            'xmlns:AcRec="urn:org:pesc:sector:AcademicRecord:v1.5.0" '
            'xmlns:core="urn:org:pesc:core:CoreMain:v1.8.0"')
NS_HIGH_SCHOOL = ('xmlns:HSTrn="urn:org:pesc:message:HighSchoolTranscript:v1.5.0" '
                  'xmlns:AcRec="urn:org:pesc:sector:AcademicRecord:v1.9.0" '
                  'xmlns:core="urn:org:pesc:core:CoreMain:v1.14.0"')

GENDER = {"F": "Female", "M": "Male", "X": "Unreported", "U": "Unreported"}
SUBJECTS = {"BSCS": "CSCI", "BSACC": "ACCT", "MBA": "MGMT", "MSDS": "DATA", "BSN": "NURS"}


@dataclass(frozen=True)
class PescSpec:
    """How one transcript file is written."""

    award_code: str  # AcademicAwardLevel as sent ("" when the record has no award)
    utf16: bool
    sender_key: str  # "FICE" or "OPEID"
    namespaces: str


# One entry per showcase PESC learner (population.build_showcase order: BSCS, BSACC, MBA, MSDS, BSN).
SPECS = (
    PescSpec("IPEDS5", True, "FICE", NS_CURRENT),
    PescSpec("2.4", False, "OPEID", NS_CURRENT),
    PescSpec("4.2", True, "FICE", NS_OLDER),
    PescSpec("IPEDS7", False, "FICE", NS_CURRENT),
    PescSpec("", False, "FICE", NS_CURRENT),
)


def sessions(start: date, end: date) -> list[tuple[date, date]]:
    """Consecutive terms from the first day attended to the last (fall, spring, summer)."""
    out: list[tuple[date, date]] = []
    begin = start
    while begin < end:
        if begin.month >= 8:
            term_end = date(begin.year, 12, 16)
            nxt = date(begin.year + 1, 1, 12)
        elif begin.month <= 5:
            term_end = date(begin.year, 5, 12)
            nxt = date(begin.year, 8, 24) if begin.month <= 4 else date(begin.year, 6, 2)
        else:
            term_end = date(begin.year, 8, 6)
            nxt = date(begin.year, 8, 24)
        out.append((begin, min(term_end, end)))
        begin = nxt
    if not out:
        out.append((start, end))
    return out


def _organization(provider_id: str, key: str) -> str:
    prov = PROVIDER_BY_ID[provider_id]
    ident = f"<FICE>{prov.fice}</FICE>" if key == "FICE" else f"<OPEID>{prov.opeid}</OPEID>"
    return f"<OrganizationName>{escape(prov.name)}</OrganizationName>{ident}"


def _person(person: Person, student_id: str) -> str:
    return (
        "    <Person>\n"
        f"      <SchoolAssignedPersonID>{escape(student_id)}</SchoolAssignedPersonID>\n"
        f"      <SSN>{person.ssn}</SSN>\n"
        f"      <Birth><BirthDate>{person.birth.isoformat()}</BirthDate></Birth>\n"
        f"      <Name><FirstName>{escape(person.first)}</FirstName><LastName>{escape(person.last)}</LastName>"
        "</Name>\n"
        f"      <Gender><GenderCode>{GENDER[person.sex]}</GenderCode></Gender>\n"
        "    </Person>\n"
    )


def _session_xml(index: int, begin: date, end: date, subject: str, level: str) -> str:
    courses = []
    for k in range(4):
        grade = "ABACB"[(index + k) % 5]
        courses.append(
            "        <Course>\n"
            "          <CourseCreditUnits>Semester</CourseCreditUnits>\n"
            "          <CourseCreditValue>3</CourseCreditValue>\n"
            f"          <CourseCreditEarned>3</CourseCreditEarned>\n"
            f"          <CourseAcademicGrade>{grade}</CourseAcademicGrade>\n"
            f"          <CourseSubjectAbbreviation>{subject}</CourseSubjectAbbreviation>\n"
            f"          <CourseNumber>{100 + 10 * index + k}</CourseNumber>\n"
            f"          <CourseTitle>{subject} Course {index}.{k}</CourseTitle>\n"
            "        </Course>\n")
    return (
        "      <AcademicSession>\n"
        "        <AcademicSessionDetail>\n"
        f"          <SessionDesignator>{begin.strftime('%Y-%m')}</SessionDesignator>\n"
        f"          <SessionName>Term {begin.isoformat()}</SessionName>\n"
        "          <SessionType>Semester</SessionType>\n"
        f"          <SessionBeginDate>{begin.isoformat()}</SessionBeginDate>\n"
        f"          <SessionEndDate>{end.isoformat()}</SessionEndDate>\n"
        "        </AcademicSessionDetail>\n"
        f"        <StudentLevel><StudentLevelCode>{level}</StudentLevelCode></StudentLevel>\n"
        + "".join(courses)
        + "      </AcademicSession>\n")


def _award(code: str, when: date, title: str, cip: str) -> str:
    return (
        "      <AcademicAward>\n"
        f"        <AcademicAwardLevel>{escape(code)}</AcademicAwardLevel>\n"
        f"        <AcademicAwardDate>{when.isoformat()}</AcademicAwardDate>\n"
        f"        <AcademicAwardTitle>{escape(title)}</AcademicAwardTitle>\n"
        "        <AcademicCompletionIndicator>true</AcademicCompletionIndicator>\n"
        + ("        <AcademicAwardProgram>\n"
           f"          <ProgramCIPCode>{cip}</ProgramCIPCode>\n"
           "          <AcademicProgramType>Major</AcademicProgramType>\n"
           f"          <AcademicProgramName>{escape(title)}</AcademicProgramName>\n"
           "        </AcademicAwardProgram>\n" if cip else "")
        + "      </AcademicAward>\n")


def _document(root: str, namespaces: str, doc_id: str, sender: str, body: str, utf16: bool) -> bytes:
    encoding = "UTF-16" if utf16 else "UTF-8"
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        f"<{root} {namespaces}>\n"
        "  <TransmissionData>\n"
        f"    <DocumentID>{doc_id}</DocumentID>\n"
        f"    <CreatedDateTime>{PESC_STAMP.isoformat()}T09:30:00-05:00</CreatedDateTime>\n"
        "    <DocumentTypeCode>StateReport</DocumentTypeCode>\n"
        "    <TransmissionType>Original</TransmissionType>\n"
        f"    <Source><Organization>{sender}</Organization></Source>\n"
        "    <Destination><Organization><MutuallyDefined>STATE-LER</MutuallyDefined>"
        "<OrganizationName>State LER Office</OrganizationName></Organization></Destination>\n"
        "  </TransmissionData>\n"
        f"{body}"
        f"</{root}>\n")
    return b"\xff\xfe" + text.encode("utf-16-le") if utf16 else text.encode("utf-8")


def college_transcript(person: Person, spell: Spell, spec: PescSpec, doc_id: str) -> bytes:
    prog = spell.program
    end = spell.end or spell.start + timedelta(days=120)
    level = "GraduateFirstYear" if prog.level == "MAST" else "CollegeFirstYear"
    subject = SUBJECTS.get(prog.program_id, "GEN")
    award = _award(spec.award_code, spell.award_date, prog.name, prog.cip) if (
        spec.award_code and spell.award_date) else ""
    body = (
        "  <Student>\n"
        + _person(person, spell.local_id)
        + "    <AcademicRecord>\n"
        f"      <School>{_organization(prog.provider_id, spec.sender_key)}</School>\n"
        + award
        + "".join(_session_xml(i, b, e, subject, level)
                  for i, (b, e) in enumerate(sessions(spell.start, end)))
        + "    </AcademicRecord>\n"
        "  </Student>\n")
    sender = _organization(prog.provider_id, "FICE")
    return _document("ColTrn:CollegeTranscript", spec.namespaces, doc_id, sender, body, spec.utf16)


def high_school_transcript(record: HighSchoolRecord, doc_id: str) -> bytes:
    person = record.person
    student_id = next(iter(person.local_ids.values()), f"HS{person.pid:07d}")
    terms = sessions(record.first_session, record.diploma_date)
    body = (
        "  <Student>\n"
        + _person(person, student_id)
        + "    <AcademicRecord>\n"
        f"      <School>{_organization('NPSU', 'FICE')}</School>\n"
        + _award(HS_AWARD_CODE, record.diploma_date, "High School Diploma (Early College Program)", "")
        + "".join(_session_xml(i, b, e, "DUAL", "TwelfthGrade" if i >= 2 else "EleventhGrade")
                  for i, (b, e) in enumerate(terms))
        + "    </AcademicRecord>\n"
        "  </Student>\n")
    return _document("HSTrn:HighSchoolTranscript", NS_HIGH_SCHOOL, doc_id, _organization("NPSU", "FICE"),
                     body, True)


def write_pesc(out: LandingWriter, showcase: list[Person], high_school: list[HighSchoolRecord]) -> int:
    """The university's PESC files; returns how many were written."""
    when = stamp_mtime(PESC_STAMP)
    n = 0
    for i, (person, spec) in enumerate(zip(showcase, SPECS, strict=False)):
        spell = next(s for s in person.spells if s.channel == "pesc")
        doc_id = f"NPSU-{PESC_STAMP.year}-{i + 1:05d}"
        out.write("transcripts", f"pesc_NPSU_{i + 1:05d}_{stamp(PESC_STAMP)}.xml",
                  college_transcript(person, spell, spec, doc_id), when)
        n += 1
    for j, record in enumerate(high_school):
        doc_id = f"NPSU-HS-{PESC_STAMP.year}-{j + 1:05d}"
        out.write("transcripts", f"pesc_NPSU_hs_{j + 1:05d}_{stamp(PESC_STAMP)}.xml",
                  high_school_transcript(record, doc_id), when)
        n += 1
    return n
