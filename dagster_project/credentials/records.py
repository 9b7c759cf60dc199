"""A learner's record: a CLR 2.0 `ClrCredential` issued and signed by the state (docs/learner_records.md).

One nested OB 3.0 `AchievementCredential` per credential the warehouse holds for the learner, credit
and noncredit alike, each carrying its place in the shared dictionary (docs/submission_manual.md
§3): the credential level, its CTDL class and the CIP code as `alignment`s, the provider as the
achievement's `creator`. The state is the issuer of the record and of every nested credential (the
record says what the state's warehouse holds; where it came from is each credential's `evidence`),
and signs each nested credential and then the record with `eddsa-rdfc-2022` and its did:key, so any
nested credential, taken out of the record, still verifies on its own.

The learner is identified as OB 3.0 describes, by an `IdentityObject` with `hashed: true`: the
`identityHash` is `sha256$` + sha256(person_key + salt) with a fresh random salt per record, the
`identityType` `systemId` (the state's own id). Never the SSN, not even hashed: an SSN has only 10^9
values, so a salted SHA-256 of one is reversed in seconds by trying them all; the person key is an
HMAC under the state's secret and cannot be. The state can recognize its own records (it knows the
person keys); nobody else can link two records of one learner. No name, birth date or local id is
in the record: the warehouse keeps none.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dagster_project.credentials.issuer import IssuerKey, IssuerProfile
from dagster_project.credentials.proofs import sign

VC2 = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
DICTIONARY_FRAMEWORK = "State LER credential dictionary"
CIP_FRAMEWORK = "CIP 2020"
CTDL_FRAMEWORK = "Credential Transparency Description Language (CTDL)"
# Fixed namespace of the record's nested credential ids: uuid5(namespace, record key + issue time).
RECORD_NAMESPACE = uuid.UUID("8f5b3c1e-6a2d-4f57-9b0e-2d4c6f1a9e73")
EMPLOYED_Q2 = "urn:ler:result:employed_q2"


@dataclass(frozen=True)
class LearnerCredential:
    """One credential of the learner as the warehouse holds it (no PII: keys and codes only)."""

    record_key: str  # stable id of the warehouse record (not a local learner id)
    provider_id: str
    provider_name: str | None
    provider_issuer_id: str | None  # the provider's badge_issuer_id, when it has one
    program_id: str | None
    program_name: str | None
    title: str | None  # the award title / credential name as submitted
    credit_type: str | None
    credential_level: str | None
    level_description: str | None
    ctdl_class: str | None
    ob3_achievement_type: str | None
    cip_code: str | None
    start_date: date | None
    award_date: date
    source_format: str
    proof_status: str | None  # of the submitted Open Badge / CLR, None for other formats
    employed_q2: bool | None = None  # employed in quarter(award) + 2; None when not observed


def hashed_identifier(person_key: str, salt: str | None = None) -> dict[str, Any]:
    """The OB 3.0 IdentityObject of a learner: salted SHA-256 of the person key."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.sha256((person_key + salt).encode("utf-8")).hexdigest()
    return {"type": "IdentityObject", "identityType": "systemId", "hashed": True,
            "identityHash": f"sha256${digest}", "salt": salt}


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(value: date) -> str:
    return f"{value.isoformat()}T00:00:00Z"


def _provider(c: LearnerCredential) -> dict[str, Any]:
    profile: dict[str, Any] = {"id": c.provider_issuer_id or f"urn:ler:provider:{c.provider_id}",
                               "type": ["Profile"], "name": c.provider_name or c.provider_id}
    return profile


def _alignments(c: LearnerCredential) -> list[dict[str, Any]]:
    out = []
    if c.credential_level:
        out.append({"type": ["Alignment"], "targetName": c.level_description or c.credential_level,
                    "targetCode": c.credential_level, "targetFramework": DICTIONARY_FRAMEWORK,
                    "targetType": "ext:CredentialLevel",
                    "targetUrl": f"urn:ler:credential-level:{c.credential_level}"})
    if c.ctdl_class:
        term = c.ctdl_class.split(":", 1)[-1]
        out.append({"type": ["Alignment"], "targetName": term, "targetCode": c.ctdl_class,
                    "targetFramework": CTDL_FRAMEWORK, "targetType": "CTDL",
                    "targetUrl": f"https://credreg.net/ctdl/terms/{term}"})
    if c.cip_code:
        out.append({"type": ["Alignment"], "targetName": f"CIP {c.cip_code}", "targetCode": c.cip_code,
                    "targetFramework": CIP_FRAMEWORK, "targetType": "ext:CIP",
                    "targetUrl": f"https://nces.ed.gov/ipeds/cipcode/cipdetail.aspx?y=56&cipid={c.cip_code}"})
    return out


def _achievement(c: LearnerCredential, with_employment: bool) -> dict[str, Any]:
    name = c.title or c.program_name or c.level_description or "Credential"
    kind = "credit" if c.credit_type == "CREDIT" else "noncredit"
    achievement: dict[str, Any] = {
        "id": f"urn:ler:achievement:{c.provider_id}:{c.program_id or c.record_key}",
        "type": ["Achievement"],
        "achievementType": c.ob3_achievement_type or "Achievement",
        "name": name,
        "description": f"A {kind} credential ({c.level_description or 'not in the state dictionary'}) "
                       f"awarded by {c.provider_name or c.provider_id}.",
        "criteria": {"narrative": "Awarded by the provider and reported to the state's LER warehouse."},
        "creator": _provider(c),
        "alignment": _alignments(c),
    }
    if c.program_name:
        achievement["fieldOfStudy"] = c.program_name
    if with_employment and c.employed_q2 is not None:
        achievement["resultDescription"] = [{
            "id": EMPLOYED_Q2, "type": ["ResultDescription"], "resultType": "Status",
            "name": "Employed in the second quarter after completion (state UI wage records)",
            "allowedValue": ["Yes", "No"],
        }]
    return achievement


def _evidence(c: LearnerCredential) -> list[dict[str, Any]]:
    reported = {"csv": "a CSV extract", "pesc_xml": "a PESC College Transcript", "clr_json": "a CLR 2.0",
                "ob3_json": "an Open Badges 3.0 credential"}.get(c.source_format, c.source_format)
    narrative = f"Reported to the state by {c.provider_name or c.provider_id} in {reported}"
    if c.proof_status:
        narrative += f"; the submitted credential's proof was {c.proof_status} when it was loaded"
    return [{"type": ["Evidence"], "name": "Source of this record", "narrative": narrative + "."}]


def achievement_credential(
    c: LearnerCredential, subject_identifier: dict[str, Any], issuer: dict[str, Any], issued_at: datetime,
    with_employment: bool,
) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [subject_identifier],
        "achievement": _achievement(c, with_employment),
        "activityEndDate": _day(c.award_date),
    }
    if c.start_date:
        subject["activityStartDate"] = _day(c.start_date)
    if with_employment and c.employed_q2 is not None:
        subject["result"] = [{"type": ["Result"], "resultDescription": EMPLOYED_Q2,
                              "value": "Yes" if c.employed_q2 else "No"}]
    return {
        "@context": [VC2, OB_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid5(RECORD_NAMESPACE, c.record_key + '|' + _timestamp(issued_at))}",
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": subject["achievement"]["name"],
        "issuer": issuer,
        "validFrom": _timestamp(issued_at),
        "credentialSubject": subject,
        "evidence": _evidence(c),
    }


def learner_record(
    person_key: str,
    credentials: Sequence[LearnerCredential],
    key: IssuerKey,
    profile: IssuerProfile,
    issued_at: datetime,
    with_employment: bool = False,
    salt: str | None = None,
) -> dict[str, Any]:
    """The signed ClrCredential of one learner. `with_employment`: the learner consented to
    EMPLOYMENT_SUMMARY, so each credential carries its employed-in-quarter-2 result."""
    identifier = hashed_identifier(person_key, salt)
    issuer = profile.as_json(key)
    created = _timestamp(issued_at)
    nested = [sign(achievement_credential(c, identifier, issuer, issued_at, with_employment),
                   key.seed, key.verification_method, created)
              for c in sorted(credentials, key=lambda c: (c.award_date, c.provider_id, c.record_key))]
    record = {
        "@context": [VC2, CLR_CONTEXT, OB_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": "Learning and Employment Record",
        "description": f"The credentials {profile.name} holds for this learner, credit and noncredit, "
                       "each placed in the state's credential dictionary.",
        "issuer": issuer,
        "validFrom": created,
        "credentialSubject": {"type": ["ClrSubject"], "identifier": [identifier],
                              "verifiableCredential": nested},
    }
    return sign(record, key.seed, key.verification_method, created)


def nested_count(record: dict[str, Any]) -> int:
    return len(record["credentialSubject"]["verifiableCredential"])


def award_rows(rows: Iterable[dict[str, Any]]) -> list[LearnerCredential]:
    """LearnerCredentials from warehouse rows named like the dataclass fields (extra columns ignored)."""
    names = LearnerCredential.__dataclass_fields__.keys()
    return [LearnerCredential(**{n: r.get(n) for n in names}) for r in rows]
