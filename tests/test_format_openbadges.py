"""Open Badges 3.0 (noncredit/*.json) and CLR 2.0 (transcripts/*.json) readers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from dagster_project.landing.context import ProviderDirectory, ReadContext
from dagster_project.landing.contracts import contract
from dagster_project.landing.formats.openbadges import read_clr, read_ob3, split_name
from dagster_project.landing.records import BOOKKEEPING, StructuralError
from tests.badge_samples import (
    ISSUER,
    PROVIDER,
    achievement,
    alignment,
    clr_credential,
    identity_object,
    ob3_credential,
    providers,
    write_json,
)

RUN_DATE = date(2025, 8, 15)
UNKNOWN_ISSUER = ("provider_id", "issuer is not a badge_issuer_id in providers.csv")
NOT_BADGE = "is not an OpenBadgeCredential or AchievementCredential"
SPEC_ACHIEVEMENT_TYPES = [
    "Certificate", "CertificateOfCompletion", "Certification", "License", "ApprenticeshipCertificate",
    "JourneymanCertificate", "Badge", "MicroCredential", "AssociateDegree", "BachelorDegree", "MasterDegree",
    "DoctoralDegree", "Course", "Competency", "Assessment",
]


def ctx_for(*issuers: str, provider_id: str = PROVIDER) -> ReadContext:
    directory = providers(*issuers, provider_id=provider_id) if issuers else ProviderDirectory()
    return ReadContext(providers=directory, run_date=RUN_DATE)


def read_rows(reader, path: Path, ctx: ReadContext) -> list[dict]:
    layout = "ob3_json" if reader is read_ob3 else "clr_json"
    batches = list(reader(path, contract(layout), ctx))
    return pa.Table.from_batches(batches).to_pylist() if batches else []


def ob3_rows(path: Path, ctx: ReadContext | None = None) -> list[dict]:
    return read_rows(read_ob3, path, ctx or ctx_for(ISSUER))


def clr_rows(path: Path, ctx: ReadContext | None = None) -> list[dict]:
    return read_rows(read_clr, path, ctx or ctx_for(ISSUER))


def one_ob3(tmp_path: Path, credential: dict, ctx: ReadContext | None = None) -> dict:
    rows = ob3_rows(write_json(tmp_path, "badge.json", credential), ctx)
    assert len(rows) == 1
    return rows[0]


def problem(row: dict) -> tuple[str | None, str | None]:
    return row["_problem_field"], row["_problem_reason"]


# --------------------------------------------------------------------------- batch shape


@pytest.mark.parametrize(("reader", "layout"), [(read_ob3, "ob3_json"), (read_clr, "clr_json")])
def test_batch_columns_are_bookkeeping_plus_contract(tmp_path: Path, reader, layout: str) -> None:
    value = ob3_credential() if reader is read_ob3 else clr_credential([ob3_credential()])
    path = write_json(tmp_path, "f.json", value)
    batches = list(reader(path, contract(layout), ctx_for(ISSUER)))
    assert len(batches) == 1
    expected = ["_line", "_problem_field", "_problem_reason"] + contract(layout).column_names
    assert list(BOOKKEEPING) == expected[:3]
    assert batches[0].schema.names == expected
    assert all(f.type == pa.string() for f in batches[0].schema if f.name != "_line")


# --------------------------------------------------------------------------- real Open Badges files


def _ob30(realdata_dir: Path, name: str) -> Path:
    return realdata_dir / "clr_obv3" / "ob30" / name


def test_real_ob30_simple(realdata_dir: Path) -> None:
    ctx = ctx_for("https://example.com/issuers/876543", provider_id="EXCORP")
    [row] = ob3_rows(_ob30(realdata_dir, "simple.json"), ctx)
    assert row == {
        "_line": 1, "_problem_field": None, "_problem_reason": None,
        "provider_id": "EXCORP", "learner_id": None, "ssn": None, "ssn_hash": None, "ssn_salt": None,
        "first_name": None, "last_name": None, "cip_code": None, "soc_code": None,
        "start_date": "2010-01-01", "source_credential_code": None, "credential_name": "Teamwork",
        "credential_date": "2010-01-01", "credential_ctid": None,
        "credential_id": "http://example.com/credentials/3527",
        "achievement_id": "https://example.com/achievements/21st-century-skills/teamwork",
        "has_proof": "Y", "expires_on": None,
        "proof_status": "UNVERIFIABLE", "proof_reason": FRAGMENT_KEY_REASON,
    }
    assert ctx.warnings == ["1 credential(s) have no achievementType",
                            "proof status (checked offline): 1 UNVERIFIABLE"]


def test_real_ob30_simple_v1_reads_issuance_date(realdata_dir: Path) -> None:
    [row] = ob3_rows(_ob30(realdata_dir, "simple_v1.json"), ctx_for("https://example.com/issuers/876543"))
    assert (row["credential_date"], row["start_date"]) == ("2010-01-01", "2010-01-01")
    assert row["expires_on"] is None
    assert (row["provider_id"], row["has_proof"], row["credential_name"]) == (PROVIDER, "Y", "Teamwork")
    assert row["_problem_reason"] is None


def test_real_ob30_simple_noproof(realdata_dir: Path) -> None:
    ctx = ctx_for("https://example.edu/issuers/565049")
    [row] = ob3_rows(_ob30(realdata_dir, "simple-noproof.json"), ctx)
    assert row["has_proof"] == "N"
    assert row["provider_id"] == PROVIDER
    # no achievement at all: the credential's own name and no type, which is warned about
    assert (row["credential_name"], row["source_credential_code"], row["achievement_id"]) == (
        "Example University Degree", None, None)
    assert (row["credential_date"], row["start_date"]) == ("2010-01-01", "2010-01-01")
    assert ctx.warnings == ["1 credential(s) have no achievementType"]


FRAGMENT_KEY_REASON = ("eddsa-rdfc-2022 signature matches the key written in the verificationMethod, but the "
                       "verificationMethod is a URL, not a did:key; the key written in its fragment "
                       "(1EdTech's convention) cannot be tied to the issuer offline")
URL_KEY_REASON = ("key not resolvable offline: the verificationMethod is a URL whose key must be fetched; "
                  "offline only did:key is resolved")


@pytest.mark.parametrize(("name", "expires", "expired", "reason"), [
    ("complete.json", "2030-01-01", False, FRAGMENT_KEY_REASON),
    ("complete_v1.json", "2020-01-01", True, URL_KEY_REASON)])
def test_real_ob30_complete(realdata_dir: Path, name: str, expires: str, expired: bool, reason: str) -> None:
    ctx = ctx_for("https://1edtech.edu/issuers/565049", provider_id="ONEED")
    [row] = ob3_rows(_ob30(realdata_dir, name), ctx)
    assert row == {
        "_line": 1, "_problem_field": None, "_problem_reason": None,
        "provider_id": "ONEED", "learner_id": None, "ssn": None, "ssn_hash": None, "ssn_salt": None,
        "first_name": None, "last_name": None, "cip_code": None, "soc_code": None,
        "start_date": "2010-01-01", "source_credential_code": "Degree",
        "credential_name": "1EdTech University Degree", "credential_date": "2010-01-02",
        "credential_ctid": "ce-98cb027b-95ef-4494-908d-6f7790ec6b6b",
        "credential_id": "http://1edtech.edu/credentials/3732",
        "achievement_id": "https://1edtech.edu/achievements/degree",
        "has_proof": "Y", "expires_on": expires, "proof_status": "UNVERIFIABLE", "proof_reason": reason,
    }
    # email identifiers are not a learner identity the warehouse uses
    expired_note = "1 credential(s) expired before the run date (loaded all the same)"
    proof_note = "proof status (checked offline): 1 UNVERIFIABLE"
    assert ctx.warnings == ([expired_note, proof_note] if expired else [proof_note])


def test_real_ob30_unknown_issuer_is_a_record_problem(realdata_dir: Path) -> None:
    [row] = ob3_rows(_ob30(realdata_dir, "complete.json"), ctx_for("https://somebody.else/issuer"))
    assert row["provider_id"] is None
    assert problem(row) == UNKNOWN_ISSUER
    assert row["source_credential_code"] == "Degree"


def test_real_ob30_endorsement_is_rejected_as_type(realdata_dir: Path) -> None:
    ctx = ctx_for("https://state.gov/issuers/565049")
    [row] = ob3_rows(_ob30(realdata_dir, "endorsement-valid.json"), ctx)
    assert problem(row) == ("type", f"EndorsementCredential {NOT_BADGE}")
    assert row["credential_id"] == "http://1edtech.edu/endorsementcredential/3732"
    assert ctx.warnings == []


def test_real_ob30_err_type_is_rejected_as_type(realdata_dir: Path) -> None:
    ctx = ctx_for("https://example.edu/issuers/565049")
    [row] = ob3_rows(_ob30(realdata_dir, "simple-err-type.json"), ctx)
    assert problem(row) == ("type", f"OtherCredential {NOT_BADGE}")
    assert row["has_proof"] == "Y"  # proof written as a single object, not an array


def test_real_ob30_expired_is_loaded_with_one_warning(realdata_dir: Path) -> None:
    ctx = ctx_for("https://example.com/issuers/876543")
    [row] = ob3_rows(_ob30(realdata_dir, "simple-err-expired.json"), ctx)
    assert problem(row) == (None, None)
    assert (row["credential_date"], row["expires_on"]) == ("2010-01-01", "2010-01-01")
    assert "1 credential(s) expired before the run date (loaded all the same)" in ctx.warnings


# --------------------------------------------------------------------------- real CLR files


def _clr20(realdata_dir: Path, name: str) -> Path:
    return realdata_dir / "clr_obv3" / "clr20" / name


WELLSPRING = "urn:uuid:4ca4a241-fc3b-4d92-978e-f56fa96ae795"
ASSERTIONS = "https://dc.imsglobal.org/wellspring/hub/ims/clr/v1p0/assertions/"


@pytest.mark.parametrize("name", ["complex.json", "simple_v1.json"])
def test_real_clr_complex(realdata_dir: Path, name: str) -> None:
    ctx = ctx_for(WELLSPRING, provider_id="WELL")
    rows = clr_rows(_clr20(realdata_dir, name), ctx)
    assert [r["_line"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert [(r["source_award_code"], r["award_title"]) for r in rows] == [
        ("Diploma", "Nurse Assistant 1 Program with Licensure"),
        ("Course", "Health Careers 1"),
        ("Course", "Human Anatomy and Physiology"),
        ("Course", "Intro to Health Careers"),
        ("Course", "Nurse Assisting 1"),
        ("Badge", "Oregon State Board of Nursing - Certified Nursing Assistant"),
    ]
    assert rows[0]["credential_id"] == ASSERTIONS + "28326f9c00864ecf9c7065119658ca14"
    assert rows[0]["achievement_id"] == "urn:uuid:3314c2c0-2ee9-4183-838b-470c15ddfb08"
    for r in rows:
        assert (r["provider_id"], r["transcript_type"], r["has_proof"]) == ("WELL", "CLR", "Y")
        assert (r["award_date"], r["enrollment_start_date"]) == ("2018-06-06", "2018-06-06")
        assert r["expires_on"] is None
        assert problem(r) == (None, None)
        assert all(r[c] is None for c in ("student_id", "ssn", "ssn_hash", "ssn_salt", "first_name",
                                          "last_name", "cip_code"))
    # complex.json: every nested proof is by did:key; simple_v1.json: the first is by a fragment key
    statuses = ["VERIFIED"] * 6 if name == "complex.json" else ["UNVERIFIABLE"] + ["VERIFIED"] * 5
    assert [r["proof_status"] for r in rows] == statuses
    counts = "6 VERIFIED" if name == "complex.json" else "5 VERIFIED, 1 UNVERIFIABLE"
    assert ctx.warnings == [f"proof status (checked offline): {counts}"]


def test_real_clr_simple(realdata_dir: Path) -> None:
    # the nested badge's issuer (example.com) is unknown, so the ClrCredential's issuer is used
    ctx = ctx_for("https://example.edu/issuers/565049")
    [row] = clr_rows(_clr20(realdata_dir, "simple.json"), ctx)
    assert row == {
        "_line": 1, "_problem_field": None, "_problem_reason": None,
        "provider_id": PROVIDER, "student_id": None, "ssn": None, "ssn_hash": None, "ssn_salt": None,
        "first_name": None, "last_name": None, "cip_code": None, "source_award_code": None,
        "transcript_type": "CLR", "enrollment_start_date": "2010-01-01", "award_date": "2010-01-01",
        "award_title": "Teamwork", "credential_id": "http://example.com/credentials/3527",
        "achievement_id": "https://example.com/achievements/21st-century-skills/teamwork",
        "has_proof": "Y", "expires_on": None,
        "proof_status": "UNVERIFIABLE", "proof_reason": FRAGMENT_KEY_REASON,
    }
    assert ctx.warnings == ["1 credential(s) have no achievementType",
                            "2 ClrSubject achievement(s) have no nested credential and were not loaded",
                            "proof status (checked offline): 1 UNVERIFIABLE"]


def test_real_clr_simple_noproof(realdata_dir: Path) -> None:
    ctx = ctx_for("https://example.edu/issuers/565049")
    [row] = clr_rows(_clr20(realdata_dir, "simple-noproof.json"), ctx)
    # the ClrCredential is unsigned but its nested AchievementCredential carries a proof
    assert row["has_proof"] == "Y"
    assert (row["award_date"], row["enrollment_start_date"]) == ("2010-01-01", "2010-01-01")
    assert (row["award_title"], row["credential_id"]) == (
        "Achievement 1", "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002")
    assert row["provider_id"] == PROVIDER
    assert "1 ClrSubject achievement(s) have no nested credential and were not loaded" in ctx.warnings


def test_real_clr_unknown_issuer(realdata_dir: Path) -> None:
    rows = clr_rows(_clr20(realdata_dir, "complex.json"), ctx_for("https://somebody.else/issuer"))
    assert len(rows) == 6
    assert {problem(r) for r in rows} == {UNKNOWN_ISSUER}


def test_real_ob3_file_in_transcripts_is_structural(realdata_dir: Path) -> None:
    with pytest.raises(StructuralError, match="not a ClrCredential"):
        clr_rows(_ob30(realdata_dir, "simple.json"))


# --------------------------------------------------------------------------- spec worked example


TCAA_ISSUER = "https://tcaa.example.org/issuers/main"


def test_example_tcaa_files(example_dir: Path) -> None:
    folder = example_dir / "landing" / "noncredit"
    files = sorted(folder.glob("tcaa_*.json"))
    assert len(files) == 12
    counts = {}
    for path in files:
        ctx = ctx_for(TCAA_ISSUER, provider_id="TCAA")
        rows = ob3_rows(path, ctx)
        counts[path.name] = len(rows)
        for r in rows:
            assert problem(r) == (None, None)
            assert (r["provider_id"], r["cip_code"], r["has_proof"]) == ("TCAA", "46.0302", "N")
            assert r["ssn"] is not None and r["first_name"] and r["last_name"]
            assert r["start_date"] < r["credential_date"]
        assert ctx.warnings == []
    assert sum(counts.values()) == 21
    assert counts["tcaa_badges_batch_20250815.json"] == 10
    assert counts["tcaa_course_20250815.json"] == 1


def test_example_tcaa_single_values(example_dir: Path) -> None:
    path = example_dir / "landing" / "noncredit" / "tcaa_badge_000_20250815.json"
    [row] = ob3_rows(path, ctx_for(TCAA_ISSUER, provider_id="TCAA"))
    assert row == {
        "_line": 1, "_problem_field": None, "_problem_reason": None,
        "provider_id": "TCAA", "learner_id": None, "ssn": "027652802", "ssn_hash": None, "ssn_salt": None,
        "first_name": "Susan", "last_name": "White", "cip_code": "46.0302", "soc_code": None,
        "start_date": "2019-02-16", "source_credential_code": "ApprenticeshipCertificate",
        "credential_name": "Inside Wireman Apprenticeship", "credential_date": "2023-09-08",
        "credential_ctid": None, "credential_id": "urn:uuid:a84eadce-0000-4000-8000-000000000010",
        "achievement_id": "https://tcaa.example.org/achievements/inside-wireman",
        "has_proof": "N", "expires_on": None,
        "proof_status": "NO_PROOF", "proof_reason": "the credential carries no proof",
    }


def test_example_tcaa_batch_and_course(example_dir: Path) -> None:
    folder = example_dir / "landing" / "noncredit"
    rows = ob3_rows(folder / "tcaa_badges_batch_20250815.json", ctx_for(TCAA_ISSUER, provider_id="TCAA"))
    assert [r["_line"] for r in rows] == list(range(1, 11))
    assert rows[2]["first_name"] == "José" and rows[4]["last_name"] == "O'Brien"
    assert rows[1]["credential_id"] == "urn:uuid:d45f4bb3-0000-4000-8000-000000000001"
    [course] = ob3_rows(folder / "tcaa_course_20250815.json", ctx_for(TCAA_ISSUER, provider_id="TCAA"))
    assert course["source_credential_code"] == "Course"
    assert course["credential_name"] == "OSHA 30 Construction Safety"


# --------------------------------------------------------------------------- achievementType, dates


@pytest.mark.parametrize("achievement_type", SPEC_ACHIEVEMENT_TYPES + ["ext:Foo", "Diploma"])
def test_achievement_type_passes_through_unchanged(tmp_path: Path, achievement_type: str) -> None:
    row = one_ob3(tmp_path, ob3_credential(achievement_type=achievement_type))
    assert row["source_credential_code"] == achievement_type
    assert problem(row) == (None, None)
    clr = clr_rows(write_json(tmp_path, "clr.json", clr_credential([ob3_credential(
        achievement_type=achievement_type)])))
    assert clr[0]["source_award_code"] == achievement_type


def test_missing_achievement_type_is_warned_once(tmp_path: Path) -> None:
    ctx = ctx_for(ISSUER)
    rows = ob3_rows(write_json(tmp_path, "b.json", [ob3_credential(achievement_type=None)] * 2
                               + [ob3_credential()]), ctx)
    assert [r["source_credential_code"] for r in rows] == [None, None, "Certification"]
    assert ctx.warnings == ["2 credential(s) have no achievementType"]


@pytest.mark.parametrize("vc", ["1.1", "2.0"])
def test_vc_versions_dates(tmp_path: Path, vc: str) -> None:
    cred = ob3_credential(vc=vc, issued="2024-05-01T12:00:00Z", expires="2027-05-01T00:00:00-05:00",
                          activity_start=None, activity_end=None)
    assert ("validFrom" in cred) == (vc == "2.0") and ("issuanceDate" in cred) == (vc == "1.1")
    row = one_ob3(tmp_path, cred)
    assert (row["credential_date"], row["start_date"], row["expires_on"]) == (
        "2024-05-01", "2024-05-01", "2027-05-01")


def test_activity_dates_win_over_valid_from(tmp_path: Path) -> None:
    row = one_ob3(tmp_path, ob3_credential(issued="2024-05-01T12:00:00Z",
                                           activity_start="2023-09-05T00:00:00Z",
                                           activity_end="2024-04-30T23:00:00-07:00"))
    assert (row["start_date"], row["credential_date"]) == ("2023-09-05", "2024-04-30")


def test_activity_start_absent_uses_credential_date(tmp_path: Path) -> None:
    row = one_ob3(tmp_path, ob3_credential(activity_start=None, activity_end="2024-04-30T00:00:00Z"))
    assert (row["start_date"], row["credential_date"]) == ("2024-04-30", "2024-04-30")


def test_activity_end_absent_uses_valid_from(tmp_path: Path) -> None:
    row = one_ob3(tmp_path, ob3_credential(activity_start="2024-01-08T00:00:00Z", activity_end=None,
                                           issued="2024-05-01T12:00:00Z"))
    assert (row["start_date"], row["credential_date"]) == ("2024-01-08", "2024-05-01")


def test_plain_date_and_unparseable_dates(tmp_path: Path) -> None:
    row = one_ob3(tmp_path, ob3_credential(activity_start="2024-01-08", activity_end="May 1, 2024",
                                           expires="2024-13-45T00:00:00Z"))
    # not a date shape: passed raw so validation rejects it; date-shaped but impossible: left to SQL too
    assert (row["start_date"], row["credential_date"], row["expires_on"]) == (
        "2024-01-08", "May 1, 2024", "2024-13-45")


def test_no_dates_at_all(tmp_path: Path) -> None:
    row = one_ob3(tmp_path, ob3_credential(issued=None, activity_start=None, activity_end=None))
    assert (row["start_date"], row["credential_date"], row["expires_on"]) == (None, None, None)


def test_expired_credentials_get_one_summary_warning(tmp_path: Path) -> None:
    creds = [ob3_credential(expires="2020-01-01T00:00:00Z", credential_id=f"urn:uuid:x-{i}")
             for i in range(3)]
    creds += [ob3_credential(expires="2030-01-01T00:00:00Z"), ob3_credential(expires=f"{RUN_DATE}T00:00:00Z")]
    ctx = ctx_for(ISSUER)
    rows = ob3_rows(write_json(tmp_path, "b.json", creds), ctx)
    assert len(rows) == 5 and all(problem(r) == (None, None) for r in rows)
    assert ctx.warnings == ["3 credential(s) expired before the run date (loaded all the same)"]


# --------------------------------------------------------------------------- identity


def test_plain_national_identity_number_is_ssn(tmp_path: Path) -> None:
    row = one_ob3(tmp_path, ob3_credential(identifiers=[
        identity_object("nationalIdentityNumber", "123-45-6789"), identity_object("name", "Ana María Ruiz")]))
    assert (row["ssn"], row["ssn_hash"], row["ssn_salt"]) == ("123-45-6789", None, None)
    assert (row["first_name"], row["last_name"]) == ("Ana María", "Ruiz")


def test_hashed_national_identity_number_goes_to_hash_columns(tmp_path: Path) -> None:
    digest = "sha256$" + "ab" * 32
    row = one_ob3(tmp_path, ob3_credential(identifiers=[
        identity_object("nationalIdentityNumber", digest, hashed=True, salt="s4lt")]))
    assert (row["ssn_hash"], row["ssn_salt"]) == (digest, "s4lt")
    assert row["ssn"] is None


def test_md5_identity_hash_without_hashed_flag_is_still_a_hash(tmp_path: Path) -> None:
    digest = "md5$" + "0f" * 16
    entry = identity_object("nationalIdentityNumber", digest)
    del entry["hashed"]
    row = one_ob3(tmp_path, ob3_credential(identifiers=[entry]))
    assert (row["ssn"], row["ssn_hash"], row["ssn_salt"]) == (None, digest, None)


@pytest.mark.parametrize(("entries", "expected"), [
    ([("studentId", "S-1001")], "S-1001"),
    ([("sisSourcedId", "SIS-77")], "SIS-77"),
    ([("sisSourcedId", "SIS-77"), ("studentId", "S-1001")], "S-1001"),
])
def test_student_ids_are_roster_ids(tmp_path: Path, entries: list, expected: str) -> None:
    ids = [identity_object(kind, value) for kind, value in entries]
    row = one_ob3(tmp_path, ob3_credential(identifiers=ids))
    assert row["learner_id"] == expected and row["ssn"] is None
    [clr] = clr_rows(write_json(tmp_path, "clr.json", clr_credential([ob3_credential(identifiers=ids)])))
    assert clr["student_id"] == expected


def test_hashed_student_id_and_name_are_ignored_with_a_warning(tmp_path: Path) -> None:
    ctx = ctx_for(ISSUER)
    row = one_ob3(tmp_path, ob3_credential(identifiers=[
        identity_object("studentId", "sha256$" + "cd" * 32, hashed=True),
        identity_object("name", "sha256$" + "ef" * 32, hashed=True)]), ctx)
    assert (row["learner_id"], row["first_name"], row["last_name"]) == (None, None, None)
    assert ctx.warnings == ["2 hashed studentId/sisSourcedId/name identifier(s) ignored: "
                            "only a hashed nationalIdentityNumber can be matched"]


def test_other_identifier_types_and_ob2_shape(tmp_path: Path) -> None:
    ob2_style = {"type": "IdentityObject", "identityType": "studentId", "hashed": False, "identity": "S-9"}
    row = one_ob3(tmp_path, ob3_credential(identifiers=[
        identity_object("emailAddress", "someone@example.org"), ob2_style]))
    assert row["learner_id"] == "S-9"
    assert (row["ssn"], row["first_name"]) == (None, None)


@pytest.mark.parametrize(("name", "expected"), [
    ("Susan White", ("Susan", "White")),
    ("Mary Ann  Smith", ("Mary Ann", "Smith")),
    ("De La Cruz, Maria", ("Maria", "De La Cruz")),
    ("Cher", (None, "Cher")),
    ("   ", (None, None)),
])
def test_split_name(name: str, expected: tuple) -> None:
    assert split_name(name) == expected


# --------------------------------------------------------------------------- provider, codes, proof


def test_unknown_issuer_is_a_record_problem(tmp_path: Path) -> None:
    row = one_ob3(tmp_path, ob3_credential(issuer="https://stranger.example.net/i"))
    assert row["provider_id"] is None
    assert problem(row) == UNKNOWN_ISSUER


def test_missing_issuer_is_a_record_problem(tmp_path: Path) -> None:
    row = one_ob3(tmp_path, ob3_credential(issuer=None))
    assert problem(row) == UNKNOWN_ISSUER


def test_issuer_as_plain_string(tmp_path: Path) -> None:
    row = one_ob3(tmp_path, ob3_credential(issuer_as_string=True))
    assert row["provider_id"] == PROVIDER and problem(row) == (None, None)


def test_alignment_codes(tmp_path: Path) -> None:
    ach = achievement("Certification", alignments=[
        alignment("Principles of Welding", "P-1"),  # "cip" in lower case must not count as CIP
        alignment("CIP 2020", "480508"),
        alignment("O*NET-SOC 2019", "51-4121.06"),
        alignment("Credential Engine", "ce-1a2b3c4d-0000-4000-8000-00000000abcd"),
    ])
    row = one_ob3(tmp_path, ob3_credential(ach=ach))
    assert (row["cip_code"], row["soc_code"]) == ("48.0508", "51-4121")
    assert row["credential_ctid"] == "ce-1a2b3c4d-0000-4000-8000-00000000abcd"


@pytest.mark.parametrize(("raw", "expected"), [
    ("52.0201", "52.0201"), ("520201", "52.0201"), ("1.0105", "01.0105"), (" 52.0201 ", "52.0201"),
    ("52.02", "52.02"), (520201, "52.0201"), (None, None),
])
def test_cip_alignment_is_normalized_else_kept_as_written(tmp_path: Path, raw, expected) -> None:
    """codes.cip through the reader; a code that does not normalize is passed on for validation."""
    ach = achievement(alignments=[] if raw is None else [alignment("CIP 2020", raw)])
    assert one_ob3(tmp_path, ob3_credential(ach=ach))["cip_code"] == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("15-1252", "15-1252"), ("15-1252.00", "15-1252"), ("151252", "15-1252"), ("Welders", "Welders"),
])
def test_soc_alignment_is_normalized_else_kept_as_written(tmp_path: Path, raw: str, expected: str) -> None:
    ach = achievement(alignments=[alignment("O*NET-SOC 2019", raw)])
    assert one_ob3(tmp_path, ob3_credential(ach=ach))["soc_code"] == expected


def test_achievement_name_falls_back_to_credential_name(tmp_path: Path) -> None:
    row = one_ob3(tmp_path, ob3_credential(ach=achievement(name=None), name="The credential"))
    assert row["credential_name"] == "The credential"


@pytest.mark.parametrize(("proof", "expected"), [(True, "Y"), (False, "N")])
def test_has_proof(tmp_path: Path, proof: bool, expected: str) -> None:
    assert one_ob3(tmp_path, ob3_credential(proof=proof))["has_proof"] == expected
    empty = ob3_credential()
    empty["proof"] = []
    assert one_ob3(tmp_path, empty)["has_proof"] == "N"


# --------------------------------------------------------------------------- file shapes


def test_array_file_numbers_records(tmp_path: Path) -> None:
    creds = [ob3_credential(credential_id=f"urn:uuid:c-{i}", achievement_type=t)
             for i, t in enumerate(["Badge", "License", "Course"])]
    rows = ob3_rows(write_json(tmp_path, "batch.json", creds))
    assert [(r["_line"], r["credential_id"], r["source_credential_code"]) for r in rows] == [
        (1, "urn:uuid:c-0", "Badge"), (2, "urn:uuid:c-1", "License"), (3, "urn:uuid:c-2", "Course")]


def test_empty_array_yields_no_records(tmp_path: Path) -> None:
    assert ob3_rows(write_json(tmp_path, "empty.json", [])) == []


@pytest.mark.parametrize(("types", "reason"), [
    (("VerifiableCredential", "EndorsementCredential"), f"EndorsementCredential {NOT_BADGE}"),
    (("VerifiableCredential",), f"a VerifiableCredential without a more specific type {NOT_BADGE}"),
    ((), f"an object without a type {NOT_BADGE}"),
    (("VerifiableCredential", "Person 123-45-6789"), f"an unrecognized type {NOT_BADGE}"),
    (("VerifiableCredential", "ClrCredential"),
     f"ClrCredential {NOT_BADGE} (CLR files belong in transcripts/)"),
])
def test_not_a_badge_type_is_a_record_problem(tmp_path: Path, types: tuple, reason: str) -> None:
    ctx = ctx_for(ISSUER)
    rows = ob3_rows(write_json(tmp_path, "b.json", [ob3_credential(types=types), ob3_credential()]), ctx)
    assert problem(rows[0]) == ("type", reason)
    assert problem(rows[1]) == (None, None)


def test_achievement_credential_type_as_string(tmp_path: Path) -> None:
    cred = ob3_credential()
    cred["type"] = "AchievementCredential"
    assert problem(one_ob3(tmp_path, cred)) == (None, None)


@pytest.mark.parametrize("value", ["just text", 42, None, [1, 2], [{"type": "OpenBadgeCredential"}, "x"]])
def test_top_level_not_objects_is_structural(tmp_path: Path, value) -> None:
    with pytest.raises(StructuralError):
        ob3_rows(write_json(tmp_path, "bad.json", value))


def _nested(depth: int) -> dict:
    node: dict = {"leaf": True}
    for _ in range(depth):
        node = {"n": node}
    return node


@pytest.mark.parametrize("reader", [read_ob3, read_clr])
def test_deeply_nested_json_is_structural(tmp_path: Path, reader) -> None:
    cred = ob3_credential()
    cred["credentialSubject"]["achievement"]["extra"] = _nested(100)
    value = cred if reader is read_ob3 else clr_credential([cred])
    with pytest.raises(StructuralError, match="nested deeper than 64"):
        read_rows(reader, write_json(tmp_path, "deep.json", value), ctx_for(ISSUER))


def test_recursion_deep_json_is_structural(tmp_path: Path) -> None:
    path = tmp_path / "bomb.json"
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    with pytest.raises(StructuralError, match="nested deeper"):
        ob3_rows(path)


@pytest.mark.parametrize("reader", [read_ob3, read_clr])
@pytest.mark.parametrize("text", ['{"type": ["OpenBadgeCredential"], ', "", "   \n", "{'single': 'quotes'}"])
def test_malformed_json_is_structural(tmp_path: Path, reader, text: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StructuralError):
        read_rows(reader, path, ctx_for(ISSUER))


# --------------------------------------------------------------------------- CLR specifics


def test_clr_nested_issuer_first_then_clr_issuer(tmp_path: Path) -> None:
    other = "https://partner.example.org/issuer"
    nested = [ob3_credential(issuer=other, credential_id="urn:a"), ob3_credential(issuer="https://x.example/i",
                                                                                  credential_id="urn:b")]
    directory = ProviderDirectory.from_rows([{"provider_id": "PARTNER", "badge_issuer_id": other},
                                             {"provider_id": "COLLEGE", "badge_issuer_id": ISSUER}])
    ctx = ReadContext(providers=directory, run_date=RUN_DATE)
    rows = clr_rows(write_json(tmp_path, "clr.json", clr_credential(nested)), ctx)
    assert [r["provider_id"] for r in rows] == ["PARTNER", "COLLEGE"]
    unknown = clr_rows(write_json(tmp_path, "clr2.json", clr_credential(nested, issuer="https://nope.example/")),
                       ctx_for(ISSUER))
    assert [problem(r) for r in unknown] == [UNKNOWN_ISSUER, UNKNOWN_ISSUER]


def test_clr_identity_nested_first_then_clr_subject(tmp_path: Path) -> None:
    clr_ids = [identity_object("nationalIdentityNumber", "123456789"), identity_object("studentId", "CLR-1"),
               identity_object("name", "Pat Doe")]
    nested = [ob3_credential(identifiers=[identity_object("studentId", "N-1")]), ob3_credential()]
    rows = clr_rows(write_json(tmp_path, "clr.json", clr_credential(nested, identifiers=clr_ids)))
    assert [(r["student_id"], r["ssn"], r["last_name"]) for r in rows] == [
        ("N-1", "123456789", "Doe"), ("CLR-1", "123456789", "Doe")]


def test_clr_fields_and_dates(tmp_path: Path) -> None:
    nested = ob3_credential(vc="1.1", achievement_type="AssociateDegree", expires="2030-01-01T00:00:00Z",
                            activity_start="2022-08-22T00:00:00Z", activity_end="2024-05-10T00:00:00Z")
    [row] = clr_rows(write_json(tmp_path, "clr.json", clr_credential([nested], proof=True)))
    assert row == {
        "_line": 1, "_problem_field": None, "_problem_reason": None,
        "provider_id": PROVIDER, "student_id": None, "ssn": None, "ssn_hash": None, "ssn_salt": None,
        "first_name": None, "last_name": None, "cip_code": "48.0508", "source_award_code": "AssociateDegree",
        "transcript_type": "CLR", "enrollment_start_date": "2022-08-22", "award_date": "2024-05-10",
        "award_title": "Certified Welder", "credential_id": "urn:uuid:00000000-0000-4000-8000-000000000001",
        "achievement_id": "https://issuer.example.org/achievements/welder",
        "has_proof": "Y",  # from the enclosing ClrCredential
        "expires_on": "2030-01-01",
        # the sample proof (tests/badge_samples.py PROOF) is not a real signature; the nested
        # credential has none of its own, so it takes its ClrCredential's verdict
        "proof_status": "INVALID",
        "proof_reason": "no proof of its own; the enclosing credential's proof covers it: the proofValue "
                        "is not a 64-byte Ed25519 signature",
    }


def test_clr_without_nested_credentials_yields_nothing(tmp_path: Path) -> None:
    ctx = ctx_for(ISSUER)
    assert clr_rows(write_json(tmp_path, "clr.json", clr_credential([])), ctx) == []
    assert ctx.warnings == ["1 ClrCredential(s) hold no nested credentials"]


def test_clr_array_numbers_records_across_clrs(tmp_path: Path) -> None:
    clrs = [clr_credential([ob3_credential(credential_id="urn:1"), ob3_credential(credential_id="urn:2")]),
            clr_credential([ob3_credential(credential_id="urn:3")])]
    rows = clr_rows(write_json(tmp_path, "clrs.json", clrs))
    assert [(r["_line"], r["credential_id"]) for r in rows] == [(1, "urn:1"), (2, "urn:2"), (3, "urn:3")]


def test_clr_nested_non_badge_and_non_object(tmp_path: Path) -> None:
    nested = [ob3_credential(types=("VerifiableCredential", "EndorsementCredential")), "eyJhbGciOi.x.y",
              ob3_credential()]
    rows = clr_rows(write_json(tmp_path, "clr.json", clr_credential(nested)))
    assert problem(rows[0]) == ("type", f"EndorsementCredential {NOT_BADGE}")
    assert problem(rows[1])[0] == "type" and "not a JSON object" in problem(rows[1])[1]
    assert rows[1]["transcript_type"] == "CLR" and rows[1]["credential_id"] is None
    assert problem(rows[2]) == (None, None)


@pytest.mark.parametrize("value", [ob3_credential(), {"type": "Clr"}, [clr_credential([]), ob3_credential()],
                                   "text", [1]])
def test_clr_non_clr_is_structural(tmp_path: Path, value) -> None:
    with pytest.raises(StructuralError, match="ClrCredential"):
        clr_rows(write_json(tmp_path, "x.json", value))


# --------------------------------------------------------------------------- no values in messages


SECRETS = ["987-65-4321", "987654321", "Zebediah", "Quackenbush", "STU-SECRET-42", "urn:uuid:secret-cred",
           "2011-11-11", "https://secret-issuer.example/x", "SecretTitle"]


def _secret_credential(types: tuple[str, ...] = ("VerifiableCredential", "OpenBadgeCredential")) -> dict:
    return ob3_credential(
        types=types, issuer=SECRETS[7], credential_id=SECRETS[5], name=SECRETS[8],
        issued="2011-11-11T00:00:00Z", expires="2011-11-11T00:00:00Z", activity_start=None, activity_end=None,
        ach=achievement(None, name=SECRETS[8], achievement_id=SECRETS[5]),
        identifiers=[identity_object("nationalIdentityNumber", SECRETS[0]),
                     identity_object("studentId", "sha256$" + SECRETS[1], hashed=True),
                     identity_object("name", f"{SECRETS[2]} {SECRETS[3]}"),
                     identity_object("sisSourcedId", SECRETS[4])])


def _assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"file value leaked into message: {text!r}"


def test_no_file_value_in_structural_errors(tmp_path: Path) -> None:
    cred = _secret_credential()
    deep = _secret_credential()
    deep["credentialSubject"]["achievement"]["x"] = _nested(100)
    cases = [
        (read_ob3, json.dumps(cred)[:-20]),                                # malformed
        (read_ob3, json.dumps(deep)),                                      # too deep
        (read_ob3, json.dumps(SECRETS[0])),                                # top-level string
        (read_ob3, json.dumps([cred, SECRETS[2]])),                        # array with a non-object
        (read_clr, json.dumps(cred)),                                      # OB file in transcripts/
        (read_clr, json.dumps([clr_credential([cred]), {"type": SECRETS[3]}])),
        (read_clr, '{"name": "' + SECRETS[2] + '", ]'),
    ]
    for i, (reader, text) in enumerate(cases):
        path = tmp_path / f"case{i}.json"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(StructuralError) as info:
            read_rows(reader, path, ctx_for(ISSUER))
        _assert_no_secret(str(info.value))


def test_no_file_value_in_warnings_or_problem_reasons(tmp_path: Path) -> None:
    # a type with digits in it is never echoed (letters-only type names are, as "<Type> is not ...")
    creds = [_secret_credential(), _secret_credential(("VerifiableCredential", "Cred" + SECRETS[1]))]
    ctx = ctx_for(ISSUER)
    rows = ob3_rows(write_json(tmp_path, "s.json", creds), ctx)
    clr = clr_credential(creds + [SECRETS[0]], issuer=SECRETS[7], achievements=[achievement(name=SECRETS[8])])
    rows += clr_rows(write_json(tmp_path, "c.json", clr), ctx)
    assert len(ctx.warnings) >= 4  # expired, no achievementType, hashed ids ignored, unawarded achievements
    for text in ctx.warnings + [r["_problem_reason"] or "" for r in rows]:
        _assert_no_secret(text)
