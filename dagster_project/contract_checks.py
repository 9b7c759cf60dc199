"""The `file_contracts` check of one kind: the judging pass's contract results, and the lake they built.

Ingestion compiles each layout's GX suite (`data_contracts/`) to SQL and judges every row once; a row
breaking an expectation is rejected, never loaded. What that pass found per expectation is written
beside the load manifest (`landing/contract_results.py`), and this check reports it without reading a
single row again (a second scan of 50 M wage rows cost minutes; `tests/test_contract_checks.py` keeps
the compiled SQL and GX's own engine in agreement on a sample instead). It fails, and so stops the
warehouse build, when what dbt is about to read is not what the pass judged:
- a loaded file of the manifest has no contract results (it was never judged, or its results were
  lost), or results name a file the manifest does not load;
- a lake table's row count (from the Parquet footers, no row is read) differs from the rows the
  manifest says loaded into it, or the contract results are missing altogether.

Metadata: counts only, never values (rows hold person data).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.landing.contract_results import KindContracts
from dagster_project.landing.registry import load_registry
from dagster_project.sqlutil import path_lit

LOADING = ("LOADED", "LOADED_WITH_REJECTS")


@dataclass(frozen=True)
class ContractReport:
    kind: str
    rows_checked: int  # rows of loaded files judged against their suites (duplicates aside)
    rejected: dict[str, int]  # "layout.column: expectation" -> rows rejected for breaking it
    problems: tuple[str, ...]  # why the lake is not what the pass judged; empty when it is

    @property
    def success(self) -> bool:
        return not self.problems

    def metadata(self) -> dict[str, object]:
        broken = {k: n for k, n in self.rejected.items() if n}
        return {
            "rows_checked": self.rows_checked,
            "expectations_run": len(self.rejected),
            "expectations_with_rejected_rows": len(broken),
            "rows_rejected_by_expectation": "; ".join(f"{k}: {n}" for k, n in sorted(broken.items()))
            or "none",
            "problems": "; ".join(self.problems) or "none",
            "judged_in": "ingestion (one pass per batch, data_contracts/ compiled to SQL)",
        }


def _manifest(con: duckdb.DuckDBPyConnection, audit: Path, kind: str) -> list[tuple[str, str, int]]:
    """(file name, layout, rows loaded) of the kind's files whose rows load."""
    path = audit / f"load_manifest__{kind}.parquet"
    if not path.exists():
        return []
    return con.execute(
        f"select file_name, layout, rows_loaded from read_parquet({path_lit(path)}) "
        f"where status in {LOADING!r} order by file_seq"
    ).fetchall()


def _lake_rows(con: duckdb.DuckDBPyConnection, folder: Path) -> int:
    """Rows of a lake table from its Parquet footers (no row is read)."""
    if not (folder.is_dir() and any(folder.glob("*.parquet"))):
        return 0
    return con.execute(
        f"select coalesce(sum(num_rows), 0) from parquet_file_metadata({path_lit(folder / '*.parquet')})"
    ).fetchall()[0][0]


def check_kind(kind: str, lake_dir: Path) -> ContractReport:
    audit = lake_dir / "_audit"
    results = KindContracts.read(audit, kind)
    if results is None:
        return ContractReport(kind, 0, {}, (f"no contract results for {kind}: ingestion did not finish",))
    con = duckdb.connect()
    try:
        loaded = _manifest(con, audit, kind)
        problems: list[str] = []
        unjudged = [name for name, _, _ in loaded if name not in results.files]
        if unjudged:
            problems.append(f"{len(unjudged)} loaded file(s) without contract results: {', '.join(unjudged)}")
        extra = sorted(set(results.files) - {name for name, _, _ in loaded})
        if extra:
            problems.append(f"{len(extra)} judged file(s) the manifest does not load: {', '.join(extra)}")
        registry = load_registry()
        expected: dict[str, int] = {}
        for _, layout, rows in loaded:
            table = registry.contract(layout).table
            expected[table] = expected.get(table, 0) + rows
        for table in registry.tables(kind):
            found = _lake_rows(con, lake_dir / table)
            if found != expected.get(table, 0):
                problems.append(
                    f"lake table {table} holds {found} rows, the manifest loaded {expected.get(table, 0)}"
                )
    finally:
        con.close()
    return ContractReport(kind, results.rows_judged, dict(results.rejected), tuple(problems))
