"""Learner records (dagster_project/credentials/records.py, cli/learner_record.py): the state's signed
CLR 2.0 record passes the 1EdTech schema and `ler verify`, tampering is caught, the learner is a salted
hash (never an SSN), consent decides who gets one, and no command prints an SSN, name or birth date.

The record builder is tested on hand-made warehouse rows; the commands on a copy of the session's
hand-built run (tests/conftest.py `rules_run`) with consent rows added to its warehouse."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from dagster_project import cli
from dagster_project.credentials.issuer import IssuerProfile, generate, write_key_file
from dagster_project.credentials.proofs import INVALID, VERIFIED, check_document
from dagster_project.credentials.records import LearnerCredential, hashed_identifier, learner_record
from dagster_project.credentials.schema import CLR_SCHEMA, check_schema
from dagster_project.credentials.verify import verify_credential
from tests import test_consent
from tests.support.pii import collect_person_data, scan_outputs
from tests.support.pipeline import TEST_KEY, ler_command, ler_environ
from tests.support.scenarios import Scenario, copy_scenario
from tests.test_consent import (
    FUTURE_ONLY,
    GRANTED_BOTH,
    GRANTED_ONLY,
    INVALID_BADGE_ID,
    REVOKED_LATER,
    TIE_REVOKED,
    VALID_BADGE_ID,
    consent_csv,
    key_of,
)
from tests.test_credentials_proofs import KEY

PERSON = "3f" * 32
ISSUED = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
PROFILE = IssuerProfile("State of Example")
CREDIT = LearnerCredential(
    record_key="transcripts|1|2", provider_id="PVCC", provider_name="Piedmont Valley CC",
    provider_issuer_id="https://pvcc.example.edu/issuer", program_id="WELD-AAS",
    program_name="Welding Technology",
    title="AAS Welding Technology", credit_type="CREDIT", credential_level="ASSOC",
    level_description="Associate degree (IPEDS 3)", ctdl_class="ceterms:AssociateDegree",
    ob3_achievement_type="AssociateDegree", cip_code="48.0508", start_date=date(2021, 8, 20),
    award_date=date(2023, 5, 12), source_format="csv", proof_status=None, employed_q2=True)
NONCREDIT = LearnerCredential(
    record_key="noncredit|3|1", provider_id="TCAA", provider_name="Tri-County Apprenticeship Alliance",
    provider_issuer_id=None, program_id=None, program_name=None, title="Inside Wireman Apprenticeship",
    credit_type="NONCREDIT", credential_level="APPRENTICESHIP",
    level_description="Registered apprenticeship certificate", ctdl_class="ceterms:ApprenticeshipCertificate",
    ob3_achievement_type="ApprenticeshipCertificate", cip_code="46.0302", start_date=None,
    award_date=date(2024, 8, 30), source_format="ob3_json", proof_status=VERIFIED, employed_q2=None)


def record(**kwargs) -> dict:
    return learner_record(PERSON, [NONCREDIT, CREDIT], KEY, PROFILE, ISSUED, **kwargs)


def nested(rec: dict) -> list[dict]:
    return rec["credentialSubject"]["verifiableCredential"]


# --------------------------------------------------------------------------- the record itself


def test_issue_then_verify_round_trip() -> None:
    report = verify_credential(record(with_employment=True), ISSUED)
    assert report.passes, report.failures()
    assert report.proof.status == VERIFIED
    assert [n.proof.status for n in report.nested] == [VERIFIED, VERIFIED]
    assert {c.name: c.message for c in report.checks}["issuer"] == "signed with the issuer's own did:key"


def test_the_record_passes_the_1edtech_schemas() -> None:
    rec = record(with_employment=True)
    assert check_schema(rec, CLR_SCHEMA).problems == ()
    for inner in nested(rec):
        result = check_schema(inner)
        assert (result.schema, result.problems) == ("ob_v3p0_achievementcredential_schema.json", ())


def test_each_credential_carries_its_dictionary_class_and_provider() -> None:
    first, second = nested(record())  # ordered by award date
    achievement = first["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "AssociateDegree"
    assert {a["targetFramework"]: a["targetCode"] for a in achievement["alignment"]} == {
        "State LER credential dictionary": "ASSOC",
        "Credential Transparency Description Language (CTDL)": "ceterms:AssociateDegree",
        "CIP 2020": "48.0508",
    }
    assert achievement["creator"] == {"id": "https://pvcc.example.edu/issuer", "type": ["Profile"],
                                      "name": "Piedmont Valley CC"}
    assert first["credentialSubject"]["activityEndDate"] == "2023-05-12T00:00:00Z"
    assert second["credentialSubject"]["achievement"]["creator"]["id"] == "urn:ler:provider:TCAA"
    assert "proof was VERIFIED" in second["evidence"][0]["narrative"]
    assert {first["issuer"]["id"], second["issuer"]["id"]} == {KEY.did}


def test_a_nested_credential_verifies_on_its_own() -> None:
    inner = nested(record())[0]
    assert verify_credential(inner, ISSUED).passes


@pytest.mark.parametrize("where", ["outer", "nested"])
def test_tampering_with_the_record_is_caught(where: str) -> None:
    rec = record()
    if where == "outer":
        rec["name"] = "Forged record"
    else:
        nested(rec)[1]["credentialSubject"]["achievement"]["alignment"][0]["targetCode"] = "DOCT"
    report = verify_credential(rec, ISSUED)
    assert not report.passes
    if where == "outer":
        assert report.proof.status == INVALID
    else:
        # the outer proof covers the nested one, and the nested one's own proof fails too
        assert report.proof.status == INVALID and report.nested[1].proof.status == INVALID


def test_the_learner_is_a_salted_hash_of_the_person_key() -> None:
    rec = record()
    [identifier] = rec["credentialSubject"]["identifier"]
    assert identifier["hashed"] is True and identifier["identityType"] == "systemId"
    salt = identifier["salt"]
    assert identifier["identityHash"] == "sha256$" + hashlib.sha256((PERSON + salt).encode()).hexdigest()
    assert PERSON not in json.dumps(rec)
    assert all(n["credentialSubject"]["identifier"] == [identifier] for n in nested(rec))
    assert hashed_identifier(PERSON)["salt"] != hashed_identifier(PERSON)["salt"]  # unlinkable records


def test_employment_result_only_with_employment_consent() -> None:
    without, with_summary = record(), record(with_employment=True)
    assert "result" not in json.dumps(without)
    credit = nested(with_summary)[0]["credentialSubject"]
    assert credit["result"] == [{"type": ["Result"], "resultDescription": "urn:ler:result:employed_q2",
                                 "value": "Yes"}]
    assert "result" not in nested(with_summary)[1]["credentialSubject"]  # quarter not observed


def test_signatures_use_eddsa_rdfc_2022_and_the_key_did() -> None:
    rec = record()
    for doc in [rec, *nested(rec)]:
        assert doc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        assert doc["proof"]["verificationMethod"] == KEY.verification_method
        assert check_document(doc).status == VERIFIED


# --------------------------------------------------------------------------- the commands, end to end

consent_run = test_consent.consent_run  # the session's consent scenario (one `ler run`)
STATE = generate()


@pytest.fixture(scope="module")
def state_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("state-key") / "issuer.json"
    write_key_file(path, STATE)
    return path


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, consent_run: Scenario, state_key_file: Path) -> Scenario:
    for name in [n for n in os.environ if n.startswith("LER_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("LER_HASH_KEY", TEST_KEY)
    monkeypatch.setenv("LER_WAREHOUSE_DIR", str(consent_run.warehouse))
    monkeypatch.setenv("LER_ISSUER_KEY_FILE", str(state_key_file))
    monkeypatch.setenv("LER_ISSUER_NAME", "State of Example")
    return consent_run


class Outputs:
    """Everything the commands printed in one test, scanned for person data at the end."""

    def __init__(self) -> None:
        self.text = ""

    def run(self, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, *argv: str,
            stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        self.text += out + err
        assert "Traceback" not in out + err
        return code, out, err


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """Where a test writes records: scanned for person data with everything the commands printed."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def outputs(env: Scenario, out_dir: Path):
    found = Outputs()
    yield found
    data = collect_person_data(env.landing)
    assert data.ssns and data.names and data.birth_dates
    assert scan_outputs(out_dir, data, found.text) == []


def learner_record_of(capsys, monkeypatch, outputs: Outputs, ssn: str) -> tuple[int, str, str]:
    return outputs.run(capsys, monkeypatch, "learner-record", "--ssn-stdin", stdin=f"{ssn}\n")


@pytest.mark.e2e
def test_an_issued_record_verifies_offline(capsys, monkeypatch, outputs: Outputs, out_dir: Path) -> None:
    out_file = out_dir / "record.json"
    code, _, err = outputs.run(capsys, monkeypatch, "learner-record", "--ssn-stdin", "--out", str(out_file),
                               stdin="100-11-1002\n")
    assert code == cli.EXIT_OK, err
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    code, out, _ = outputs.run(capsys, monkeypatch, "verify", str(out_file))
    assert code == cli.EXIT_OK, out
    assert out.splitlines()[0].startswith("record.json: PASS (ClrCredential")
    assert "  schema ok: clr_v2p0_clrcredential_schema.json" in out.splitlines()
    rec = json.loads(out_file.read_text())
    assert rec["issuer"] == {"id": STATE.did, "type": ["Profile"], "name": "State of Example"}
    inner = nested(rec)
    # the transcript award and the VERIFIED badge; never the INVALID badge
    assert [(n["credentialSubject"]["achievement"]["creator"]["name"],
             n["credentialSubject"]["activityEndDate"][:10]) for n in inner] == [
        ("COLL College", "2021-12-15"), ("Badge Academy", "2024-04-30")]
    assert INVALID_BADGE_ID not in json.dumps(rec) and VALID_BADGE_ID not in json.dumps(rec)
    weld, badge_ = (n["credentialSubject"] for n in inner)
    assert weld["achievement"]["achievementType"] == "Certificate"  # CERT_LT1
    assert weld["result"][0]["value"] in ("Yes", "No")  # EMPLOYMENT_SUMMARY granted, quarter observed
    assert "result" not in badge_  # 2024-06 is after the hand-built state's wage data
    [identifier] = rec["credentialSubject"]["identifier"]
    assert identifier["identityHash"] == "sha256$" + hashlib.sha256(
        (key_of(GRANTED_BOTH) + identifier["salt"]).encode()).hexdigest()


@pytest.mark.e2e
def test_the_same_learner_by_ssn_file_and_by_person_key(capsys, monkeypatch, outputs: Outputs,
                                                       tmp_path: Path) -> None:
    ssn_file = tmp_path / "ssn.txt"
    ssn_file.write_text(f"  {GRANTED_BOTH}  \n")
    by_file = outputs.run(capsys, monkeypatch, "learner-record", "--ssn-file", str(ssn_file))
    by_key = outputs.run(capsys, monkeypatch, "learner-record", "--person-key", key_of(GRANTED_BOTH))
    for code, out, _ in (by_file, by_key):
        assert code == cli.EXIT_OK
        assert nested_count_of(out) == 2


def nested_count_of(out: str) -> int:
    return len(json.loads(out)["credentialSubject"]["verifiableCredential"])


@pytest.mark.e2e
def test_employment_summary_needs_its_own_consent(capsys, monkeypatch, outputs: Outputs) -> None:
    code, out, _ = learner_record_of(capsys, monkeypatch, outputs, GRANTED_ONLY)
    assert code == cli.EXIT_OK
    assert '"result"' not in out and "resultDescription" not in out


@pytest.mark.e2e
@pytest.mark.parametrize("ssn", [REVOKED_LATER, TIE_REVOKED, FUTURE_ONLY])
def test_no_record_without_consent_in_force(capsys, monkeypatch, outputs: Outputs, ssn: str) -> None:
    code, out, err = learner_record_of(capsys, monkeypatch, outputs, ssn)
    assert (code, out) == (cli.EXIT_FAILED, "")
    assert err == ("ler learner-record: no record issued: the learner's LER_EXPORT consent is not in force "
                   "as of the last run\n")


@pytest.mark.e2e
def test_a_revocation_takes_effect_from_the_next_run(capsys, monkeypatch, env: Scenario, outputs: Outputs,
                                                     tmp_path: Path) -> None:
    copy = copy_scenario(env, tmp_path / "copy")
    (copy.landing / "reference" / "consent_20251201.csv").write_text(
        consent_csv([(GRANTED_BOTH, "LER_EXPORT", "REVOKED", "2025-01-01")]), encoding="utf-8")
    monkeypatch.setenv("LER_WAREHOUSE_DIR", str(copy.warehouse))
    # the file has landed but no run has loaded it: the last run's consent still holds
    code, _, _ = learner_record_of(capsys, monkeypatch, outputs, GRANTED_BOTH)
    assert code == cli.EXIT_OK
    # what the next run will hold, as REVOKED_LATER shows: a revocation loaded by a run stops records


@pytest.mark.e2e
def test_learner_not_found(capsys, monkeypatch, outputs: Outputs) -> None:
    code, _, err = learner_record_of(capsys, monkeypatch, outputs, "219-09-9999")
    assert (code, err) == (cli.EXIT_FAILED, "ler learner-record: learner not found: the warehouse holds no "
                                            "credential for this learner\n")


@pytest.mark.e2e
def test_records_for_every_consenting_learner(capsys, monkeypatch, outputs: Outputs, out_dir: Path) -> None:
    folder = out_dir / "records"
    code, out, _ = outputs.run(capsys, monkeypatch, "learner-records", "--out", str(folder))
    assert code == cli.EXIT_OK
    assert out.startswith(f"ler learner-records: wrote 2 record(s) to {folder}, signed by {STATE.did}")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{key_of(ssn)}.json" for ssn in (GRANTED_BOTH, GRANTED_ONLY))
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert verify_credential(json.loads(path.read_text())).passes


@pytest.mark.e2e
@pytest.mark.parametrize(("stdin", "message"), [
    ("123\n", "the SSN given is not a valid SSN (9 digits, dashes allowed; SSA rules)"),
    ("000-11-1002\n", "the SSN given is not a valid SSN (9 digits, dashes allowed; SSA rules)"),
    ("100111002\n100111003\n", "standard input must hold exactly one SSN on one line"),
    ("", "standard input must hold exactly one SSN on one line"),
    ("1" * 500, "standard input must hold exactly one SSN on one line"),
])
def test_bad_ssn_input_is_one_plain_line(capsys, monkeypatch, outputs: Outputs, stdin: str,
                                         message: str) -> None:
    code, out, err = outputs.run(capsys, monkeypatch, "learner-record", "--ssn-stdin", stdin=stdin)
    assert (code, out, err) == (cli.EXIT_USAGE, "", f"ler learner-record: {message}\n")


@pytest.mark.e2e
def test_key_and_warehouse_problems_are_one_plain_line(capsys, monkeypatch, outputs: Outputs,
                                                       tmp_path: Path) -> None:
    monkeypatch.setenv("LER_ISSUER_KEY_FILE", str(tmp_path / "missing.json"))
    code, _, err = learner_record_of(capsys, monkeypatch, outputs, GRANTED_BOTH)
    assert (code, err) == (cli.EXIT_USAGE, f"ler learner-record: issuer key file {tmp_path / 'missing.json'} "
                                           "does not exist\n")
    monkeypatch.delenv("LER_ISSUER_KEY_FILE")
    code, _, err = outputs.run(capsys, monkeypatch, "learner-records", "--out", str(tmp_path / "r"))
    assert code == cli.EXIT_USAGE
    assert err.startswith("ler learner-records: no issuer key: set LER_ISSUER_KEY_FILE")
    open_key = tmp_path / "open.json"
    write_key_file(open_key, STATE)
    open_key.chmod(0o644)
    monkeypatch.setenv("LER_ISSUER_KEY_FILE", str(open_key))
    code, _, err = learner_record_of(capsys, monkeypatch, outputs, GRANTED_BOTH)
    assert code == cli.EXIT_USAGE and "is readable by other users (mode 0644)" in err
    open_key.chmod(0o600)
    monkeypatch.setenv("LER_WAREHOUSE_DIR", str(tmp_path / "no-warehouse"))
    code, _, err = learner_record_of(capsys, monkeypatch, outputs, GRANTED_BOTH)
    missing = tmp_path / "no-warehouse" / "warehouse.duckdb"
    assert (code, err) == (cli.EXIT_USAGE, f"ler learner-record: no warehouse at {missing}: run `ler run` "
                                           "first\n")


@pytest.mark.e2e
def test_the_installed_command_reads_the_ssn_from_a_pipe(env: Scenario, state_key_file: Path) -> None:
    proc = subprocess.run(
        ler_command("learner-record", "--ssn-stdin"), input=f"{GRANTED_BOTH}\n", capture_output=True,
        text=True, timeout=120, env=ler_environ({"LER_WAREHOUSE_DIR": str(env.warehouse),
                                      "LER_ISSUER_KEY_FILE": str(state_key_file)}))
    assert proc.returncode == 0, proc.stderr
    assert nested_count_of(proc.stdout) == 2
    assert GRANTED_BOTH not in proc.stdout + proc.stderr and "Traceback" not in proc.stderr
