"""Data Integrity proofs made and checked offline (dagster_project/credentials/proofs.py, didkey.py,
multikey.py, canon.py, loader.py): sign -> verify round trips, and credentials the tests sign and then
tamper with, each failing with the right status and reason."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import pytest

from dagster_project.credentials import canon, loader
from dagster_project.credentials.didkey import Unresolvable, resolve, verification_method_for
from dagster_project.credentials.issuer import IssuerKey, public_key_of
from dagster_project.credentials.multikey import (
    MultikeyError,
    b58decode,
    b58encode,
    decode_public_key,
    decode_secret_key,
    encode_public_key,
    encode_secret_key,
)
from dagster_project.credentials.proofs import (
    EDDSA_JCS,
    EDDSA_RDFC,
    INVALID,
    NO_PROOF,
    UNVERIFIABLE,
    VERIFIED,
    check_credential,
    check_document,
    sign,
)
from tests.badge_samples import clr_credential, ob3_credential

SEED = hashlib.sha256(b"p2d test issuer key (not a secret)").digest()
OTHER_SEED = hashlib.sha256(b"p2d another key (not a secret)").digest()
CREATED = "2026-12-01T00:00:00Z"
W3C_KEY = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"  # the W3C vc-di-eddsa test public key


def key_of(seed: bytes) -> IssuerKey:
    return IssuerKey(seed, public_key_of(seed))


KEY, OTHER = key_of(SEED), key_of(OTHER_SEED)


def signed(doc: dict | None = None, key: IssuerKey = KEY, suite: str = EDDSA_RDFC) -> dict[str, Any]:
    return sign(doc or ob3_credential(), key.seed, key.verification_method, CREATED, suite)


# --------------------------------------------------------------------------- keys


def test_base58_round_trip_keeps_leading_zeros() -> None:
    for data in (b"", b"\0", b"\0\0abc", bytes(range(40))):
        assert b58decode(b58encode(data)) == data
    assert b58encode(b"\0\0\x01") == "112"
    with pytest.raises(MultikeyError):
        b58decode("0OIl")  # not in the bitcoin alphabet


def test_multikey_round_trips_and_known_public_key() -> None:
    # the W3C vc-di-eddsa test key pair (TestVectors/keyPair.json), written in this test
    public = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    secret = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
    seed = decode_secret_key(secret)
    assert key_of(seed).public_key == decode_public_key(public)
    assert encode_public_key(decode_public_key(public)) == public
    assert encode_secret_key(seed) == secret
    with pytest.raises(MultikeyError):
        decode_public_key(secret)  # a secret key is not a public one


def test_did_key_resolves_bare_and_with_fragment() -> None:
    did = KEY.did
    for vm in (did, KEY.verification_method, {"id": KEY.verification_method}):
        resolved = resolve(vm)
        assert (resolved.public_key, resolved.controller) == (KEY.public_key, did)
    assert KEY.verification_method == verification_method_for(KEY.public_key) == f"{did}#{did[8:]}"


@pytest.mark.parametrize(("vm", "reason", "has_fragment_key"), [
    (None, "the proof has no verificationMethod", False),
    ("did:key:zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76", "not an Ed25519 key", False),
    (f"did:key:{W3C_KEY}#other", "names no verification method", False),
    (f"did:web:example.org#{W3C_KEY}", "did:web is resolved only over", True),
    ("did:example:123", "did:example is resolved only over the network", False),
    ("https://issuer.example/keys/1", "a URL whose key must be fetched", False),
    (f"https://issuer.example/issuers/1#{W3C_KEY}", "1EdTech's convention", True),
    (W3C_KEY, "neither a DID nor a URL", False),
])
def test_only_did_key_resolves_offline(vm: Any, reason: str, has_fragment_key: bool) -> None:
    with pytest.raises(Unresolvable) as caught:
        resolve(vm)
    assert reason in caught.value.reason
    assert (caught.value.fragment_key is not None) == has_fragment_key


# --------------------------------------------------------------------------- loader: bundled only


def test_loader_serves_bundled_contexts_and_refuses_any_other_url() -> None:
    doc = loader.load_document("https://www.w3.org/ns/credentials/v2")
    assert "@context" in doc["document"]
    with pytest.raises(loader.UnknownContext) as caught:
        loader.load_document("https://attacker.example/context.json")
    assert "https://attacker.example/context.json" in str(caught.value)


def test_an_unbundled_context_is_unverifiable_and_nothing_is_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the verifier tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    doc = signed()
    doc["@context"] = [*doc["@context"], "https://contexts.example.org/unknown.jsonld"]
    result = check_document(doc)
    assert result.status == UNVERIFIABLE
    assert "https://contexts.example.org/unknown.jsonld is not bundled" in result.reason


def test_every_indexed_context_is_a_bundled_file() -> None:
    index = loader.context_index()
    assert len(index) >= 20
    for url, name in index.items():
        assert (loader.CONTEXTS_DIR / name).is_file(), url
        assert loader.load_document(url)["document"]


# --------------------------------------------------------------------------- sign and verify


@pytest.mark.parametrize("suite", [EDDSA_RDFC, EDDSA_JCS])
def test_sign_then_verify_round_trip(suite: str) -> None:
    doc = signed(suite=suite)
    assert doc["proof"]["cryptosuite"] == suite
    assert doc["proof"]["verificationMethod"] == KEY.verification_method
    result = check_document(doc)
    assert (result.status, result.reason) == (
        VERIFIED, f"{suite} signature checks with the did:key of its verificationMethod")


def test_signing_is_deterministic() -> None:
    assert signed()["proof"]["proofValue"] == signed()["proof"]["proofValue"]


def test_no_proof() -> None:
    assert check_document(ob3_credential()).status == NO_PROOF


@pytest.mark.parametrize("suite", [EDDSA_RDFC, EDDSA_JCS])
def test_a_changed_field_is_invalid(suite: str) -> None:
    doc = signed(suite=suite)
    doc["credentialSubject"]["achievement"]["alignment"][0]["targetCode"] = "51.3901"
    result = check_document(doc)
    assert result.status == INVALID
    assert result.reason == (f"{suite} signature does not match the document and the key its "
                             "verificationMethod names")


def test_a_changed_proof_option_is_invalid() -> None:
    doc = signed()
    doc["proof"]["created"] = "2027-01-01T00:00:00Z"
    assert check_document(doc).status == INVALID


def test_a_wrong_key_is_invalid() -> None:
    doc = signed(key=OTHER)
    doc["proof"]["verificationMethod"] = KEY.verification_method  # claims KEY, signed by OTHER
    result = check_document(doc)
    assert result.status == INVALID
    assert "does not match the document and the key its verificationMethod names" in result.reason


def test_an_added_undefined_property_is_invalid_not_ignored() -> None:
    # JSON-LD would drop a property no context defines, so the signature would still check: safe mode
    doc = signed()
    doc["credentialSubject"]["achievement"]["cipOverride"] = "51.3901"
    result = check_document(doc)
    assert result.status == INVALID
    assert "'cipOverride' is not defined by the document's @context" in result.reason


@pytest.mark.parametrize(("change", "reason"), [
    (lambda p: p.update(proofValue="not-multibase"), "not a multibase base58-btc signature"),
    (lambda p: p.update(proofValue="z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk"), "not a 64-byte"),
    (lambda p: p.update(proofPurpose="authentication"), "proofPurpose is not assertionMethod"),
    (lambda p: p.update({"@context": ["https://www.w3.org/ns/credentials/v2", "https://x.example/"]}),
     "does not begin the document's @context"),
])
def test_malformed_proofs_are_invalid(change: Any, reason: str) -> None:
    doc = signed()
    change(doc["proof"])
    result = check_document(doc)
    assert result.status == INVALID
    assert reason in result.reason


@pytest.mark.parametrize(("change", "reason"), [
    (lambda p: p.update(cryptosuite="ecdsa-rdfc-2019"), "the cryptosuite 'ecdsa-rdfc-2019' is not supported"),
    (lambda p: p.update(type="BbsBlsSignature2020"), "the proof type 'BbsBlsSignature2020' is not supported"),
    (lambda p: p.update(cryptosuite="<script>"), "an unrecognized cryptosuite is not supported"),
    (lambda p: p.update(verificationMethod="https://issuer.example.org/k/1"), "key not resolvable offline"),
])
def test_unsupported_suites_and_keys_are_unverifiable(change: Any, reason: str) -> None:
    doc = signed()
    change(doc["proof"])
    result = check_document(doc)
    assert result.status == UNVERIFIABLE
    assert reason in result.reason


def test_fragment_key_convention_is_unverifiable_when_it_matches_and_invalid_when_not() -> None:
    fragment_vm = f"https://issuer.example.org/main#{KEY.did[8:]}"
    doc = sign(ob3_credential(), KEY.seed, fragment_vm, CREATED)
    result = check_document(doc)
    assert result.status == UNVERIFIABLE
    assert "matches the key written in the verificationMethod" in result.reason
    assert "1EdTech's convention" in result.reason
    doc["name"] = "changed"
    assert check_document(doc).status == INVALID


def test_proof_set_needs_no_invalid_member() -> None:
    doc = signed()
    second = signed(key=OTHER)["proof"]
    doc["proof"] = [doc["proof"], second]
    assert check_document(doc).reason == "all 2 proofs check"
    unknown = {"type": "SomeProofType", "proofPurpose": "assertionMethod"}
    doc["proof"] = [doc["proof"][0], unknown]
    result = check_document(doc)
    assert result.status == VERIFIED
    assert "1 other proof(s) not checked (the proof type 'SomeProofType' is not supported)" in result.reason
    broken = copy.deepcopy(second)
    broken["proofValue"] = doc["proof"][0]["proofValue"]
    doc["proof"] = [doc["proof"][0], broken]
    assert check_document(doc).status == INVALID


def test_nested_credential_without_its_own_proof_takes_the_enclosing_verdict() -> None:
    nested = ob3_credential()
    clr = signed(clr_credential([nested]))
    outer = check_document(clr)
    assert outer.status == VERIFIED
    inner = check_credential(nested, outer)
    assert inner.status == VERIFIED
    assert inner.reason.startswith("no proof of its own; the enclosing credential's proof covers it")
    own = signed(ob3_credential(), key=OTHER)
    assert check_credential(own, outer).reason.endswith("did:key of its verificationMethod")
    assert check_credential(nested, None).status == NO_PROOF


def test_canonical_form_is_n_quads_and_jcs_sorts_keys() -> None:
    quads = canon.rdfc(ob3_credential())
    assert quads.endswith(" .\n") and "<https://purl.imsglobal.org/spec/vc/ob/vocab.html#" in quads
    assert canon.jcs({"b": 1, "a": [1.0, "x"]}) == b'{"a":[1,"x"],"b":1}'
    with pytest.raises(canon.Untransformable) as caught:
        canon.rdfc({"name": "no context"})
    assert caught.value.invalid
