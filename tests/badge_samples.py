"""Builders for Open Badges 3.0 / CLR 2.0 test credentials (all values fictitious).

Each builder returns plain JSON-ready dicts with sensible defaults, so a test states only what it is
about: `ob3_credential(achievement_type="License", vc="1.1")`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dagster_project.landing.context import ProviderDirectory

ISSUER = "https://issuer.example.org/main"
PROVIDER = "EXMPL"
OB_TYPES = ("VerifiableCredential", "OpenBadgeCredential")
VC2_CONTEXT = ["https://www.w3.org/ns/credentials/v2",
               "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
VC1_CONTEXT = ["https://www.w3.org/2018/credentials/v1",
               "https://purl.imsglobal.org/spec/ob/v3p0/context.json"]
PROOF = [{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
          "proofPurpose": "assertionMethod", "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk"}]


def providers(*issuer_ids: str, provider_id: str = PROVIDER) -> ProviderDirectory:
    """A provider directory mapping each issuer id to `provider_id`."""
    rows = [{"provider_id": provider_id, "badge_issuer_id": i} for i in issuer_ids]
    return ProviderDirectory.from_rows(rows)


def identity_object(identity_type: str, value: str, *, hashed: bool = False, salt: str | None = None) -> dict:
    obj: dict[str, Any] = {"type": "IdentityObject", "identityType": identity_type, "hashed": hashed,
                           "identityHash": value}
    if salt is not None:
        obj["salt"] = salt
    return obj


def alignment(framework: str, code: str, name: str = "Aligned thing") -> dict:
    return {"type": ["Alignment"], "targetName": name, "targetCode": code, "targetFramework": framework,
            "targetUrl": "https://example.org/frameworks/item"}


def achievement(
    achievement_type: str | None = "Certification",
    *,
    name: str | None = "Certified Welder",
    achievement_id: str = "https://issuer.example.org/achievements/welder",
    alignments: list[dict] | None = None,
    cip: str | None = "48.0508",
) -> dict:
    """An Achievement; `cip` adds a "CIP 2020" alignment unless `alignments` is given."""
    ach: dict[str, Any] = {"id": achievement_id, "type": ["Achievement"],
                           "criteria": {"narrative": "Pass the practical test."}}
    if achievement_type is not None:
        ach["achievementType"] = achievement_type
    if name is not None:
        ach["name"] = name
    if alignments is None:
        alignments = [alignment("CIP 2020", cip)] if cip is not None else []
    if alignments:
        ach["alignment"] = alignments
    return ach


def ob3_credential(
    *,
    achievement_type: str | None = "Certification",
    ach: dict | None = None,
    vc: str = "2.0",
    types: tuple[str, ...] = OB_TYPES,
    issuer: str | None = ISSUER,
    issuer_as_string: bool = False,
    credential_id: str = "urn:uuid:00000000-0000-4000-8000-000000000001",
    name: str | None = "Certified Welder credential",
    issued: str | None = "2024-05-01T12:00:00Z",
    expires: str | None = None,
    activity_start: str | None = "2024-01-08T00:00:00Z",
    activity_end: str | None = "2024-04-30T00:00:00Z",
    identifiers: list[dict] | None = None,
    proof: bool = False,
) -> dict:
    """An OpenBadgeCredential; `vc="1.1"` writes issuanceDate/expirationDate, not validFrom/validUntil."""
    subject: dict[str, Any] = {"type": ["AchievementSubject"],
                               "achievement": ach if ach is not None else achievement(achievement_type)}
    if activity_start is not None:
        subject["activityStartDate"] = activity_start
    if activity_end is not None:
        subject["activityEndDate"] = activity_end
    if identifiers is not None:
        subject["identifier"] = identifiers
    cred: dict[str, Any] = {"@context": VC2_CONTEXT if vc == "2.0" else VC1_CONTEXT, "id": credential_id,
                            "type": list(types)}
    if issuer is not None:
        profile = {"id": issuer, "type": ["Profile"], "name": "Example"}
        cred["issuer"] = issuer if issuer_as_string else profile
    if name is not None:
        cred["name"] = name
    start_key, end_key = ("validFrom", "validUntil") if vc == "2.0" else ("issuanceDate", "expirationDate")
    if issued is not None:
        cred[start_key] = issued
    if expires is not None:
        cred[end_key] = expires
    cred["credentialSubject"] = subject
    if proof:
        cred["proof"] = PROOF
    return cred


def clr_credential(
    nested: list[Any],
    *,
    issuer: str | None = ISSUER,
    identifiers: list[dict] | None = None,
    achievements: list[dict] | None = None,
    proof: bool = False,
    credential_id: str = "urn:uuid:00000000-0000-4000-8000-0000000000c1",
) -> dict:
    """A ClrCredential wrapping `nested` achievement credentials."""
    subject: dict[str, Any] = {"type": ["ClrSubject"], "verifiableCredential": nested}
    if identifiers is not None:
        subject["identifier"] = identifiers
    if achievements is not None:
        subject["achievement"] = achievements
    cred: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"],
        "id": credential_id, "type": ["VerifiableCredential", "ClrCredential"], "name": "Transcript",
        "validFrom": "2025-06-01T00:00:00Z", "credentialSubject": subject,
    }
    if issuer is not None:
        cred["issuer"] = {"id": issuer, "type": ["Profile"], "name": "Example College"}
    if proof:
        cred["proof"] = PROOF
    return cred


def write_json(directory: Path, name: str, value: Any) -> Path:
    path = directory / name
    path.write_text(json.dumps(value, indent=1), encoding="utf-8")
    return path
