"""Everything `ler verify` says about one credential: proof, dates, issuer, schema, status.

A credential passes when its proof is VERIFIED and no check fails, and every credential nested in
it (a CLR's AchievementCredentials) passes too. Endorsements are reported the same way but are a
third party's claim about the issuer or the achievement, not part of the credential: an expired or
unverifiable endorsement does not make the credential fail. A check has three outcomes: `ok`,
`fail`, or `note` (something a verifier should know that does not make the credential fail, e.g. a
revocation list that cannot be read offline). What each check does, and why, is in
docs/learner_records.md ("Verifying a credential").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dagster_project.credentials.didkey import Unresolvable, resolve
from dagster_project.credentials.proofs import ProofResult, check_credential, proofs_of
from dagster_project.credentials.schema import check_schema, schema_for

OK, FAIL, NOTE = "ok", "fail", "note"
VC1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
CREDENTIAL_TYPES = ("ClrCredential", "AchievementCredential", "OpenBadgeCredential", "EndorsementCredential")


@dataclass(frozen=True)
class Check:
    name: str
    outcome: str  # OK, FAIL or NOTE
    message: str


@dataclass
class CredentialReport:
    label: str  # "ClrCredential", "nested credential 2 (AchievementCredential)"
    proof: ProofResult
    checks: list[Check]
    nested: list[CredentialReport] = field(default_factory=list)

    is_endorsement: bool = False

    @property
    def passes(self) -> bool:
        return (self.proof.ok and all(c.outcome != FAIL for c in self.checks)
                and all(n.passes for n in self.nested if not n.is_endorsement))

    def failures(self) -> list[str]:
        """Why it fails, one short line per failed check, nested ones prefixed with their label."""
        out = [] if self.proof.ok else [f"proof {self.proof.status}: {self.proof.reason}"]
        out += [f"{c.name}: {c.message}" for c in self.checks if c.outcome == FAIL]
        for n in self.nested:
            if not n.is_endorsement:
                out += [f"{n.label}: {line}" for line in n.failures()]
        return out


def types_of(obj: Mapping[str, Any]) -> list[str]:
    value = obj.get("type")
    return [t for t in (value if isinstance(value, list) else [value]) if isinstance(t, str)]


def kind_of(obj: Mapping[str, Any]) -> str:
    """The credential's most specific known type, for labels."""
    types = types_of(obj)
    return next((t for t in CREDENTIAL_TYPES if t in types), "VerifiableCredential")


def _is_credential(obj: Any) -> bool:
    return isinstance(obj, dict) and "VerifiableCredential" in types_of(obj)


def nested_credentials(document: Mapping[str, Any]) -> Iterator[dict]:
    """Credentials embedded in a document (a CLR's verifiableCredential list, endorsements), not
    descending into them: each is checked on its own, with its own nested ones."""
    stack: list[Any] = [v for k, v in document.items() if k != "proof"]
    found: list[dict] = []
    while stack:
        node = stack.pop(0)
        if _is_credential(node):
            found.append(node)
        elif isinstance(node, dict):
            stack[:0] = [v for k, v in node.items() if k != "proof"]
        elif isinstance(node, list):
            stack[:0] = list(node)
    yield from found


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def check_dates(credential: Mapping[str, Any], as_of: datetime) -> Check:
    """Not before `validFrom` (`issuanceDate` in VC 1.1), not after `validUntil` (`expirationDate`)."""
    start_key = "validFrom" if "validFrom" in credential else "issuanceDate"
    end_key = "validUntil" if "validUntil" in credential else "expirationDate"
    problems, shown = [], []
    for key in (start_key, end_key):
        if key in credential and _instant(credential[key]) is None:
            problems.append(f"{key} is not an ISO 8601 date-time")
    start, end = _instant(credential.get(start_key)), _instant(credential.get(end_key))
    if start is not None:
        shown.append(f"valid from {start.date().isoformat()}")
        if start > as_of:
            problems.append(f"not yet valid: {start_key} is {start.date().isoformat()}")
    if end is not None:
        shown.append(f"until {end.date().isoformat()}")
        if end < as_of:
            problems.append(f"expired: {end_key} was {end.date().isoformat()}")
    if problems:
        return Check("dates", FAIL, "; ".join(problems))
    return Check("dates", OK, ", ".join(shown) or "no validity dates")


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer.strip() if isinstance(issuer, str) and issuer.strip() else None


def check_issuer(credential: Mapping[str, Any]) -> Check:
    """An issuer with an id, and whether the signing key is the issuer's own did:key.

    A signature shows which key signed. Only when the issuer id is that key's did:key does the
    signature show, offline, that the issuer signed; otherwise the tie between key and issuer rests
    on the issuer's published keys (W3C and 1EdTech examples sign https issuers with did:keys), which
    is a note, not a failure.
    """
    issuer = _issuer_id(credential)
    if issuer is None:
        return Check("issuer", FAIL, "the credential names no issuer id")
    controllers = set()
    for proof in proofs_of(credential):
        try:
            controllers.add(resolve(proof.get("verificationMethod") if isinstance(proof, dict) else None)
                            .controller)
        except Unresolvable:
            continue
    if issuer in controllers:
        return Check("issuer", OK, "signed with the issuer's own did:key")
    if controllers:
        return Check("issuer", NOTE, "the signing did:key is not the issuer id: offline this shows who "
                                     "signed, not that the key is the issuer's")
    return Check("issuer", OK, "the credential names its issuer")


def check_schema_of(credential: Mapping[str, Any]) -> Check:
    name = schema_for(credential)
    if name is None:
        return Check("schema", NOTE, "no 1EdTech schema for this credential type (not checked)")
    contexts = credential.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if first == VC1_CONTEXT:
        return Check("schema", NOTE, "a VC 1.1 credential: the 1EdTech schemas describe the VC 2.0 form "
                                     "(not checked, as 1EdTech's validator only warns)")
    result = check_schema(credential, name)
    if result.problems:
        return Check("schema", FAIL, f"{name}: " + "; ".join(result.problems))
    return Check("schema", OK, name)


def check_status(credential: Mapping[str, Any]) -> Check | None:
    """A credentialStatus (revocation list) needs the issuer's list, which is never fetched."""
    if not credential.get("credentialStatus"):
        return None
    return Check("status", NOTE, "credentialStatus not checked: its status list is on the issuer's "
                                 "server and nothing is fetched")


def verify_credential(credential: Mapping[str, Any], as_of: datetime | None = None,
                      label: str | None = None, enclosing: ProofResult | None = None) -> CredentialReport:
    """The full report of one credential and, recursively, the credentials nested in it."""
    as_of = as_of or datetime.now(UTC)
    checks = [check_dates(credential, as_of), check_issuer(credential), check_schema_of(credential)]
    if (status := check_status(credential)) is not None:
        checks.append(status)
    proof = check_credential(credential, enclosing)
    report = CredentialReport(label or kind_of(credential), proof, checks,
                              is_endorsement=kind_of(credential) == "EndorsementCredential")
    for i, inner in enumerate(nested_credentials(credential), start=1):
        report.nested.append(
            verify_credential(inner, as_of, f"nested credential {i} ({kind_of(inner)})", proof))
    return report
