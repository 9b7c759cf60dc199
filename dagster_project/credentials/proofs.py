"""Check, and make, the embedded proofs of a credential (W3C Data Integrity EdDSA).

Supported suites, all Ed25519:

| `type` / `cryptosuite` | transformation |
|---|---|
| `DataIntegrityProof` / `eddsa-rdfc-2022` (and its pre-standard name `eddsa-2022`) | RDFC-1.0 |
| `DataIntegrityProof` / `eddsa-jcs-2022` | JCS |
| `Ed25519Signature2020` | RDFC-1.0 |

The signed bytes are sha256(canonical proof options) || sha256(canonical document without its proof),
where the proof options are the proof without `proofValue`, carrying the document's `@context`
(W3C vc-di-eddsa §3, the same for Ed25519Signature2020). A proof with `previousProof` (a proof
chain) is checked over the document carrying the proofs it names.

Each document gets one `ProofResult` (docs/learner_records.md, "Proof status"):

- `NO_PROOF`: no proof at all;
- `VERIFIED`: at least one proof checks with a key resolved offline (`did:key`) and none is INVALID;
- `INVALID`: a proof is malformed, its signature does not match the document and the key it names
  (the document was changed after signing, or signed with another key), or the document holds a
  property its contexts do not define (no signature can cover it: `canon.py`);
- `UNVERIFIABLE`: nothing failed, but no proof could be checked offline: the key is not a did:key,
  the suite is not one of the above, or a context is not bundled.

Reasons are fixed sentences (plus a context URL or a suite name when it is a plain name), never a
value of the credential.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from dagster_project.credentials import canon
from dagster_project.credentials.didkey import Unresolvable, resolve
from dagster_project.credentials.multikey import MultikeyError, multibase_decode, multibase_encode

VERIFIED, INVALID, UNVERIFIABLE, NO_PROOF = "VERIFIED", "INVALID", "UNVERIFIABLE", "NO_PROOF"
PROOF_STATUSES = (VERIFIED, INVALID, UNVERIFIABLE, NO_PROOF)

DATA_INTEGRITY = "DataIntegrityProof"
ED25519_2020 = "Ed25519Signature2020"
EDDSA_RDFC = "eddsa-rdfc-2022"
EDDSA_JCS = "eddsa-jcs-2022"
RDFC_SUITES = (EDDSA_RDFC, "eddsa-2022")
ASSERTION = "assertionMethod"
SIGNATURE_BYTES = 64

_SAFE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9:_.-]{0,60}$")


@dataclass(frozen=True)
class ProofResult:
    status: str
    reason: str

    @property
    def ok(self) -> bool:
        return self.status == VERIFIED


def _name(value: Any, what: str) -> str:
    """A suite or type name fit to print: a plain name as written, anything else described."""
    return repr(value) if isinstance(value, str) and _SAFE_NAME.match(value) else f"an unrecognized {what}"


def proofs_of(document: Mapping[str, Any]) -> list[Any]:
    """The proofs of a document: `proof` may be one object or a list (a proof set)."""
    proof = document.get("proof")
    if proof in (None, "", [], {}):
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def suite_of(proof: Mapping[str, Any]) -> str | None:
    """The cryptosuite name a proof uses, or None when it is not one of ours."""
    kind = proof.get("type")
    if kind == DATA_INTEGRITY and proof.get("cryptosuite") in (*RDFC_SUITES, EDDSA_JCS):
        return proof["cryptosuite"]
    if kind == ED25519_2020:
        return ED25519_2020
    return None


def _unsupported(proof: Mapping[str, Any]) -> str:
    kind = proof.get("type")
    if kind == DATA_INTEGRITY:
        return f"the cryptosuite {_name(proof.get('cryptosuite'), 'cryptosuite')} is not supported"
    return f"the proof type {_name(kind, 'proof type')} is not supported"


def _contexts(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _signed_bytes(suite: str, document: dict[str, Any], options: dict[str, Any]) -> bytes:
    """sha256(canonical proof options) || sha256(canonical document), per the suite's transformation."""
    if suite == EDDSA_JCS:
        return hashlib.sha256(canon.jcs(options)).digest() + hashlib.sha256(canon.jcs(document)).digest()
    options_hash = hashlib.sha256(canon.rdfc(options).encode("utf-8")).digest()
    return options_hash + hashlib.sha256(canon.rdfc(document).encode("utf-8")).digest()


def _proof_options(document: Mapping[str, Any], proof: Mapping[str, Any]) -> dict[str, Any]:
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in document:
        options["@context"] = document["@context"]
    else:
        options.pop("@context", None)
    return options


def _chained_document(
    unsecured: dict[str, Any], proof: Mapping[str, Any], all_proofs: list[Any]
) -> dict[str, Any] | None:
    """The document a chained proof signed: the unsecured document carrying the proofs named in
    `previousProof` (None when one of them is not in the set)."""
    wanted = proof.get("previousProof")
    if wanted is None:
        return unsecured
    ids = _contexts(wanted)
    matching = [p for p in all_proofs if isinstance(p, dict) and p.get("id") in ids]
    if len(matching) != len(ids):
        return None
    return {**unsecured, "proof": matching}


def check_proof(document: Mapping[str, Any], proof: Any, all_proofs: list[Any]) -> ProofResult:
    """The verdict of one proof of `document` (whose `proof` holds `all_proofs`)."""
    if not isinstance(proof, dict):
        return ProofResult(INVALID, "a proof is not a JSON object")
    suite = suite_of(proof)
    if suite is None:
        return ProofResult(UNVERIFIABLE, _unsupported(proof))
    if proof.get("proofPurpose") != ASSERTION:
        return ProofResult(INVALID, "the proof's proofPurpose is not assertionMethod")
    prefix = _contexts(proof.get("@context"))
    if prefix and _contexts(document.get("@context"))[: len(prefix)] != prefix:
        return ProofResult(INVALID, "the proof's @context does not begin the document's @context")
    try:
        signature = multibase_decode(proof.get("proofValue"))
    except MultikeyError:
        return ProofResult(INVALID, "the proofValue is not a multibase base58-btc signature")
    if len(signature) != SIGNATURE_BYTES:
        return ProofResult(INVALID, "the proofValue is not a 64-byte Ed25519 signature")
    unsecured = _chained_document({k: v for k, v in document.items() if k != "proof"}, proof, all_proofs)
    if unsecured is None:
        return ProofResult(INVALID, "the proof's previousProof names a proof that is not there")
    try:
        key, fragment_only = resolve(proof.get("verificationMethod")).public_key, None
    except Unresolvable as exc:
        if exc.fragment_key is None:
            return ProofResult(UNVERIFIABLE, f"key not resolvable offline: {exc.reason}")
        key, fragment_only = exc.fragment_key, exc
    try:
        data = _signed_bytes(suite, unsecured, _proof_options(document, proof))
    except canon.Untransformable as exc:
        if exc.invalid:
            return ProofResult(INVALID, f"{suite}: {exc.reason}")
        return ProofResult(UNVERIFIABLE, f"{suite}: cannot canonicalize offline: {exc.reason}")
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, data)
    except InvalidSignature:
        return ProofResult(INVALID, f"{suite} signature does not match the document and the key "
                                    "its verificationMethod names")
    if fragment_only is not None:
        return ProofResult(UNVERIFIABLE, f"{suite} signature matches the key written in the "
                                         f"verificationMethod, but {fragment_only.reason}")
    return ProofResult(VERIFIED, f"{suite} signature checks with the did:key of its verificationMethod")


def check_document(document: Mapping[str, Any]) -> ProofResult:
    """One verdict for all the proofs of one document (nested credentials are checked on their own)."""
    proofs = proofs_of(document)
    if not proofs:
        return ProofResult(NO_PROOF, "the credential carries no proof")
    results = [check_proof(document, p, proofs) for p in proofs]
    invalid = [r for r in results if r.status == INVALID]
    if invalid:
        return invalid[0]
    verified = [r for r in results if r.status == VERIFIED]
    unchecked = [r for r in results if r.status != VERIFIED]
    if verified and not unchecked:
        reason = verified[0].reason if len(verified) == 1 else f"all {len(verified)} proofs check"
        return ProofResult(VERIFIED, reason)
    if verified:
        return ProofResult(VERIFIED, f"{verified[0].reason}; {len(unchecked)} other proof(s) not checked "
                                     f"({unchecked[0].reason})")
    return unchecked[0]


def check_credential(credential: Mapping[str, Any], enclosing: ProofResult | None = None) -> ProofResult:
    """The proof verdict of a credential. One without a proof of its own that is nested in a signed
    credential (a CLR's AchievementCredential) takes the enclosing verdict: that proof covers it."""
    own = check_document(credential)
    if own.status != NO_PROOF or enclosing is None or enclosing.status == NO_PROOF:
        return own
    return ProofResult(enclosing.status, f"no proof of its own; the enclosing credential's proof covers "
                                         f"it: {enclosing.reason}")


# --------------------------------------------------------------------------- signing


def sign(
    document: Mapping[str, Any],
    secret_seed: bytes,
    verification_method: str,
    created: str,
    suite: str = EDDSA_RDFC,
) -> dict[str, Any]:
    """`document` with a DataIntegrityProof of `suite` (eddsa-rdfc-2022 or eddsa-jcs-2022) added.

    `created` is an XML Schema dateTime (`2026-12-01T00:00:00Z`). Ed25519 signatures are
    deterministic, so the same inputs give the same proofValue.
    """
    if suite not in (EDDSA_RDFC, EDDSA_JCS):
        raise ValueError(f"cannot sign with {suite}")
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof = {
        "type": DATA_INTEGRITY,
        "cryptosuite": suite,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": ASSERTION,
    }
    if suite == EDDSA_JCS and "@context" in unsecured:
        proof["@context"] = unsecured["@context"]  # vc-di-eddsa §3.3: a JCS proof carries it
    data = _signed_bytes(suite, unsecured, _proof_options(unsecured, proof))
    signature = Ed25519PrivateKey.from_private_bytes(secret_seed).sign(data)
    return {**unsecured, "proof": {**proof, "proofValue": multibase_encode(signature)}}
