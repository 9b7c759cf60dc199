"""Person keys and local-id keys (docs/submission_manual.md §4): SSN validity, name normalization,
the local-id recipe, and SQL = Python for both."""

from __future__ import annotations

import hashlib
import hmac
import sys
import unicodedata

import duckdb
import pytest

from dagster_project.identity import (
    SPACE_SEPARATORS,
    install_sql_identity,
    is_valid_ssn,
    local_id_key,
    normalize_name,
    person_key,
    trim_spaces,
)


@pytest.mark.parametrize(
    ("ssn", "valid"),
    [
        ("123456789", True),
        ("123-45-6789", True),
        (" 123456789 ", True),
        ("000456789", False),
        ("666456789", False),
        ("900456789", False),
        ("999456789", False),
        ("123006789", False),
        ("123450000", False),
        ("12345678", False),
        ("1234567890", False),
        ("12a456789", False),
        ("", False),
        (None, False),
        ("123--456789", False),
    ],
)
def test_ssn_validity(ssn: str | None, valid: bool) -> None:
    assert is_valid_ssn(ssn) is valid


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("De La Cruz", "DELACRUZ"),
        ("Zoë", "ZOË"),
        ("O'Brien", "OBRIEN"),
        ("  smith-jones ", "SMITHJONES"),
        ("Zoe\u0308", "ZOË"),  # decomposed diaeresis is composed first
    ],
)
def test_name_normalization(raw: str, normalized: str) -> None:
    assert normalize_name(raw) == normalized


def test_ssn_key_is_hmac_of_ssn_prefix() -> None:
    key, is_ssn = person_key("secret", "123-45-6789", "A", "B", "2000-01-01")
    assert is_ssn and key == hmac.new(b"secret", b"SSN:123456789", hashlib.sha256).hexdigest()


def test_name_and_birth_date_key_when_ssn_invalid() -> None:
    key, is_ssn = person_key("secret", "000-00-0000", "De La Cruz", "Zoë", "1990-02-03")
    assert not is_ssn
    assert key == hmac.new(b"secret", "NDB:DELACRUZ|ZOË|1990-02-03".encode(), hashlib.sha256).hexdigest()


def test_sql_macros_give_the_same_keys_as_python() -> None:
    con = duckdb.connect()
    install_sql_identity(con, "a-long-state-secret-" * 5)  # > 64 bytes: hashed first, as HMAC says
    cases = [
        ("123456789", "X", "Y", "2000-01-01"),
        ("", "De La Cruz", "Zoë", "1990-02-03"),
        ("666123456", "O'Brien", "Sam", "1985-12-31"),
        ("123-45-6789", None, None, None),
    ]
    for ssn, last, first, birth in cases:
        sql = con.execute("select ler_person_key(?, ?, ?, ?)", [ssn, last, first, birth]).fetchall()[0][0]
        assert sql == person_key("a-long-state-secret-" * 5, ssn, last, first, birth)[0]


def test_no_key_material_in_sql_text() -> None:
    con = duckdb.connect()
    install_sql_identity(con, "find-me-if-you-can")
    macros = con.execute("select macro_definition from duckdb_functions() where function_name like 'ler_%'")
    assert all("find-me" not in str(m[0]) for m in macros.fetchall())


def test_local_id_key_is_hmac_of_lid_prefix_provider_and_trimmed_id() -> None:
    expected = hmac.new(b"secret", b"LID:PVCC|Ab-12", hashlib.sha256).hexdigest()
    assert local_id_key("secret", "PVCC", "  Ab-12 ") == expected
    assert local_id_key("secret", "PVCC", "ab-12") != expected  # case kept
    assert local_id_key("secret", "RBTC", "Ab-12") != expected  # ids are unique per provider only
    # an SSN used as a student id is keyed as written: not the person key of that SSN
    assert local_id_key("secret", "PVCC", "123-45-6789") != local_id_key("secret", "PVCC", "123456789")
    assert local_id_key("secret", "PVCC", "123456789") != person_key("secret", "123456789", "", "", None)[0]
    assert local_id_key("secret", "PVCC", "   ") is None and local_id_key("secret", "PVCC", None) is None


LOCAL_ID_CASES = [
    ("PVCC", "PV0000001"),
    (" PVCC ", "\u00a0PV0000001\u3000"),  # trimmed of space separators, as every field is
    ("SUN", "123-45-6789"),
    ("SUN", "Zoë-ß"),
    ("SUN", "\tS1\n"),  # a tab or line break is not a space separator: kept, the same in SQL
    (None, "S1"),
    ("SUN", ""),
    ("SUN", "  "),
    ("SUN", None),
]


def test_sql_local_id_macro_gives_the_same_keys_as_python() -> None:
    con = duckdb.connect()
    key = "a-long-state-secret-" * 5
    install_sql_identity(con, key)
    for provider, local_id in LOCAL_ID_CASES:
        sql = con.execute("select ler_local_id_key(?, ?)", [provider, local_id]).fetchall()[0][0]
        assert sql == local_id_key(key, provider, local_id), (provider, local_id)


def test_trimming_is_duckdbs_trim() -> None:
    """The Python recipe trims exactly what DuckDB's trim() does: the Unicode space separators."""
    zs = "".join(ch for ch in map(chr, range(sys.maxunicode + 1)) if unicodedata.category(ch) == "Zs")
    assert set(SPACE_SEPARATORS) == set(zs)
    con = duckdb.connect()
    probes = [*SPACE_SEPARATORS, "\t", "\n", "\r", "\u200b", "\ufeff", "x"]
    for ch in probes:
        sql = con.execute("select trim(?)", [ch + "a" + ch]).fetchall()[0][0]
        assert sql == trim_spaces(ch + "a" + ch), hex(ord(ch))
