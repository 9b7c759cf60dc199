"""CTDL credential description reader (reference/*.json, docs/submission_manual.md §1, §3, §5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import contract
from dagster_project.landing.formats.ctdl import CREDENTIAL_CLASSES, NO_CREDENTIAL, NOT_JSON_LD, read_ctdl
from dagster_project.landing.records import StructuralError

CONTRACT = contract("ctdl_json")
EXPECTED_COLUMNS = ["_line", "_problem_field", "_problem_reason"] + CONTRACT.column_names

INGEST = "ctdl/credential-registry-ingest-examples"
FIXTURES = "ctdl/CredentialRegistry-fixtures/credential"
EXAMPLE = "https://credentialengine.github.io/credential-registry-ingest-examples"

SPEC_CLASSES = [
    "ceterms:Certificate", "ceterms:AssociateDegree", "ceterms:BachelorDegree", "ceterms:MasterDegree",
    "ceterms:DoctoralDegree", "ceterms:CertificateOfCompletion", "ceterms:Certification",
    "ceterms:License", "ceterms:ApprenticeshipCertificate", "ceterms:DigitalBadge",
]

EMPTY_ROW = {c: None for c in CONTRACT.column_names}


def read_file(path: Path, ctx: ReadContext | None = None) -> list[dict[str, Any]]:
    """All records of a file, checking every batch has exactly the contract's columns."""
    rows: list[dict[str, Any]] = []
    for batch in read_ctdl(path, CONTRACT, ctx or ReadContext()):
        assert batch.schema.names == EXPECTED_COLUMNS
        rows.extend(batch.to_pylist())
    return rows


def read_doc(tmp_path: Path, doc: Any, ctx: ReadContext | None = None) -> list[dict[str, Any]]:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return read_file(path, ctx)


def row(**values: Any) -> dict[str, Any]:
    """An expected record: `_line` and problems first, unnamed contract columns null."""
    line = values.pop("line", 1)
    return {"_line": line, "_problem_field": None, "_problem_reason": None, **EMPTY_ROW, **values}


# --- real files ---------------------------------------------------------------------------------

CREDENTIAL_1 = dict(
    credential_uri=f"{EXAMPLE}/Credential/1/Credential-1.json",
    credential_name="Bachelor of Science in Cybersecurity",
    ctdl_class="ceterms:BachelorDegree",
    owner_uri=f"{EXAMPLE}/Organization/1/Organization-1.json",
    credential_status="Active",
)

REAL_CREDENTIALS = {
    f"{INGEST}/Credential/1/Credential-1.json": [row(
        ctid="ce-edc318c1-aa67-47e2-9638-a8529e6612d4",
        subject_webpage="http://example.com/#bachelordegree", **CREDENTIAL_1)],
    f"{INGEST}/Credential/1/Credential-1-graph.json": [row(
        ctid="ce-8669d5c6-566b-4409-9fff-f09753605d13",
        subject_webpage="https://example.com/#bachelordegree", **CREDENTIAL_1)],
    f"{FIXTURES}/1_valid.json": [row(
        ctid="ce-19f13d42-f531-4a4f-8493-a583c60c526a",
        credential_uri="http://lr-staging.learningtapestry.com/resources/ce-19f13d42-f531-4a4f-8493-a583c60c526a",
        credential_name="A.S. in Diesel Technology",
        ctdl_class="ceterms:AssociateDegree",
        owner_uri="http://lr-staging.learningtapestry.com/resources/ce-1c10e96b-e190-49ae-80d9-5232b5b3126a",
        credential_status="Active",
        subject_webpage="http://www.vinu.edu/web/guest/majors")],
    f"{FIXTURES}/2_valid.json": [row(
        ctid="ce-28E50037-D306-4F1E-AA9D-22A0E716B7A7",
        credential_uri="http://lr-staging.learningtapestry.com/resources/ce-28E50037-D306-4F1E-AA9D-22A0E716B7A7",
        credential_name="Health Informatics",
        ctdl_class="ceterms:Certification",
        naics_codes="622;62231")],
}

REAL_NON_CREDENTIALS = [
    f"{INGEST}/Organization/1/Organization-1.json",
    f"{INGEST}/LearningProgram/1/LearningProgram-1.json",
    f"{INGEST}/LearningProgram/1/LearningProgram-1-graph.json",
    f"{INGEST}/LearningProgram/2/LearningProgram-2.json",
    f"{INGEST}/LearningProgram/1/Course-1a.json",
    f"{INGEST}/LearningProgram/1/Course-1b.json",
    f"{INGEST}/LearningProgram/1/Course-1c.json",
]


def test_every_real_ctdl_file_is_covered(realdata_dir: Path) -> None:
    found = {str(p.relative_to(realdata_dir)) for p in (realdata_dir / "ctdl").rglob("*.json")}
    assert found == set(REAL_CREDENTIALS) | set(REAL_NON_CREDENTIALS)


@pytest.mark.parametrize("relpath", sorted(REAL_CREDENTIALS))
def test_real_credential_files(realdata_dir: Path, relpath: str) -> None:
    ctx = ReadContext()
    assert read_file(realdata_dir / relpath, ctx) == REAL_CREDENTIALS[relpath]
    assert ctx.warnings == []


def test_nested_and_graph_forms_of_credential_1_agree(realdata_dir: Path) -> None:
    """Same credential serialized twice; the example files themselves differ only in ctid and the
    webpage's scheme. The QA organization (nested vs a `_:` graph node) is not a record in either."""
    nested = read_file(realdata_dir / INGEST / "Credential/1/Credential-1.json")
    graph = read_file(realdata_dir / INGEST / "Credential/1/Credential-1-graph.json")
    assert len(nested) == len(graph) == 1
    differing = {k for k in nested[0] if nested[0][k] != graph[0][k]}
    assert differing == {"ctid", "subject_webpage"}


@pytest.mark.parametrize("relpath", REAL_NON_CREDENTIALS)
def test_real_files_without_a_credential_are_structural_errors(realdata_dir: Path, relpath: str) -> None:
    with pytest.raises(StructuralError) as err:
        read_file(realdata_dir / relpath)
    assert str(err.value) == NO_CREDENTIAL


# --- classes ------------------------------------------------------------------------------------

@pytest.mark.parametrize("ctdl_class", SPEC_CLASSES)
def test_each_dictionary_class_gives_its_class(tmp_path: Path, ctdl_class: str) -> None:
    doc = {"@context": "https://credreg.net/ctdl/schema/context/json", "@type": ctdl_class,
           "ceterms:ctid": "ce-00000000-0000-4000-8000-000000000001", "ceterms:name": "Welding"}
    rows = read_doc(tmp_path, doc)
    assert [(r["_line"], r["ctdl_class"], r["credential_name"]) for r in rows] == [(1, ctdl_class, "Welding")]


def test_class_list_covers_dictionary_and_common_subclasses() -> None:
    assert set(SPEC_CLASSES) <= CREDENTIAL_CLASSES
    for name in ("Diploma", "Degree", "MasterCertificate", "ProfessionalDoctorate", "ResearchDoctorate",
                 "Badge", "OpenBadge", "QualityAssuranceCredential", "JourneymanCertificate",
                 "GeneralEducationDevelopment", "SecondarySchoolDiploma", "Credential", "MicroCredential",
                 "AcademicCertificate", "PreApprenticeshipCertificate"):
        assert f"ceterms:{name}" in CREDENTIAL_CLASSES
    for other in ("Organization", "CredentialOrganization", "LearningProgram", "Course", "ConditionProfile",
                  "CredentialAlignmentObject", "AssessmentProfile"):
        assert f"ceterms:{other}" not in CREDENTIAL_CLASSES


def test_type_list_prefers_specific_class_and_full_iris_are_compacted(tmp_path: Path) -> None:
    doc = [
        {"@type": ["ceterms:Credential", "ceterms:MasterDegree"], "ceterms:name": "A"},
        {"@type": "https://purl.org/ctdl/terms/License", "ceterms:name": "B"},
        {"@type": ["ceterms:Credential"], "ceterms:name": "C"},
    ]
    assert [r["ctdl_class"] for r in read_doc(tmp_path, doc)] == [
        "ceterms:MasterDegree", "ceterms:License", "ceterms:Credential"]


def test_other_node_types_are_not_records(tmp_path: Path) -> None:
    doc = {"@graph": [
        {"@id": "https://example.org/org", "@type": "ceterms:CredentialOrganization", "ceterms:name": "Org"},
        {"@id": "https://example.org/cert", "@type": "ceterms:Certificate", "ceterms:name": "Cert",
         "ceterms:requires": [{
             "@type": "ceterms:ConditionProfile",
             "ceterms:targetCredential": [{"@type": "ceterms:License", "ceterms:name": "L"}]}]},
        {"@id": "https://example.org/prog", "@type": "ceterms:LearningProgram", "ceterms:name": "Prog"},
    ]}
    rows = read_doc(tmp_path, doc)
    assert [(r["_line"], r["ctdl_class"]) for r in rows] == [(1, "ceterms:Certificate")]


def test_generated_file_without_credential_is_structural_error(tmp_path: Path) -> None:
    doc = {"@graph": [{"@type": "ceterms:Organization", "ceterms:name": "SECRET-ORG-NAME"},
                      {"@type": "ceterms:Course", "ceterms:name": {"en-US": "SECRET-COURSE"}}]}
    with pytest.raises(StructuralError) as err:
        read_doc(tmp_path, doc)
    assert str(err.value) == NO_CREDENTIAL
    assert "SECRET" not in str(err.value)


# --- graph and references -----------------------------------------------------------------------

def graph_document() -> dict[str, Any]:
    return {
        "@context": "https://credreg.net/ctdl/schema/context/json",
        "@id": "https://example.org/graph/cert-1",
        "@graph": [
            {
                "@id": "https://example.org/resources/ce-11111111-1111-4111-8111-111111111111",
                "@type": "ceterms:Certificate",
                "ceterms:ctid": "ce-11111111-1111-4111-8111-111111111111",
                "ceterms:name": {"en-US": "Welding Technology"},
                "ceterms:ownedBy": ["_:org"],
                "ceterms:offeredBy": [{"@id": "https://example.org/resources/other-org"}],
                "ceterms:instructionalProgramType": [{"@id": "_:cip"}],
                "ceterms:occupationType": ["_:soc1", {"@id": "_:soc2"}],
                "ceterms:industryType": {"@id": "_:naics"},
                "ceterms:credentialStatusType": {"@id": "_:status"},
                "ceterms:subjectWebpage": {"@id": "https://example.org/welding"},
                "ceterms:isPreparationFor": [{"@id": "_:prep"}],
            },
            {"@id": "_:org", "@type": "ceterms:CredentialOrganization",
             "ceterms:name": {"en": "Example Technical College"}},
            {"@id": "_:cip", "@type": "ceterms:CredentialAlignmentObject",
             "ceterms:frameworkName": {"en-US": "Classification of Instructional Programs"},
             "ceterms:codedNotation": "48.0508"},
            {"@id": "_:soc1", "@type": "ceterms:CredentialAlignmentObject",
             "ceterms:framework": "https://www.onetcenter.org/taxonomy.html",
             "ceterms:codedNotation": "51-4121.06"},
            {"@id": "_:soc2", "@type": "ceterms:CredentialAlignmentObject",
             "ceterms:frameworkName": "Standard Occupational Classification",
             "ceterms:codedNotation": "51-4122"},
            {"@id": "_:naics", "@type": "ceterms:CredentialAlignmentObject",
             "ceterms:frameworkName": "NAICS", "ceterms:codedNotation": "332"},
            {"@id": "_:status", "@type": "ceterms:CredentialAlignmentObject",
             "ceterms:targetNode": "credentialStat:Deprecated"},
            # A prerequisite/next-step credential described as a blank node: part of the first record.
            {"@id": "_:prep", "@type": "ceterms:Certification", "ceterms:name": "Certified Welder"},
            # An independent credential of the same graph, owned by an organization with a URI.
            {
                "@id": "https://example.org/resources/ce-22222222-2222-4222-8222-222222222222",
                "@type": "ceterms:License",
                "ceterms:ctid": "ce-22222222-2222-4222-8222-222222222222",
                "ceterms:name": "Welding License",
                "ceterms:offeredBy": "https://example.org/resources/board",
            },
            {"@id": "https://example.org/resources/board", "@type": "ceterms:QACredentialOrganization",
             "ceterms:name": {"en-US": "State Welding Board"}},
        ],
    }


def test_graph_with_blank_node_references_resolved(tmp_path: Path) -> None:
    rows = read_doc(tmp_path, graph_document())
    assert rows == [
        row(line=1,
            ctid="ce-11111111-1111-4111-8111-111111111111",
            credential_uri="https://example.org/resources/ce-11111111-1111-4111-8111-111111111111",
            credential_name="Welding Technology",
            ctdl_class="ceterms:Certificate",
            owner_uri=None,  # a blank node id means nothing outside the file
            owner_name="Example Technical College",
            cip_codes="48.0508",
            soc_codes="51-4121;51-4122",
            naics_codes="332",
            credential_status="Deprecated",
            subject_webpage="https://example.org/welding"),
        row(line=2,
            ctid="ce-22222222-2222-4222-8222-222222222222",
            credential_uri="https://example.org/resources/ce-22222222-2222-4222-8222-222222222222",
            credential_name="Welding License",
            ctdl_class="ceterms:License",
            owner_uri="https://example.org/resources/board",
            owner_name="State Welding Board"),
    ]


def test_unreferenced_blank_node_credential_is_a_record(tmp_path: Path) -> None:
    doc = {"@graph": [{"@id": "_:c", "@type": "ceterms:DigitalBadge", "ceterms:name": "Badge"}]}
    assert read_doc(tmp_path, doc) == [row(credential_name="Badge", ctdl_class="ceterms:DigitalBadge")]


def test_owned_by_wins_over_offered_by_and_embedded_owner_gives_name(tmp_path: Path) -> None:
    doc = {"@type": "ceterms:Certificate",
           "ceterms:offeredBy": ["https://example.org/offerer"],
           "ceterms:ownedBy": [{"@id": "https://example.org/owner", "@type": "ceterms:CredentialOrganization",
                                "ceterms:name": {"en-US": "Owner College"}},
                               "https://example.org/second-owner"]}
    rows = read_doc(tmp_path, doc)
    assert (rows[0]["owner_uri"], rows[0]["owner_name"]) == ("https://example.org/owner", "Owner College")


# --- text values --------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "expected"), [
    ("Plain Name", "Plain Name"),
    ({"en-US": "US English", "en": "English", "es": "Español"}, "US English"),
    ({"es": "Español", "en": "English"}, "English"),
    ({"fr": "Français", "de": "Deutsch"}, "Français"),
    ({"EN-us": "Any case"}, "Any case"),
    ({"en-US": ["First", "Second"]}, "First"),
    ({"@language": "en-US", "@value": "Value object"}, "Value object"),
    ([{"@language": "es", "@value": "Uno"}, {"@language": "en", "@value": "One"}], "One"),
    ({}, None),
])
def test_language_maps(tmp_path: Path, name: Any, expected: str | None) -> None:
    rows = read_doc(tmp_path, {"@type": "ceterms:Certificate", "ceterms:name": name})
    assert rows[0]["credential_name"] == expected


# --- containers ---------------------------------------------------------------------------------

def test_top_level_list_of_nodes(tmp_path: Path) -> None:
    doc = [
        {"@id": "https://example.org/org", "@type": "ceterms:CredentialOrganization", "ceterms:name": "Org"},
        {"@id": "https://example.org/a", "@type": "ceterms:AssociateDegree", "ceterms:name": "A",
         "ceterms:ownedBy": {"@id": "https://example.org/org"}},
        {"@id": "https://example.org/b", "@type": "ceterms:BachelorDegree", "ceterms:name": "B"},
    ]
    rows = read_doc(tmp_path, doc)
    assert [(r["_line"], r["credential_uri"], r["ctdl_class"], r["owner_name"]) for r in rows] == [
        (1, "https://example.org/a", "ceterms:AssociateDegree", "Org"),
        (2, "https://example.org/b", "ceterms:BachelorDegree", None),
    ]


def test_registry_envelope_is_unwrapped(tmp_path: Path) -> None:
    doc = {"envelope_type": "resource_data", "resource": "eyJ...",
           "decoded_resource": graph_document()}
    rows = read_doc(tmp_path, doc)
    assert [r["ctdl_class"] for r in rows] == ["ceterms:Certificate", "ceterms:License"]


def test_deeply_nested_json_is_structural_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"@type": "ceterms:Certificate", "x": ' + "[" * 100 + "]" * 100 + "}", encoding="utf-8")
    with pytest.raises(StructuralError, match="nested deeper than 64"):
        read_file(path)


def test_malformed_json_is_structural_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"@type": "ceterms:Certificate", "ceterms:name": "SECRET-VALUE",', encoding="utf-8")
    with pytest.raises(StructuralError, match="malformed JSON") as err:
        read_file(path)
    assert "SECRET" not in str(err.value)


@pytest.mark.parametrize("doc", ["a string", 42, None, True])
def test_scalar_document_is_structural_error(tmp_path: Path, doc: Any) -> None:
    with pytest.raises(StructuralError) as err:
        read_doc(tmp_path, doc)
    assert str(err.value) == NOT_JSON_LD


def test_list_without_nodes_is_structural_error(tmp_path: Path) -> None:
    with pytest.raises(StructuralError, match="no CTDL credential"):
        read_doc(tmp_path, [1, "two", []])


# --- codes and status ---------------------------------------------------------------------------

def alignment(notation: str | None = None, **extra: Any) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "ceterms:CredentialAlignmentObject", **extra}
    if notation is not None:
        node["ceterms:codedNotation"] = notation
    return node


def test_codes_are_normalized_deduplicated_and_scheme_checked(tmp_path: Path) -> None:
    cip = {"ceterms:framework": "https://nces.ed.gov/ipeds/cipcode/"}
    onet = {"ceterms:frameworkName": {"en-US": "O*NET-SOC"}}
    doc = {
        "@type": "ceterms:Certificate",
        "ceterms:instructionalProgramType": [
            alignment("1.0101", **cip),          # leading zero restored
            alignment("110101", **cip),          # bare digits under a CIP framework
            alignment("01.0101"),                # CIP shape without framework; duplicate
            alignment("52.02"),                  # no framework, not the CIP shape: ignored
            alignment("Welding", **cip),         # CIP framework, not a code: left out with a warning
        ],
        "ceterms:occupationType": [
            alignment("29-2072.00", **onet),
            alignment("292071", **onet),
            alignment("15-1212"),
            alignment(**onet, **{"ceterms:targetNode": "https://www.onetonline.org/link/summary/15-1252.00"}),
            alignment("2512", **{"ceterms:frameworkName": "ISCO-08"}),  # another scheme: ignored
        ],
        "ceterms:industryType": [alignment("622110", **{"ceterms:frameworkName": "NAICS 2017"}),
                                 alignment("62")],
        "ceterms:naics": ["622110", "6211"],
    }
    ctx = ReadContext()
    rows = read_doc(tmp_path, doc, ctx)
    assert rows[0]["cip_codes"] == "01.0101;11.0101"
    assert rows[0]["soc_codes"] == "29-2072;29-2071;15-1212;15-1252"
    assert rows[0]["naics_codes"] == "622110;62;6211"
    assert len(ctx.warnings) == 1 and ctx.warnings[0].startswith("1 ")
    assert "Welding" not in ctx.warnings[0]


def test_framework_words_need_word_boundaries(tmp_path: Path) -> None:
    """'Association' is not SOC and 'Principles' is not CIP: only code shapes count there."""
    doc = {
        "@type": "ceterms:Certificate",
        "ceterms:occupationType": [alignment("123456", **{"ceterms:frameworkName": "Association list"})],
        "ceterms:instructionalProgramType": [alignment("123456", **{"ceterms:frameworkName": "Principles"})],
    }
    ctx = ReadContext()
    rows = read_doc(tmp_path, doc, ctx)
    assert (rows[0]["soc_codes"], rows[0]["cip_codes"], ctx.warnings) == (None, None, [])


@pytest.mark.parametrize(("status", "expected"), [
    ({"ceterms:targetNode": "credentialStat:Active"}, "Active"),
    ({"ceterms:targetNode": "https://credreg.net/ctdl/vocabs/credentialStat/Suspended"}, "Suspended"),
    ({"ceterms:targetNode": {"@id": "credentialStat:Deprecated"}}, "Deprecated"),
    ([{"ceterms:targetNodeName": {"en-US": "Probationary"}}], "Probationary"),
    ("credentialStat:Active", "Active"),
    ({}, None),
])
def test_credential_status(tmp_path: Path, status: Any, expected: str | None) -> None:
    rows = read_doc(tmp_path, {"@type": "ceterms:Certificate", "ceterms:credentialStatusType": status})
    assert rows[0]["credential_status"] == expected


def test_many_records_are_numbered_in_file_order(tmp_path: Path) -> None:
    doc = {"@graph": [{"@type": SPEC_CLASSES[i % 10], "ceterms:ctid": f"ce-{i}"} for i in range(25)]}
    rows = read_doc(tmp_path, doc)
    assert [r["_line"] for r in rows] == list(range(1, 26))
    assert [r["ctid"] for r in rows] == [f"ce-{i}" for i in range(25)]
