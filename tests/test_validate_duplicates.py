"""Exact repeats of a line are found among the rows whose hash repeats, and only exact repeats.

`validate._mark_duplicates` compares exactly only the candidates its hash picks; these tests check it
against the plain rule (a window over every field, the first line kept), also when every row's hash
collides with every other's.
"""

from __future__ import annotations

import itertools

import duckdb
import pytest

from dagster_project.landing import validate
from dagster_project.landing.contracts import contract

WAGE = contract("wage_csv")
COLUMNS = WAGE.column_names


def raw_table(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    """A `_raw` table of (file, line, reason, first column, second column) rows, the other fields fixed."""
    con = duckdb.connect()
    cols = ", ".join(f'"{n}" varchar' for n in COLUMNS)
    con.execute(
        f"create table _raw (_file_idx integer, _line bigint, _problem_field varchar, "
        f"_problem_reason varchar, {cols})"
    )
    rest = ["X"] * (len(COLUMNS) - 2)
    con.executemany(
        f"insert into _raw values ({', '.join('?' for _ in range(4 + len(COLUMNS)))})",
        [(fi, line, None, reason, a, b, *rest) for fi, line, reason, a, b in rows],
    )
    return con


def marked(con: duckdb.DuckDBPyConnection) -> set[tuple[int, int]]:
    validate._mark_duplicates(con, WAGE, "_raw")
    return set(
        con.execute(
            "select _file_idx, _line from _raw where rowid in (select _raw_row from _dup_rows)"
        ).fetchall()
    )


def by_the_plain_rule(con: duckdb.DuckDBPyConnection) -> set[tuple[int, int]]:
    fields = ", ".join(f'"{n}"' for n in COLUMNS)
    return set(
        con.execute(f"""
            select _file_idx, _line from _raw
            qualify row_number() over (partition by _file_idx,
                case when _problem_reason is not null then _line end, _problem_reason, {fields}
                order by _line) > 1
        """).fetchall()
    )


ROWS = [
    (1, 2, None, "111223333", "DOE"),
    (1, 3, None, "111223333", "DOE"),  # exact repeat of line 2
    (1, 4, None, "111223333", "DOES"),  # equal to line 2 in all but one field
    (1, 5, None, "111223333", None),  # a missing value is not an empty one
    (1, 6, None, "111223333", ""),
    (1, 7, None, "111223333", ""),  # repeat of line 6
    (1, 8, "expected 12 fields, found 3", "1", None),  # a broken line repeats only itself
    (1, 9, "expected 12 fields, found 3", "1", None),
    (2, 2, None, "111223333", "DOE"),  # the same record in another file
]


@pytest.mark.parametrize("collide", [False, True])
def test_exactly_the_repeats_of_an_earlier_line_are_duplicates(
    monkeypatch: pytest.MonkeyPatch, collide: bool
) -> None:
    if collide:  # every row hashes alike: all are candidates, and the exact check alone decides
        monkeypatch.setattr(validate, "_row_hash", lambda _exprs: "0::ubigint")
    con = raw_table(ROWS)
    assert marked(con) == {(1, 3), (1, 7)}


@pytest.mark.parametrize("collide", [False, True])
def test_the_candidates_give_the_plain_rule(monkeypatch: pytest.MonkeyPatch, collide: bool) -> None:
    if collide:
        monkeypatch.setattr(validate, "_row_hash", lambda _exprs: "0::ubigint")
    values = ["A", "B", "", None]
    rows = [
        (fi, line, "bad" if line % 7 == 0 else None, a, b)
        for fi in (1, 2)
        for line, (a, b) in enumerate(itertools.product(values, repeat=2), start=2)
    ]
    rows += [(fi, line + 20, reason, a, b) for fi, line, reason, a, b in rows]  # every record twice
    rows += [(1, 100 + i, None, a, b) for i, (_fi, _line, _r, a, b) in enumerate(rows[:8])]  # and more
    con = raw_table(rows)
    expected = by_the_plain_rule(con)
    assert expected and marked(con) == expected
