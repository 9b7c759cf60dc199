"""Resolve a proof's `verificationMethod` to an Ed25519 public key, offline.

Only `did:key` resolves: its DID *is* the public key, so no document has to be fetched (did:key
method spec: the one verification method of `did:key:z6Mk…` is `did:key:z6Mk…#z6Mk…`). Everything
else needs a network fetch (a `did:web` DID document, an issuer's key URL), and the warehouse never
reaches the network, so it is `Unresolvable` with the reason.

1EdTech's validator also reads a URL such as `https://issuer.example/issuers/1#z6Mk…` by taking the
fragment as the key ("[controller]#[publicKeyMultibase]"). That is its own convention, not DID or
URL dereferencing: nothing proves that the issuer's server would serve that key. We keep the key it
names (`Unresolvable.fragment_key`) only so the verifier can tell a signature that does not even match
the key it names (INVALID) from one that matches it but cannot be tied to the issuer offline
(UNVERIFIABLE); see docs/learner_records.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from dagster_project.credentials.multikey import (
    ED25519_PUBLIC,
    MultikeyError,
    decode_public_key,
    encode_public_key,
    multibase_decode,
)

DID_KEY = "did:key:"


@dataclass(frozen=True)
class ResolvedKey:
    public_key: bytes
    controller: str  # the DID that controls the key (did:key: the DID itself)


class Unresolvable(Exception):
    """The key cannot be had offline. `reason` is a plain sentence without the method's value."""

    def __init__(self, reason: str, fragment_key: bytes | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fragment_key = fragment_key


def did_key_for(public_key: bytes) -> str:
    """The `did:key` DID of an Ed25519 public key."""
    return DID_KEY + encode_public_key(public_key)


def verification_method_for(public_key: bytes) -> str:
    """The did:key verification method id of an Ed25519 key: `did:key:z6Mk…#z6Mk…`."""
    did = did_key_for(public_key)
    return f"{did}#{did[len(DID_KEY):]}"


def _fragment_key(fragment: str) -> bytes | None:
    try:
        return decode_public_key(fragment)
    except MultikeyError:
        return None


def resolve(verification_method: object) -> ResolvedKey:
    """The Ed25519 key of a did:key verification method, or raise Unresolvable saying why."""
    if isinstance(verification_method, dict):
        verification_method = verification_method.get("id")
    if not isinstance(verification_method, str) or not verification_method.strip():
        raise Unresolvable("the proof has no verificationMethod")
    vm = verification_method.strip()
    did, _, fragment = vm.partition("#")
    if did.startswith(DID_KEY):
        value = did[len(DID_KEY):]
        try:
            raw = multibase_decode(value)
        except MultikeyError:
            raise Unresolvable("the did:key is not a multibase key") from None
        if not raw.startswith(ED25519_PUBLIC):
            raise Unresolvable("the did:key is not an Ed25519 key (only Ed25519 signatures are checked)")
        try:
            key = decode_public_key(value)
        except MultikeyError:
            raise Unresolvable("the did:key is not a well-formed Ed25519 key") from None
        if fragment and fragment != value:
            raise Unresolvable("the fragment names no verification method of this did:key")
        return ResolvedKey(key, did)
    if did.startswith("did:"):
        method = did.split(":")[1] if did.count(":") >= 2 else ""
        name = f"did:{method}" if method.isalnum() and len(method) <= 20 else "this DID method"
        raise Unresolvable(f"{name} is resolved only over the network; offline only did:key is resolved",
                           _fragment_key(fragment) if fragment else None)
    if ":" not in did:
        raise Unresolvable("the verificationMethod is neither a DID nor a URL")
    key = _fragment_key(fragment) if fragment else None
    if key is None:
        raise Unresolvable("the verificationMethod is a URL whose key must be fetched; offline only did:key "
                           "is resolved")
    raise Unresolvable("the verificationMethod is a URL, not a did:key; the key written in its fragment "
                       "(1EdTech's convention) cannot be tied to the issuer offline", key)
