"""Quoting for SQL text built in Python. Values reach DuckDB as literals only through these."""

from __future__ import annotations

from collections.abc import Iterable


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def lit_list(values: Iterable[object]) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"


def path_lit(path: object) -> str:
    return lit(str(path))
