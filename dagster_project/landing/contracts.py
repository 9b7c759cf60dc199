"""File contracts: Great Expectations suites kept as JSON in `data_contracts/`, one per layout.

A suite is the single statement of a layout's rules. Its expectations (not null, in set, regex,
between) are standard GX; its `meta.ler` block adds what GX has no words for: the layout's columns
with their types and PII flags, the natural key, reference-file lookups and how a learner is
identified. Ingestion compiles the suite to DuckDB SQL (`validate.py`) so millions of rows are judged
in one pass; the blocking asset check runs the same suite through GX itself (`checks.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from dagster_project.project_paths import CONTRACTS_DIR

# SQL type of each contract column type, as written to the lake.
SQL_TYPES = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "ssn": "VARCHAR",
    "date": "DATE",
    "number": "DOUBLE",
    "money": "DECIMAL(18,2)",
    "integer": "INTEGER",
    "flag": "BOOLEAN",
}
NUMERIC_TYPES = {"number", "money", "integer"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    pii: bool

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]


@dataclass(frozen=True)
class Reference:
    columns: tuple[str, ...]
    table: str
    ref_columns: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Identity:
    """Which layout columns identify a learner (LER_SPEC.md §4)."""

    ssn: str | None
    last_name: str | None
    first_name: str | None
    birth_date: str | None
    invalid_ssn: str  # "reject" (wage rows) or "unknown" (education rows keep the row)
    ssn_hash: str | None = None
    ssn_salt: str | None = None
    roster_column: str | None = None


@dataclass(frozen=True)
class Expectation:
    type: str
    kwargs: dict
    reason: str

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")


@dataclass(frozen=True)
class Contract:
    layout: str
    kind: str
    file_format: str
    table: str
    description: str
    files: str | None
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    references: tuple[Reference, ...]
    identity: Identity | None
    expectations: tuple[Expectation, ...]
    suite: dict = field(repr=False, compare=False, hash=False)
    path: Path = field(repr=False, compare=False, hash=False, default=Path())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def pii_columns(self) -> set[str]:
        return {c.name for c in self.columns if c.pii}

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.layout} has no column {name}")


def load_contract(path: Path) -> Contract:
    doc = json.loads(path.read_text(encoding="utf-8"))
    ler = doc["meta"]["ler"]
    identity = ler.get("identity")
    return Contract(
        layout=ler["layout"],
        kind=ler["kind"],
        file_format=ler["file_format"],
        table=ler["table"],
        description=ler["description"],
        files=ler.get("files"),
        columns=tuple(
            Column(c["name"], c["type"], bool(c["required"]), bool(c["pii"])) for c in ler["columns"]
        ),
        natural_key=tuple(ler["natural_key"]),
        references=tuple(
            Reference(tuple(r["columns"]), r["table"], tuple(r["ref_columns"]), r["reason"])
            for r in ler.get("references", [])
        ),
        identity=Identity(**identity) if identity else None,
        expectations=tuple(
            Expectation(e["type"], dict(e["kwargs"]), e.get("meta", {}).get("reason", e["type"]))
            for e in doc["expectations"]
        ),
        suite=doc,
        path=path,
    )


@cache
def contracts(directory: Path = CONTRACTS_DIR) -> dict[str, Contract]:
    """Every layout contract, by layout name."""
    found = {}
    for path in sorted(directory.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if "ler" in doc.get("meta", {}):
            contract = load_contract(path)
            found[contract.layout] = contract
    return found


def contract(layout: str) -> Contract:
    return contracts()[layout]


IDENTITY_LAKE_COLUMNS = (
    ("person_key", "VARCHAR"),
    ("is_ssn_key", "BOOLEAN"),
    ("identity_source", "VARCHAR"),
    ("birth_year", "INTEGER"),
)
BOOKKEEPING_LAKE_COLUMNS = (
    ("file_name", "VARCHAR"),
    ("file_seq", "INTEGER"),
    ("line_number", "BIGINT"),
    ("source_format", "VARCHAR"),
)


@cache
def lake_schema(table: str) -> tuple[tuple[str, str], ...]:
    """The typed, PII-free columns of a lake table: the union of its layouts' non-PII columns.

    Bookkeeping first, then identity (when any layout of the table identifies learners), then the
    layout columns in first-seen order. Every Parquet file of a table has exactly these columns,
    so dbt sources never see schema drift between formats.
    """
    cols: dict[str, str] = {}
    has_identity = False
    for c in contracts().values():
        if c.table != table:
            continue
        has_identity = has_identity or c.identity is not None
        for col in c.columns:
            if col.pii:
                continue
            prior = cols.setdefault(col.name, col.sql_type)
            if prior != col.sql_type:
                raise ValueError(
                    f"column {table}.{col.name} typed {prior} and {col.sql_type} in different layouts"
                )
    if not cols:
        raise KeyError(f"no layout writes lake table {table!r}")
    head = list(BOOKKEEPING_LAKE_COLUMNS) + (list(IDENTITY_LAKE_COLUMNS) if has_identity else [])
    return tuple(head + list(cols.items()))


def lake_tables() -> list[str]:
    return sorted({c.table for c in contracts().values()})
