"""Build PESC College / High School Transcript XML for tests, in any namespace style and encoding.

The dataclasses mirror only the parts of PESC the reader uses; everything is optional so a test
states just what it is about. `transcript()` returns the document text without an XML declaration;
`encode()` adds the declaration that matches the chosen encoding.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

NS_STYLES = ("default", "prefixed", "prefixed_all", "none")
VERSIONS = ("v1.3.0", "v1.4.0", "v1.6.0")


@dataclass
class Org:
    fice: str | None = None
    opeid: str | None = None
    ceeb: str | None = None
    name: str = "Sample College"


@dataclass
class Course:
    value: str | None = None
    earned: str | None = None
    begin: str | None = None
    end: str | None = None


@dataclass
class Program:
    cip: str | None
    type: str | None = "Major"


@dataclass
class Session:
    begin: str | None = None
    end: str | None = None
    designator: str | None = None
    courses: list[Course] = field(default_factory=list)
    programs: list[Program] = field(default_factory=list)


@dataclass
class Summary:
    attempted: str | None = None
    earned: str | None = None
    type: str | None = None


@dataclass
class Award:
    level: str | None = None
    date: str | None = None
    title: str | None = None
    programs: list[Program] = field(default_factory=list)


@dataclass
class Record:
    school: Org | None = None
    awards: list[Award] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    summaries: list[Summary] = field(default_factory=list)
    courses: list[Course] = field(default_factory=list)  # courses directly under the record


@dataclass
class Learner:
    school_id: str | None = "S0001"
    agency_id: str | None = None
    recipient_id: str | None = None
    ssn: str | None = "123456789"
    first: str | None = "Ada"
    last: str | None = "Quill"
    birth: str | None = "1990-01-02"
    gender: str | None = "Female"
    records: list[Record] = field(default_factory=list)


Node = tuple[str, "str | list[Node] | None"]


def _n(name: str, content: str | list[Node] | None) -> list[Node]:
    """One element, or nothing when its content is None (optional PESC elements are just omitted)."""
    return [] if content is None else [(name, content)]


def _org(org: Org) -> list[Node]:
    return (_n("OrganizationName", org.name) + _n("FICE", org.fice) + _n("OPEID", org.opeid)
            + _n("CEEBACT", org.ceeb))


def _course(c: Course) -> Node:
    return ("Course", [("CourseCreditUnits", "Semester")] + _n("CourseCreditValue", c.value)
            + _n("CourseCreditEarned", c.earned) + [("CourseTitle", "Course")]
            + _n("CourseBeginDate", c.begin) + _n("CourseEndDate", c.end))


def _program(p: Program, element: str = "AcademicProgram") -> Node:
    return (element, _n("ProgramCIPCode", p.cip) + _n("AcademicProgramType", p.type)
            + [("AcademicProgramName", "Program")])


def _session(s: Session) -> Node:
    detail = (_n("SessionDesignator", s.designator) + [("SessionType", "Semester")]
              + _n("SessionBeginDate", s.begin) + _n("SessionEndDate", s.end))
    return ("AcademicSession", [("AcademicSessionDetail", detail)] + [_program(p) for p in s.programs]
            + [_course(c) for c in s.courses])


def _summary(s: Summary) -> Node:
    gpa = _n("CreditHoursAttempted", s.attempted) + _n("CreditHoursEarned", s.earned)
    return ("AcademicSummary", _n("AcademicSummaryType", s.type) + [("GPA", gpa)])


def _award(a: Award) -> Node:
    return ("AcademicAward", _n("AcademicAwardLevel", a.level) + _n("AcademicAwardDate", a.date)
            + _n("AcademicAwardTitle", a.title) + [("AcademicCompletionIndicator", "true")]
            + [_program(p, "AcademicAwardProgram") for p in a.programs])


def _record(r: Record) -> Node:
    school = [("School", _org(r.school))] if r.school else []
    return ("AcademicRecord", school + [_award(a) for a in r.awards] + [_summary(s) for s in r.summaries]
            + [_session(s) for s in r.sessions] + [_course(c) for c in r.courses])


def _person(p: Learner) -> Node:
    agency = [("AgencyIdentifier", [("AgencyAssignedID", p.agency_id), ("AgencyCode", "State")])] \
        if p.agency_id else []
    name = _n("FirstName", p.first) + _n("LastName", p.last)
    return ("Person", _n("SchoolAssignedPersonID", p.school_id) + agency
            + _n("RecipientAssignedID", p.recipient_id) + _n("SSN", p.ssn)
            + [("Birth", _n("BirthDate", p.birth)), ("Name", name)]
            + _n("Gender", _n("GenderCode", p.gender) if p.gender is not None else None))


def _render(node: Node, prefix: str, depth: int) -> str:
    name, content = node
    tag = prefix + name
    pad = "  " * depth
    if isinstance(content, str):
        return f"{pad}<{tag}>{escape(content)}</{tag}>"
    inner = "\n".join(_render(child, prefix, depth + 1) for child in content or [])
    return f"{pad}<{tag}>\n{inner}\n{pad}</{tag}>" if inner else f"{pad}<{tag}/>"


def transcript(
    learners: list[Learner],
    *,
    source: Org | None = None,
    root: str = "CollegeTranscript",
    version: str = "v1.6.0",
    ns: str = "prefixed",
) -> str:
    """A PESC document. `ns`: `default` (xmlns=, every element in the message namespace),
    `prefixed` (the real files' style: prefixed root, unqualified children), `prefixed_all`
    (every element prefixed) or `none` (no namespace at all)."""
    uri = f"urn:org:pesc:message:{root}:{version}"
    core = "urn:org:pesc:core:CoreMain:v1.14.0"
    root_prefix = child_prefix = ""
    if ns == "default":
        decl = f' xmlns="{uri}" xmlns:core="{core}"'
    elif ns in ("prefixed", "prefixed_all"):
        decl = f' xmlns:Trn="{uri}" xmlns:core="{core}"'
        root_prefix = "Trn:"
        child_prefix = "Trn:" if ns == "prefixed_all" else ""
    elif ns == "none":
        decl = ""
    else:
        raise ValueError(ns)
    transmission = ("TransmissionData", [("DocumentID", "DOC-1"), ("DocumentTypeCode", "StudentRequest")]
                    + ([("Source", [("Organization", _org(source))])] if source else []))
    students = [("Student", [_person(p)] + [_record(r) for r in p.records]) for p in learners]
    children = [transmission, *students]
    body = "\n".join(_render(child, child_prefix, 1) for child in children)
    return f"<{root_prefix}{root}{decl}>\n{body}\n</{root_prefix}{root}>\n"


def encode(xml: str, encoding: str = "utf-8") -> bytes:
    """Bytes of a document with a matching declaration.

    `utf-8`, `utf-8-bom`, `utf-16` (BOM, little-endian), `utf-16be` (BOM, big-endian),
    `utf-16le-nobom` (no BOM, no declaration: what some exporters write).
    """
    if encoding == "utf-8":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + xml).encode("utf-8")
    if encoding == "utf-8-bom":
        return codecs.BOM_UTF8 + ('<?xml version="1.0" encoding="UTF-8"?>\n' + xml).encode("utf-8")
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + ('<?xml version="1.0" encoding="UTF-16"?>\n' + xml).encode("utf-16-le")
    if encoding == "utf-16be":
        return codecs.BOM_UTF16_BE + ('<?xml version="1.0" encoding="UTF-16"?>\n' + xml).encode("utf-16-be")
    if encoding == "utf-16le-nobom":
        return xml.encode("utf-16-le")
    raise ValueError(encoding)
