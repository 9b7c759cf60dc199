"""The codebook of a publication (issue 11; docs/reporting_rules.md §9): what every published column
means and how it is suppressed, inside `published.duckdb` and next to the exports.

One source for each part, so the codebook cannot drift from what the warehouse does:

- **descriptions** are the dbt docs: the descriptions of the reporting models and their columns in
  dbt's manifest (docs blocks already resolved by dbt's parse). They become the table and column
  comments of `published.duckdb` wherever the warehouse carries none (a warehouse comment, as dbt's
  `persist_docs` would write it, is kept as it is).
- **how a column is suppressed** is derived from the `suppression_holds` test that each reporting
  model declares (`dbt/tests/generic/suppression_holds.sql`): its counts, statistics (denominator,
  rounding, the counts a statistic follows), pairs, complemented counts and pass-through columns are
  exactly what every build checks on every published cell (docs/reporting_rules.md §8), and its
  `complementary_suppression_holds` test names the published whole of rule 3.

What a publication gets: the comments, `exports/codebook.csv` (table, column, type, description,
suppression; spreadsheet-safe like every CSV export) and `README.md` (how to open the files and
read a suppressed cell). `read_codebook` gives the rows back to `ler export` and the report.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.sqlutil import ident, lit

CODEBOOK_NAME = "codebook.csv"
README_NAME = "README.md"
CODEBOOK_COLUMNS = ("table", "column", "type", "description", "suppression")
SUPPRESSION_TEST = "suppression_holds"
COMPLEMENT_TEST = "complementary_suppression_holds"
# the row's own record of rule 6 (docs/reporting_rules.md §8)
RECORD_COLUMNS = {
    "suppressed_columns": "Rule 6: the record of this row's hidden cells (nothing of it is hidden).",
    "suppressed": "Rule 6: true when suppressed_columns is not null (never hidden).",
}
NOT_SUPPRESSED = "Not suppressed: this table has no suppression rule; it is published as it is."
_REF = re.compile(r"""ref\(\s*['"]([^'"]+)['"]\s*\)""")


@dataclass(frozen=True)
class TableDoc:
    """The dbt docs of one published table: its description and, per column, description and
    suppression text."""

    description: str
    columns: dict[str, str]
    suppression: dict[str, str]


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _rounding(decimals: object, column: str) -> str:
    if decimals is None:
        return ""
    if decimals == 0:
        return "; rounded to whole dollars, half away from zero (rule 5)"
    return f"; rounded to {decimals} decimals, half away from zero (rule 5)"


def suppression_texts(
    columns: list[str], rules: dict[str, Any] | None, whole: str | None = None
) -> dict[str, str]:
    """How each column of a published table is suppressed, in words, from the kwargs of its
    `suppression_holds` test (None: the table has none) and the name of its rule-3 whole."""
    if rules is None:
        return {c: NOT_SUPPRESSED for c in columns}
    counts = list(rules.get("counts") or [])
    stats = dict(rules.get("stats") or {})
    pairs = dict(rules.get("pairs") or {})
    complemented = set(rules.get("complemented") or [])
    grain = set(rules.get("grain") or [])
    texts = {}
    for c in columns:
        if c in RECORD_COLUMNS:
            texts[c] = RECORD_COLUMNS[c]
        elif c in counts:
            text = "Count: null when it is 1 to LER_MIN_CELL - 1 (rule 1; 0 stays 0)"
            if c in complemented:
                of = f"one {whole} row" if whole else "one published whole"
                text += (
                    f", or when it is hidden as the complement of another hidden {c} among the rows "
                    f"of {of} (rule 3)"
                )
            if c in pairs:
                text += f", or whenever {pairs[c]} is hidden (rule 3)"
            texts[c] = text + ". Listed in suppressed_columns when hidden."
        elif c in stats:
            denominator, decimals, follows = (list(stats[c]) + [None, None, None])[:3]
            text = f"Statistic: null when its denominator {denominator} is below LER_MIN_CELL (rule 2)"
            if follows:
                text += f", or when {_listing(list(follows))} is hidden (rule 4)"
            texts[c] = text + _rounding(decimals, c) + ". Listed in suppressed_columns when hidden."
        elif c in grain:
            texts[c] = "Never suppressed: part of the row's key."
        else:
            texts[c] = "Never suppressed: published as in the restricted warehouse."
    return texts


def published_docs(manifest: dict[str, Any], schema: str) -> dict[str, TableDoc]:
    """The dbt docs of every model of `schema` in a dbt manifest, by published table name (alias)."""
    models = {
        uid: node
        for uid, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") == "model" and node.get("schema") == schema
    }
    by_name = {node["name"]: node.get("alias") or node["name"] for node in models.values()}
    rules: dict[str, dict[str, Any]] = {}
    wholes: dict[str, str] = {}
    for node in manifest.get("nodes", {}).values():
        meta = node.get("test_metadata") or {}
        attached = node.get("attached_node")
        if node.get("resource_type") != "test" or attached not in models:
            continue
        kwargs = meta.get("kwargs") or {}
        if meta.get("name") == SUPPRESSION_TEST:
            rules[attached] = kwargs
        elif meta.get("name") == COMPLEMENT_TEST:
            found = _REF.search(str(kwargs.get("whole", "")))
            if found:
                wholes[attached] = by_name.get(found.group(1), found.group(1))
    docs = {}
    for uid, node in models.items():
        names = list(node.get("columns", {}))
        docs[node.get("alias") or node["name"]] = TableDoc(
            description=(node.get("description") or "").strip(),
            columns={c: _one_line(col.get("description", "")) for c, col in node["columns"].items()},
            suppression=suppression_texts(names, rules.get(uid), wholes.get(uid)),
        )
    return docs


def load_published_docs(manifest_path: Path, schema: str) -> dict[str, TableDoc]:
    return published_docs(json.loads(Path(manifest_path).read_text(encoding="utf-8")), schema)


def describe_tables(
    con: duckdb.DuckDBPyConnection, catalog: str, schema: str, tables: list[str], docs: dict[str, TableDoc]
) -> None:
    """Comment every table and column of `catalog.schema` that has no comment with its dbt docs."""
    have_table = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where database_name = ? and schema_name = ? "
            "and coalesce(comment, '') <> ''",
            [catalog, schema],
        ).fetchall()
    }
    columns = con.execute(
        "select table_name, column_name, coalesce(comment, '') <> '' from duckdb_columns() "
        "where database_name = ? and schema_name = ?",
        [catalog, schema],
    ).fetchall()
    present = {(t, c) for t, c, _ in columns}
    have_column = {(t, c) for t, c, commented in columns if commented}
    for table in tables:
        doc = docs.get(table)
        if doc is None:
            continue
        relation = f"{ident(catalog)}.{ident(schema)}.{ident(table)}"
        if table not in have_table and doc.description:
            con.execute(f"comment on table {relation} is {lit(doc.description)}")
        for column, text in doc.columns.items():
            if text and (table, column) in present and (table, column) not in have_column:
                con.execute(f"comment on column {relation}.{ident(column)} is {lit(text)}")


def codebook_relation(
    con: duckdb.DuckDBPyConnection, catalog: str, schema: str, docs: dict[str, TableDoc]
) -> str:
    """A temporary table `codebook` with one row per published column (table order, column order)
    and its SQL name: the type and description as the published database has them."""
    rows = con.execute(
        "select table_name, column_name, data_type, coalesce(comment, '') from duckdb_columns() "
        "where database_name = ? and schema_name = ? order by table_name, column_index",
        [catalog, schema],
    ).fetchall()
    con.execute(
        "create or replace temp table codebook "
        '("table" varchar, "column" varchar, type varchar, description varchar, suppression varchar)'
    )
    con.executemany(
        "insert into codebook values (?, ?, ?, ?, ?)",
        [
            (t, c, kind, _one_line(text), docs[t].suppression.get(c, "") if t in docs else "")
            for t, c, kind, text in rows
        ],
    )
    return "temp.main.codebook"


def read_codebook(publication: Path) -> list[dict[str, str]]:
    """The rows of a publication's `exports/codebook.csv` ([] for a publication written before it)."""
    path = Path(publication) / "exports" / CODEBOOK_NAME
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def readme_text(tables: dict[str, int], codebook: list[tuple[str, str, str]], facts: dict[str, Any]) -> str:
    """The publication's README.md: what the folder holds, how to open it, how to read a hidden cell.

    `codebook` is (table, column, type) of every published column; `facts` the run's
    `run_metadata` row (its keys may be missing in a publication of an older layout)."""
    code_columns = sorted({c for _t, c, kind in codebook if kind.upper() == "VARCHAR"})
    dtype = ", ".join(f'"{c}": str' for c in code_columns if not c.startswith("suppressed"))
    lines = [
        "# This publication",
        "",
        f"Run `{facts.get('run_id', '?')}`, finished {facts.get('finished_at', '?')}; wage data through "
        f"{facts.get('wage_data_through', '?')}; minimum cell (LER_MIN_CELL) {facts.get('min_cell', '?')}. "
        "Every table is the `reporting` schema of the warehouse: aggregates only, suppressed "
        "(docs/reporting_rules.md §8). Nothing in this folder is row-level.",
        "",
        "| file | what it is |",
        "|---|---|",
        "| `published.duckdb` | every table below, with a comment on each table and column (the codebook) |",
        "| `exports/<table>.parquet` | each table as Parquet, types kept (codes stay text) |",
        "| `exports/<table>.csv` | each table as CSV: text cells quoted, a text that starts with `=`, `+`, "
        "`-`, `@`, a tab or a carriage return prefixed with `'` so it cannot run as a formula |",
        f"| `exports/{CODEBOOK_NAME}` | one row per published column: table, column, type, description, "
        "how it is suppressed |",
        "| `report/report.html`, `report/report.pdf` | the legislative report built from these tables |",
        "| `publication.json` | the run, the time of publication, the rows of each table, every file |",
        "",
        "Tables (rows): " + ", ".join(f"`{t}` ({n})" for t, n in sorted(tables.items())) + ".",
        "",
        "## Opening the files",
        "",
        "- DuckDB 1.4 or later (CLI, Python, R, DBeaver): `duckdb -readonly published.duckdb`, then "
        '`select * from reporting.program_outcomes`; `ler query "SQL"` does the same on the current '
        "publication.",
        "- pandas: `pd.read_parquet('exports/program_outcomes.parquet')` keeps every type. A CSV read "
        "with pandas' defaults turns codes that look like numbers into numbers (CIP `01.0000` becomes "
        "`1.0`, quoting does not stop it): read the text columns as text, "
        f"`pd.read_csv(path, dtype={{{dtype}}})` (every VARCHAR column of `{CODEBOOK_NAME}`).",
        "- Excel: `ler export TABLE --format xlsx` writes typed columns, codes as text and a codebook sheet.",
        "",
        "## Reading a suppressed cell",
        "",
        "A blank (null) cell is either hidden or not computable. Every row says which: "
        "`suppressed_columns` lists, `;`-joined, the columns of that row hidden by the suppression "
        "rules 1-4 (a small count, a statistic over fewer than LER_MIN_CELL people, a complement that "
        "would let a hidden cell be recovered by subtraction, a rate whose count is hidden), and "
        "`suppressed` is true when it lists any. A null column not listed there is not computable "
        "(nobody to measure, a value-added earnings with fewer than LER_VAE_MIN_N earners). Never "
        "recompute a hidden cell from other cells: the rules make sure it cannot be done. The "
        f"`suppression` column of `{CODEBOOK_NAME}` says how each column is suppressed.",
        "",
    ]
    return "\n".join(lines)
