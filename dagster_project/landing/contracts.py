"""File contracts: Great Expectations suites kept as JSON in `data_contracts/`, one per layout.

A suite is the single statement of a layout's rules and facts. Its expectations (not null, in set,
regex, between) are standard GX; its `meta.ler` block adds what GX has no words for: the layout's
columns with their types and PII flags, the natural key, reference-file lookups, how a learner is
identified, and the layout's place in the landing zone (folder, accepted files, reader, whether large
files are cached, what the reader depends on, load order, roster role), from which `registry.py`
derives discovery, dispatch, the file cache and the docs. Ingestion compiles the suite to DuckDB SQL
(`validate.py`) so millions of rows are judged in one pass; the blocking asset check runs the same
suite through GX itself (`checks.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path

from dagster_project.landing.context import ReadContext
from dagster_project.project_paths import CONTRACTS_DIR

# The landing zone's folders, in processing order (docs/submission_manual.md §1).
KINDS = ("reference", "transcripts", "noncredit", "wages")
REFERENCE_KIND = "reference"
# What a layout's rows may depend on besides the file itself: a field of the reader's ReadContext,
# or "rosters", the roster-source files of the same landing zone (hashed Open Badges identities).
ROSTERS = "rosters"
READ_CONTEXT_INPUTS = tuple(f.name for f in fields(ReadContext) if f.name != "warnings")
DEPENDENCIES = (*READ_CONTEXT_INPUTS, ROSTERS)
# "source": the layout's learners (SSNs, local ids) form its provider's roster, against which other
# layouts' hashed identities and roster ids are matched.
ROSTER_ROLES = (None, "source")

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
    """Which layout columns identify a learner (docs/submission_manual.md §4).

    `local_id` is the provider's own learner id (`student_id`, `learner_id`, a badge's `studentId` /
    `sisSourcedId`): personal data (colleges use SSNs as student ids), so the column must be PII and
    reaches the lake only as `local_id_key`. `roster_match`: a learner with no SSN is identified by
    that key through the provider's roster (Open Badges / CLR subjects).
    """

    ssn: str | None
    last_name: str | None
    first_name: str | None
    birth_date: str | None
    invalid_ssn: str  # "reject" (wage rows) or "unknown" (education rows keep the row)
    ssn_hash: str | None = None
    ssn_salt: str | None = None
    local_id: str | None = None
    roster_match: bool = False


@dataclass(frozen=True)
class Expectation:
    type: str
    kwargs: dict
    reason: str

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")


class ContractError(ValueError):
    """A contract file is broken: an operator's or developer's error, named with file and key."""


@dataclass(frozen=True)
class FileMatch:
    """Which files of the layout's folder it reads: by suffix, and by name prefix when given."""

    suffixes: tuple[str, ...]
    name_prefix: str | None = None

    def matches(self, name: str) -> bool:
        lower = name.lower()
        return lower.endswith(self.suffixes) and lower.startswith(self.name_prefix or "")

    def overlaps(self, other: FileMatch) -> bool:
        """Whether some file name would match both (so a folder could not tell them apart)."""
        if not set(self.suffixes) & set(other.suffixes):
            return False
        a, b = self.name_prefix or "", other.name_prefix or ""
        return a.startswith(b) or b.startswith(a)

    def patterns(self) -> list[str]:
        return [f"{self.name_prefix or ''}*{suffix}" for suffix in self.suffixes]


@dataclass(frozen=True)
class Contract:
    layout: str
    kind: str
    file_format: str
    table: str
    description: str
    files: FileMatch
    reader: str  # "module:function", resolved by readers.reader_for
    fast_reader: str | None  # optional bulk loader tried first (readers.fast_reader_for)
    cacheable: bool
    depends_on: tuple[str, ...]
    load_order: int
    roster_role: str | None
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

    @property
    def patterns(self) -> list[str]:
        """The accepted files as the docs write them: `reference/providers*.csv`."""
        return [f"{self.kind}/{p}" for p in self.files.patterns()]

    @property
    def reader_inputs(self) -> tuple[str, ...]:
        """The ReadContext fields the reader reads (so the file cache keys on them)."""
        return tuple(d for d in self.depends_on if d in READ_CONTEXT_INPUTS)


def _file_match(where: str, spec: object) -> FileMatch:
    if not isinstance(spec, dict) or set(spec) - {"suffixes", "name_prefix"}:
        raise ContractError(f"{where}: 'files' must be an object with 'suffixes' (and 'name_prefix')")
    suffixes = spec.get("suffixes")
    if not (
        isinstance(suffixes, list)
        and suffixes
        and all(isinstance(x, str) and x.startswith(".") and x == x.lower() and len(x) > 1 for x in suffixes)
    ):
        raise ContractError(f'{where}: files.suffixes must be a non-empty list like [".csv"] (lower case)')
    prefix = spec.get("name_prefix")
    if prefix is not None and not (isinstance(prefix, str) and prefix and prefix == prefix.lower()):
        raise ContractError(f"{where}: files.name_prefix must be a non-empty lower-case string")
    return FileMatch(tuple(suffixes), prefix)


def _check_facts(where: str, ler: dict) -> None:
    """The landing-zone facts of a layout are complete and consistent (registry.py relies on them)."""
    if ler.get("kind") not in KINDS:
        raise ContractError(f"{where}: kind must be one of {', '.join(KINDS)}")
    for key in ("reader", "fast_reader"):
        name = ler.get(key)
        if (key == "reader" or name is not None) and not (
            isinstance(name, str) and name.count(":") == 1 and all(name.split(":"))
        ):
            raise ContractError(f"{where}: {key} must be a dotted 'package.module:function' name")
    if not isinstance(ler.get("cacheable"), bool):
        raise ContractError(f"{where}: cacheable must be true or false")
    depends = ler.get("depends_on")
    if not isinstance(depends, list) or set(depends) - set(DEPENDENCIES):
        raise ContractError(f"{where}: depends_on must be a list of {', '.join(DEPENDENCIES)}")
    if ROSTERS in depends and ler["cacheable"]:
        raise ContractError(f"{where}: a layout that depends on rosters (other files) cannot be cacheable")
    order = ler.get("load_order")
    if not (isinstance(order, int) and not isinstance(order, bool) and order >= 1):
        raise ContractError(f"{where}: load_order must be a whole number of at least 1")
    if ler.get("roster_role") not in ROSTER_ROLES:
        raise ContractError(f'{where}: roster_role must be null or "source"')


def _identity(where: str, spec: dict | None, columns: tuple[Column, ...]) -> Identity | None:
    """The identity block; a local id must be a PII column of the layout (it never reaches the lake
    in clear), and only a layout with a local id can match learners through a roster."""
    if not spec:
        return None
    try:
        identity = Identity(**spec)
    except TypeError as exc:
        raise ContractError(f"{where}.identity: {exc}") from exc
    pii = {c.name: c.pii for c in columns}
    if identity.local_id is not None and not pii.get(identity.local_id):
        raise ContractError(
            f"{where}.identity: local_id {identity.local_id!r} must name a column with "
            '"pii": true (local learner ids are personal data)'
        )
    if identity.roster_match and identity.local_id is None:
        raise ContractError(f"{where}.identity: roster_match needs a local_id")
    return identity


def load_contract(path: Path) -> Contract:
    doc = json.loads(path.read_text(encoding="utf-8"))
    ler = doc["meta"]["ler"]
    where = f"{path.name}: meta.ler"
    _check_facts(where, ler)
    columns = tuple(Column(c["name"], c["type"], bool(c["required"]), bool(c["pii"])) for c in ler["columns"])
    return Contract(
        layout=ler["layout"],
        kind=ler["kind"],
        file_format=ler["file_format"],
        table=ler["table"],
        description=ler["description"],
        files=_file_match(where, ler.get("files")),
        reader=ler["reader"],
        fast_reader=ler.get("fast_reader"),
        cacheable=ler["cacheable"],
        depends_on=tuple(ler["depends_on"]),
        load_order=ler["load_order"],
        roster_role=ler.get("roster_role"),
        columns=columns,
        natural_key=tuple(ler["natural_key"]),
        references=tuple(
            Reference(tuple(r["columns"]), r["table"], tuple(r["ref_columns"]), r["reason"])
            for r in ler.get("references", [])
        ),
        identity=_identity(where, ler.get("identity"), columns),
        expectations=tuple(
            Expectation(e["type"], dict(e["kwargs"]), e.get("meta", {}).get("reason", e["type"]))
            for e in doc["expectations"]
        ),
        suite=doc,
        path=path,
    )


@cache
def contracts(directory: Path = CONTRACTS_DIR) -> dict[str, Contract]:
    """Every layout contract of a contracts folder, by layout name."""
    found: dict[str, Contract] = {}
    for path in sorted(directory.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if "ler" in doc.get("meta", {}):
            contract = load_contract(path)
            if contract.layout in found:
                raise ContractError(
                    f"{path.name}: layout {contract.layout!r} is also defined in "
                    f"{found[contract.layout].path.name}"
                )
            found[contract.layout] = contract
    return found


def contract(layout: str) -> Contract:
    """A layout of the project's own contracts folder."""
    return contracts()[layout]


IDENTITY_LAKE_COLUMNS = (
    ("person_key", "VARCHAR"),
    ("local_id_key", "VARCHAR"),
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
