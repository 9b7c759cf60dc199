"""Consent (reference/consent*.csv, docs/submission_manual.md §2.5): keyed at ingestion, the latest
effective_date on or before the run date per (person, scope) holds (ties: later file, then line), and
the aggregate outcome tables do not depend on it.

The end-to-end part runs once per session (`consent_run`, shared with tests/test_learner_records.py):
a copy of the hand-built state (`rules_run`) plus consent files, a badge provider whose issuer is a
did:key, and one signed badge file holding a VERIFIED and an INVALID credential, through `ler run`."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from dagster_project.identity import person_key
from dagster_project.landing.ingest import ingest_kind
from dagster_project.settings import Settings
from tests.badge_samples import identity_object, ob3_credential
from tests.support.pipeline import TEST_KEY, ler_run, query
from tests.support.scenarios import Scenario, build_once, copy_scenario
from tests.test_credentials_proofs import KEY, signed

# learners of the hand-built state (tests/test_outcome_rules.py), by the SSN its transcripts carry
GRANTED_BOTH = "100111002"  # LER_EXPORT and EMPLOYMENT_SUMMARY granted
REVOKED_LATER = "100111003"  # granted 2024-01-01, revoked 2025-06-01
FUTURE_ONLY = "100111016"  # granted from 2099-01-01: not in force yet
TIE_REVOKED = "100111017"  # granted and revoked on the same day; the later file revokes
GRANTED_ONLY = "100111063"  # LER_EXPORT granted, no employment summary
CONSENT_FILES = {
    "consent_20250801.csv": [
        ("100-11-1002", "LER_EXPORT", "GRANTED", "2024-01-01"),
        (GRANTED_BOTH, "employment_summary", "granted", "2024-01-01"),
        (REVOKED_LATER, "LER_EXPORT", "GRANTED", "2024-01-01"),
        (REVOKED_LATER, "LER_EXPORT", "REVOKED", "2025-06-01"),
        (FUTURE_ONLY, "LER_EXPORT", "GRANTED", "2099-01-01"),
        (TIE_REVOKED, "LER_EXPORT", "GRANTED", "2025-02-01"),
        (GRANTED_ONLY, "LER_EXPORT", "GRANTED", "2025-02-01"),
    ],
    "consent_20250901.csv": [(TIE_REVOKED, "LER_EXPORT", "REVOKED", "2025-02-01")],
}
BADGE_PROVIDER = "BADGES"
VALID_BADGE_ID = "urn:uuid:00000000-0000-4000-8000-0000000000a1"
INVALID_BADGE_ID = "urn:uuid:00000000-0000-4000-8000-0000000000a2"


def key_of(ssn: str) -> str:
    return person_key(TEST_KEY, ssn, None, None, None)[0]


def consent_csv(rows: list[tuple[str, ...]]) -> str:
    return "ssn,scope,status,effective_date\n" + "".join(",".join(r) + "\n" for r in rows)


def add_consent_state(landing: Path) -> None:
    """Consent files, a did:key badge issuer, and a badge file with one good and one tampered badge."""
    for name, rows in CONSENT_FILES.items():
        (landing / "reference" / name).write_text(consent_csv(rows), encoding="utf-8")
    (landing / "reference" / "providers_badges_20250802.csv").write_text(
        f"provider_id,provider_name,provider_type,badge_issuer_id\n{BADGE_PROVIDER},Badge Academy,CERT_BODY,"
        f"{KEY.did}\n", encoding="utf-8")
    ids = [identity_object("nationalIdentityNumber", GRANTED_BOTH), identity_object("name", "Luisa Nguyena")]
    good = signed(ob3_credential(issuer=KEY.did, identifiers=ids, credential_id=VALID_BADGE_ID))
    bad = signed(ob3_credential(issuer=KEY.did, identifiers=ids, achievement_type="License",
                                credential_id=INVALID_BADGE_ID))
    bad["credentialSubject"]["activityEndDate"] = "2024-06-30T00:00:00Z"  # changed after signing
    (landing / "noncredit").mkdir(exist_ok=True)
    (landing / "noncredit" / "badges_20250815.json").write_text(json.dumps([good, bad]), encoding="utf-8")


@pytest.fixture(scope="session")
def consent_run(rules_run: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """The hand-built state plus consent and signed badges, through `ler run` (the one e2e run added)."""

    def build(s: Scenario) -> None:
        copy_scenario(rules_run, s.root)
        add_consent_state(s.landing)
        proc = ler_run(s.landing, s.warehouse)
        s.record_output(proc.stdout, proc.stderr)

    return build_once(tmp_path_factory, "consent", build)


# --------------------------------------------------------------------------- ingestion (no pipeline)


def test_consent_rows_are_keyed_and_judged_at_ingestion(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / "reference").mkdir(parents=True)
    (landing / "reference" / "providers.csv").write_text(
        "provider_id,provider_name,provider_type\nP1,Provider,NONCREDIT\n", encoding="utf-8")
    rows = [("100-11-1002", "LER_EXPORT", "GRANTED", "2024-01-01"),
            ("100111002", "employment_summary", "revoked", "03/04/2025")] * 5
    rows += [("000111002", "LER_EXPORT", "GRANTED", "2024-01-01")]  # invalid SSN: rejected
    (landing / "reference" / "consent_20250101.csv").write_text(consent_csv(rows), encoding="utf-8")
    settings = Settings.load({"landing_dir": landing, "warehouse_dir": tmp_path / "wh", "hash_key": TEST_KEY},
                             environ={})
    report = ingest_kind("reference", settings, warn=lambda _m: None)
    [result] = [r for r in report.files if r.file.name.startswith("consent")]
    assert (result.status, result.counts.rows_loaded, result.counts.rows_rejected,
            result.counts.rows_duplicate) == ("LOADED_WITH_REJECTS", 2, 1, 8)
    lake = tmp_path / "wh" / "lake"
    con = duckdb.connect()
    got = con.execute("select person_key, is_ssn_key, scope, status, effective_date::varchar from "
                      f"read_parquet('{lake}/consent/*.parquet') order by line_number").fetchall()
    assert got == [(key_of("100111002"), True, "LER_EXPORT", "GRANTED", "2024-01-01"),
                   (key_of("100111002"), True, "EMPLOYMENT_SUMMARY", "REVOKED", "2025-03-04")]
    [(field, reason, record)] = con.execute(
        f"select field, reason, record from read_parquet('{lake}/_audit/rejected_rows__reference.parquet')"
    ).fetchall()
    assert (field, reason) == ("ssn", "ssn: not a valid SSN")
    assert "000111002" not in record and "<redacted>" in record
    columns = {r[0] for r in con.execute(f"describe select * from read_parquet('{lake}/consent/*.parquet')")
               .fetchall()}
    assert "ssn" not in columns


# --------------------------------------------------------------------------- end to end


@pytest.mark.e2e
def test_the_consent_in_force_per_person_and_scope(consent_run: Scenario) -> None:
    got = {(k, scope): status for k, scope, status in query(
        consent_run.db, "select person_key, scope, status from intermediate.int_learners__consent")}
    assert got == {
        (key_of(GRANTED_BOTH), "LER_EXPORT"): "GRANTED",
        (key_of(GRANTED_BOTH), "EMPLOYMENT_SUMMARY"): "GRANTED",
        (key_of(REVOKED_LATER), "LER_EXPORT"): "REVOKED",  # the latest effective date wins
        (key_of(TIE_REVOKED), "LER_EXPORT"): "REVOKED",  # same date: the later file wins
        (key_of(GRANTED_ONLY), "LER_EXPORT"): "GRANTED",
        # FUTURE_ONLY: its only row is after the run date, so nothing is in force
    }


@pytest.mark.e2e
@pytest.mark.parametrize("table", ["wpell_program_outcomes", "program_outcomes", "statewide_outcomes"])
def test_aggregate_outcome_tables_do_not_depend_on_consent(rules_run: Scenario, consent_run: Scenario,
                                                            table: str) -> None:
    sql = f"select * from marts.{table} order by all"
    assert query(consent_run.db, sql) == query(rules_run.db, sql)
    assert query(consent_run.published, f"select * from reporting.{table} order by all") == query(
        rules_run.published, f"select * from reporting.{table} order by all")


@pytest.mark.e2e
def test_proofs_of_the_badge_file_in_manifest_and_warehouse(consent_run: Scenario) -> None:
    [(status, message)] = query(consent_run.db, "select status, message from audit.load_manifest "
                                                "where file_name = 'badges_20250815.json'")
    assert (status, message) == ("LOADED", "proof status (checked offline): 1 VERIFIED, 1 INVALID")
    rows = query(consent_run.db, "select credential_id, proof_status, proof_reason, record_date::varchar, "
                                 "award_date::varchar from intermediate.int_education__records "
                                 "where provider_id = ? order by credential_id", [BADGE_PROVIDER])
    assert rows == [
        (VALID_BADGE_ID, "VERIFIED", "eddsa-rdfc-2022 signature checks with the did:key of its "
                                     "verificationMethod", "2024-04-30", "2024-04-30"),
        # INVALID: kept with its date, but not an award (LER_COUNT_INVALID_PROOFS is off)
        (INVALID_BADGE_ID, "INVALID", "eddsa-rdfc-2022 signature does not match the document and the key "
                                      "its verificationMethod names", "2024-06-30", None),
    ]
    assert query(consent_run.db, "select severity, n_records from marts.dq_issues "
                                 "where error_code = 'INVALID_PROOF' and provider_id = ?",
                 [BADGE_PROVIDER]) == [("WARNING", 1)]
