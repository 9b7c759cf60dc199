"""Ed25519 keys written as Multikey values (`z6Mk…`), the form `did:key` and Data Integrity use.

A Multikey is multibase base58-btc (the leading `z`) of a multicodec prefix plus the raw key:
`0xed 0x01` + 32 bytes for an Ed25519 public key, `0x80 0x26` + 32 bytes for an Ed25519 secret
key (the seed). Base58 is small enough to write here rather than add a package for it.
"""

from __future__ import annotations

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {ch: i for i, ch in enumerate(_ALPHABET)}

ED25519_PUBLIC = b"\xed\x01"
ED25519_SECRET = b"\x80\x26"
KEY_BYTES = 32


class MultikeyError(ValueError):
    """A value is not the Multikey it should be; the message says what was expected, not the value."""


def b58decode(text: str) -> bytes:
    """Bitcoin-alphabet base58 to bytes (leading `1`s are leading zero bytes)."""
    number = 0
    for ch in text:
        if ch not in _INDEX:
            raise MultikeyError("not base58-btc text")
        number = number * 58 + _INDEX[ch]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + body


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(_ALPHABET[rest])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def multibase_decode(value: str) -> bytes:
    """The bytes of a multibase base58-btc value (`z…`); other multibase encodings are refused."""
    if not isinstance(value, str) or not value.startswith("z") or len(value) < 2:
        raise MultikeyError("not a multibase base58-btc value (it must start with 'z')")
    return b58decode(value[1:])


def multibase_encode(data: bytes) -> str:
    return "z" + b58encode(data)


def _decode(value: str, prefix: bytes, what: str) -> bytes:
    raw = multibase_decode(value)
    if not raw.startswith(prefix) or len(raw) != len(prefix) + KEY_BYTES:
        raise MultikeyError(f"not an {what} Multikey")
    return raw[len(prefix):]


def decode_public_key(value: str) -> bytes:
    """The 32 raw bytes of an Ed25519 public Multikey (`z6Mk…`)."""
    return _decode(value, ED25519_PUBLIC, "Ed25519 public")


def decode_secret_key(value: str) -> bytes:
    """The 32-byte seed of an Ed25519 secret Multikey (`z3u2…`)."""
    return _decode(value, ED25519_SECRET, "Ed25519 secret")


def encode_public_key(raw: bytes) -> str:
    if len(raw) != KEY_BYTES:
        raise MultikeyError("an Ed25519 public key has 32 bytes")
    return multibase_encode(ED25519_PUBLIC + raw)


def encode_secret_key(seed: bytes) -> str:
    if len(seed) != KEY_BYTES:
        raise MultikeyError("an Ed25519 secret key has 32 bytes")
    return multibase_encode(ED25519_SECRET + seed)
