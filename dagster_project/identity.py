"""Person keys and local-id keys (docs/submission_manual.md §4): the one place the key recipes live.

`person_key` = hex HMAC-SHA256 (secret `LER_HASH_KEY`) of `"SSN:" + 9 digits` for a valid SSN, else
of `"NDB:" + LAST + "|" + FIRST + "|" + birth_date`. `local_id_key` = the same HMAC of
`"LID:" + provider_id + "|" + id` (id trimmed, case kept): colleges still use SSNs as student ids, so
a provider's own learner id is personal data and is kept only as this key. The pure Python
functions are the reference recipes (tests, small parsers); `install_sql_identity` defines the same
recipes as DuckDB macros so millions of rows are keyed inside DuckDB. A test checks that both give
identical keys.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

import duckdb

# What "trimmed" means, the same in Python and SQL: DuckDB's `trim()` (every submitted field is
# trimmed with it) strips the Unicode space separators (category Zs) and nothing else, so a tab or a
# line break at the edge of a field is kept as written. A test checks this list against DuckDB.
SPACE_SEPARATORS = "".join(map(chr, (0x20, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000)))
_SSN_SHAPE = re.compile(r"^[0-9]{3}-?[0-9]{2}-?[0-9]{4}$")
# The same shape for DuckDB (RE2); kept next to the Python one so they cannot drift apart.
SSN_SHAPE_SQL = r"^[0-9]{3}-?[0-9]{2}-?[0-9]{4}$"


def ssn_digits(raw: str | None) -> str | None:
    """The 9 digits of an SSN written with or without dashes, or None when it is not that shape."""
    if raw is None:
        return None
    text = raw.strip()
    if not _SSN_SHAPE.match(text):
        return None
    return text.replace("-", "")


def is_valid_ssn(raw: str | None) -> bool:
    """9 digits; area not 000, 666 or 900-999; group not 00; serial not 0000 (SSA rules)."""
    digits = ssn_digits(raw)
    if digits is None:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area != "000" and area != "666" and area[0] != "9" and group != "00" and serial != "0000"


def normalize_name(raw: str | None) -> str:
    """Upper-case, letters only, Unicode letters kept: "De La Cruz" -> DELACRUZ, "Zoë" -> ZOË."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFC", raw).upper()
    return "".join(ch for ch in text if ch.isalpha())


def _hmac_hex(key: str, message: str) -> str:
    return hmac.new(key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def key_fingerprint(key: str, purpose: str) -> str:
    """Hex HMAC of `purpose` under the person-key secret: what caches and run digests keep so that
    a new LER_HASH_KEY invalidates them, without the secret itself being written anywhere."""
    return _hmac_hex(key, purpose)


def person_key(
    key: str,
    ssn: str | None,
    last_name: str | None,
    first_name: str | None,
    birth_date_iso: str | None,
) -> tuple[str | None, bool]:
    """(person_key, is_ssn_key). No key at all when neither a valid SSN nor name + birth date exist."""
    if is_valid_ssn(ssn):
        return _hmac_hex(key, "SSN:" + ssn_digits(ssn)), True
    last, first = normalize_name(last_name), normalize_name(first_name)
    if (last or first) and birth_date_iso:
        return _hmac_hex(key, f"NDB:{last}|{first}|{birth_date_iso}"), False
    return None, False


def trim_spaces(raw: str) -> str:
    """`raw` without leading and trailing space separators, as DuckDB's `trim()` gives it."""
    return raw.strip(SPACE_SEPARATORS)


def local_id_message(provider_id: str | None, local_id: str | None) -> str | None:
    """`"LID:" + provider_id + "|" + id`, or None when there is no id (blank after trimming).

    The provider is part of the message because ids are only unique within one provider; a missing
    provider (a row that is rejected for it anyway) is written as empty.
    """
    lid = trim_spaces(local_id) if local_id is not None else ""
    if not lid:
        return None
    return f"LID:{trim_spaces(provider_id or '')}|{lid}"


def local_id_key(key: str, provider_id: str | None, local_id: str | None) -> str | None:
    """The `local_id_key` of a provider's learner id (`student_id`, `learner_id`, badge `studentId` /
    `sisSourcedId`), or None when the id is blank. Rosters and natural keys use it instead of the id."""
    message = local_id_message(provider_id, local_id)
    return None if message is None else _hmac_hex(key, message)


# The temp table of HMAC keys already computed in a connection (`install_sql_identity`).
KEY_MEMO = "_ler_key_memo"


def _pads(key: str) -> tuple[bytes, bytes]:
    raw = key.encode("utf-8")
    if len(raw) > 64:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in raw), bytes(b ^ 0x5C for b in raw)


def install_sql_identity(con: duckdb.DuckDBPyConnection, key: str) -> None:
    """Define DuckDB macros `ler_hmac`, `ler_ssn9`, `ler_ssn_valid`, `ler_name_norm`, `ler_person_key`,
    `ler_lid_msg` and `ler_local_id_key`, and the empty key memo (`KEY_MEMO`: message, key).

    The key-derived pads are passed as bound parameters into session variables, so no key material
    appears in any SQL text (and so in no error message or log).
    """
    ipad, opad = _pads(key)
    con.execute(
        "create or replace temp table _ler_pads as select ?::blob as ipad, ?::blob as opad", [ipad, opad]
    )
    con.execute("set variable ler_ipad = (select ipad from _ler_pads)")
    con.execute("set variable ler_opad = (select opad from _ler_pads)")
    con.execute("drop table _ler_pads")
    # The keys computed so far, by message: a worker is in every quarter's wage file, so a run keys
    # each message once (landing/validate.py) rather than once per row. In memory only, like the raw
    # text the messages come from; redefining the macros (a new key) empties it.
    con.execute(f"create or replace temp table {KEY_MEMO} (msg varchar, key varchar)")
    con.execute(
        "create or replace temp macro ler_hmac(msg) as "
        "sha256(getvariable('ler_opad') || from_hex(sha256(getvariable('ler_ipad') || encode(msg))))"
    )
    con.execute(
        "create or replace temp macro ler_ssn9(s) as "
        f"case when regexp_matches(trim(s), '{SSN_SHAPE_SQL}') then replace(trim(s), '-', '') end"
    )
    # validity of an already-extracted 9-digit string (cheap: used on a precomputed column)
    con.execute(
        "create or replace temp macro ler_ssn9_valid(d) as coalesce("
        "d is not null and substr(d, 1, 3) not in ('000', '666') and substr(d, 1, 1) <> '9' "
        "and substr(d, 4, 2) <> '00' and substr(d, 6, 4) <> '0000', false)"
    )
    con.execute("create or replace temp macro ler_ssn_valid(s) as ler_ssn9_valid(ler_ssn9(s))")
    con.execute(
        "create or replace temp macro ler_name_norm(n) as "
        "coalesce(regexp_replace(upper(nfc_normalize(n)), '[^\\p{L}]', '', 'g'), '')"
    )
    # The HMAC messages of a learner (before keying): by SSN, else by name and birth date.
    con.execute("create or replace temp macro ler_ssn_msg(ssn9) as 'SSN:' || ssn9")
    con.execute(
        "create or replace temp macro ler_ndb_msg(last_norm, first_norm, birth_iso) as "
        "case when (last_norm <> '' or first_norm <> '') and birth_iso is not null then "
        "'NDB:' || last_norm || '|' || first_norm || '|' || birth_iso end"
    )
    con.execute(
        "create or replace temp macro ler_person_key(ssn, last_name, first_name, birth_iso) as "
        "ler_hmac(case when ler_ssn_valid(ssn) then ler_ssn_msg(ler_ssn9(ssn)) "
        "else ler_ndb_msg(ler_name_norm(last_name), ler_name_norm(first_name), birth_iso) end)"
    )
    # The local-id message (before keying) and its key; null when the id is blank.
    con.execute(
        "create or replace temp macro ler_lid_msg(provider_id, local_id) as "
        "case when nullif(trim(local_id), '') is not null then "
        "'LID:' || coalesce(trim(provider_id), '') || '|' || trim(local_id) end"
    )
    con.execute(
        "create or replace temp macro ler_local_id_key(provider_id, local_id) as "
        "ler_hmac(ler_lid_msg(provider_id, local_id))"
    )
