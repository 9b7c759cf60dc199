"""The state's signing key (`LER_ISSUER_KEY_FILE`) and its issuer profile.

The key file is a W3C Multikey document (JSON): the Ed25519 public key as `publicKeyMultibase`, the
secret key as `secretKeyMultibase`, and its `did:key` as `controller` / `id`. The verification
method of every record the state signs is that did:key, so anyone can verify a record offline from
the record alone. `ler issuer-key --out FILE` writes a new one with mode 0600 and never overwrites a
file; a key file that other users can read is refused, like ssh refuses a private key.

Errors are `IssuerKeyError` with a plain sentence naming the file, never key material.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from dagster_project.credentials.didkey import did_key_for, verification_method_for
from dagster_project.credentials.multikey import (
    MultikeyError,
    decode_public_key,
    decode_secret_key,
    encode_public_key,
    encode_secret_key,
)

MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
MAX_KEY_FILE_BYTES = 64 * 1024


class IssuerKeyError(ValueError):
    """The issuer key file is missing, unreadable or not a key; the message says which and why."""


@dataclass(frozen=True)
class IssuerKey:
    seed: bytes  # the 32-byte Ed25519 secret key
    public_key: bytes

    @property
    def did(self) -> str:
        return did_key_for(self.public_key)

    @property
    def verification_method(self) -> str:
        return verification_method_for(self.public_key)

    def __repr__(self) -> str:  # never show the secret in a traceback or log
        return f"IssuerKey({self.did})"


def public_key_of(seed: bytes) -> bytes:
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def generate() -> IssuerKey:
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    return IssuerKey(seed, public_key_of(seed))


def key_document(key: IssuerKey) -> dict[str, Any]:
    return {
        "@context": MULTIKEY_CONTEXT,
        "id": key.verification_method,
        "type": "Multikey",
        "controller": key.did,
        "publicKeyMultibase": encode_public_key(key.public_key),
        "secretKeyMultibase": encode_secret_key(key.seed),
    }


def write_key_file(path: Path, key: IssuerKey) -> None:
    """Create `path` (mode 0600) holding `key`; refuse to replace an existing file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise IssuerKeyError(f"{path} already exists: an issuer key is never overwritten") from None
    except OSError as exc:
        raise IssuerKeyError(f"cannot create {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(key_document(key), handle, indent=2)
        handle.write("\n")


def load_key_file(path: Path | None) -> IssuerKey:
    """The issuer key in `path`, checked: private to its owner, a Multikey whose halves match."""
    if path is None or not str(path).strip():
        raise IssuerKeyError("no issuer key: set LER_ISSUER_KEY_FILE (make one with "
                             "`ler issuer-key --out FILE`)")
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise IssuerKeyError(f"issuer key file {path} does not exist") from None
    except OSError as exc:
        raise IssuerKeyError(f"issuer key file {path} cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise IssuerKeyError(f"issuer key file {path} is not a file")
    if info.st_mode & 0o077:
        raise IssuerKeyError(f"issuer key file {path} is readable by other users (mode "
                             f"{stat.S_IMODE(info.st_mode):04o}); make it private: chmod 600 {path}")
    if info.st_size > MAX_KEY_FILE_BYTES:
        raise IssuerKeyError(f"issuer key file {path} is too large to be a key file")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise IssuerKeyError(f"issuer key file {path} cannot be read: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise IssuerKeyError(f"issuer key file {path} is not JSON (expected the Multikey document "
                             "`ler issuer-key` writes)") from None
    if not isinstance(doc, dict):
        raise IssuerKeyError(f"issuer key file {path} is not a Multikey document")
    try:
        seed = decode_secret_key(doc.get("secretKeyMultibase"))
        public = decode_public_key(doc.get("publicKeyMultibase"))
    except MultikeyError:
        raise IssuerKeyError(f"issuer key file {path} does not hold an Ed25519 secretKeyMultibase and "
                             "publicKeyMultibase") from None
    if public_key_of(seed) != public:
        raise IssuerKeyError(f"issuer key file {path}: its public key does not belong to its secret key")
    return IssuerKey(seed, public)


@dataclass(frozen=True)
class IssuerProfile:
    """Who the state is as an issuer (OB 3.0 Profile). `id` defaults to the signing key's did:key,
    so a verifier sees offline that the issuer itself signed (`ler verify`: issuer check)."""

    name: str
    id: str | None = None
    url: str | None = None

    def as_json(self, key: IssuerKey) -> dict[str, Any]:
        profile: dict[str, Any] = {"id": self.id or key.did, "type": ["Profile"], "name": self.name}
        if self.url:
            profile["url"] = self.url
        return profile
