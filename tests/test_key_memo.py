"""The HMAC key memo: each message of a run is keyed once, and every key is the recipe's.

A state's workers are in every quarter's wage file, so judging (`validate.py`) keys each message
(`SSN:...`, `NDB:...`, `LID:...`) once per run and looks the rest up in the memo
(`identity.KEY_MEMO`). These tests judge batches on one connection, as an ingestion does, and
compare every key to the pure Python recipe (`identity.py`).
"""

from __future__ import annotations

import dataclasses

import duckdb
import pytest

from dagster_project.identity import KEY_MEMO, install_sql_identity, local_id_key, person_key
from dagster_project.landing import validate
from dagster_project.landing.contracts import contract
from dagster_project.landing.registry import load_registry

KEY = "memo-test-key-0123456789abcdef0123456789abcdef"
WAGE = contract("wage_csv")
TRANSCRIPT = contract("transcript_csv")


def connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    install_sql_identity(con, KEY)
    validate.install_sql_helpers(con)
    return con


def judge(con: duckdb.DuckDBPyConnection, c, rows: list[dict[str, str]], file_idx: int) -> list[tuple]:
    """Judge `rows` (one file) as one batch; return (line, person_key, local_id_key) of every row."""
    cols = ", ".join(f'"{n}" varchar' for n in c.column_names)
    con.execute(
        f"create or replace temp table _raw (_file_idx integer, _line bigint, _problem_field varchar, "
        f"_problem_reason varchar, {cols})"
    )
    con.executemany(
        f"insert into _raw values ({', '.join('?' for _ in range(4 + len(c.column_names)))})",
        [(file_idx, i + 2, None, None, *(r.get(n) for n in c.column_names)) for i, r in enumerate(rows)],
    )
    con.execute(
        "create or replace temp table _files (_file_idx integer, file_name varchar, file_seq integer)"
    )
    con.execute("insert into _files values (?, ?, ?)", [file_idx, f"file{file_idx}.csv", file_idx])
    validate.validate(
        con,
        c,
        "_raw",
        "_files",
        lake_columns=load_registry().lake_schema(c.table),
        max_field_length=1000,
        reference_tables=None,
    )
    return con.execute("select _line, person_key, local_id_key from _judged order by _line").fetchall()


def wage(ssn: str) -> dict[str, str]:
    return {"ssn": ssn, "employer_account": "E1", "year": "2024", "quarter": "1", "wages": "100.00"}


def memo_size(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute(f"select count(*) from {KEY_MEMO}").fetchone()[0]


def test_each_ssn_is_keyed_once_across_batches_and_every_key_is_the_recipes() -> None:
    con = connection()
    first = ["123-45-6789", "234567890", "345678901", "123456789"]  # the first and last: one SSN
    got = judge(con, WAGE, [wage(s) for s in first], 1)
    assert [k for _, k, _ in got] == [person_key(KEY, s, None, None, None)[0] for s in first]
    assert memo_size(con) == 3
    second = ["234-56-7890", "456789012", "000123456"]  # one known, one new, one invalid (no key)
    got = judge(con, WAGE, [wage(s) for s in second], 2)
    assert [k for _, k, _ in got] == [person_key(KEY, s, None, None, None)[0] for s in second]
    assert got[2][1] is None
    assert memo_size(con) == 4


def test_a_known_message_is_looked_up_not_keyed_again() -> None:
    """The memo is what judging reads: a key planted there is the key a later batch gets."""
    con = connection()
    judge(con, WAGE, [wage("123456789")], 1)
    con.execute(f"update {KEY_MEMO} set key = 'planted' where msg = 'SSN:123456789'")
    assert judge(con, WAGE, [wage("123-45-6789")], 2)[0][1] == "planted"


def test_name_and_birth_date_keys_and_local_id_keys_come_from_the_memo_too() -> None:
    con = connection()
    rows = [
        {
            "provider_id": "P1",
            "student_id": " S1 ",
            "last_name": "O'Neil",
            "first_name": "Ana",
            "birth_date": "2001-02-03",
            "program_id": "X",
        },
        {"provider_id": "P1", "student_id": "S2", "ssn": "345-67-8901", "program_id": "X"},
        {
            "provider_id": "P1",
            "student_id": "S1",
            "last_name": "ONEIL",
            "first_name": "ANA",
            "birth_date": "02/03/2001",
            "program_id": "X",
        },
    ]
    got = judge(con, TRANSCRIPT, rows, 1)
    want = [
        (
            person_key(KEY, r.get("ssn"), r.get("last_name"), r.get("first_name"), "2001-02-03")[0],
            local_id_key(KEY, r["provider_id"], r["student_id"]),
        )
        for r in rows
    ]
    assert [(k, lid) for _, k, lid in got] == want
    assert got[0][1:] == got[2][1:]
    # NDB, SSN, and the two local ids: four messages, the repeated learner's keyed once
    assert memo_size(con) == 4


@pytest.mark.parametrize("c", [WAGE, TRANSCRIPT])
def test_the_memo_keeps_no_key_of_a_row_without_an_identity(c) -> None:
    con = connection()
    judge(con, c, [{"program_id": "X", "employer_account": "E1"}], 1)
    assert con.execute(f"select count(*) from {KEY_MEMO} where msg is null or key is null").fetchone()[0] == 0


def test_a_roster_learner_keyed_by_the_local_id_twice_in_a_row_is_one_memo_entry() -> None:
    """A roster layout's person key may be the local-id message itself: both new in one batch, the
    memo still holds it once, so no later lookup can match two entries (and duplicate a row)."""
    roster = dataclasses.replace(
        TRANSCRIPT, identity=dataclasses.replace(TRANSCRIPT.identity, roster_match=True)
    )
    con = connection()
    rows = [{"provider_id": "P1", "student_id": "S9", "program_id": "X"}] * 2
    want = local_id_key(KEY, "P1", "S9")
    assert [(k, lid) for _, k, lid in judge(con, roster, rows, 1)] == [(want, want)] * 2
    assert con.execute(f"select count(*), count(distinct msg) from {KEY_MEMO}").fetchone() == (1, 1)
    assert [(k, lid) for _, k, lid in judge(con, roster, rows, 2)] == [(want, want)] * 2
