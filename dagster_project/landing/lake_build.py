"""The lake build of one kind: write its Parquet files, its audit files and quarantine reports in a
scratch folder, then swap them into place (docs/submission_manual.md §5).

Nothing under `lake/<table>` or `quarantine/<kind>` changes until `swap_into_place`, so a run killed
while ingesting leaves the previous lake untouched; the swap itself is one rename per folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

import duckdb

from dagster_project.landing.contract_results import KindContracts
from dagster_project.landing.discovery import LandedFile
from dagster_project.landing.file_cache import CachedFile
from dagster_project.landing.registry import Registry
from dagster_project.landing.reports import write_quarantine_report
from dagster_project.landing.results import MANIFEST_COLUMNS, KindReport
from dagster_project.project_paths import WarehousePaths
from dagster_project.sqlutil import ident, lit, path_lit

# The lake's and the file cache's Parquet options. zstd at level 1, not DuckDB's default 3: a wage
# file's rows (mostly 64-character hex keys, which no level compresses much) write in 0.58 s instead
# of 0.81 s and come out slightly smaller (59.6 MB against 62.8 MB for 1.28 M rows).
PARQUET = "(format parquet, compression zstd, compression_level 1)"


def create_empty(con: duckdb.DuckDBPyConnection, relation: str, columns: Iterable[tuple[str, str]]) -> None:
    cols = ", ".join(f"{ident(n)} {t}" for n, t in columns)
    con.execute(f"create or replace temp table {relation} ({cols})")


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


class LakeBuild:
    def __init__(self, paths: WarehousePaths, kind: str, registry: Registry) -> None:
        self.paths, self.kind, self.registry = paths, kind, registry
        self.root = paths.lake / f".build-{kind}"
        self.quarantine_root = paths.quarantine / f".build-{kind}"

    def start(self) -> None:
        for stale in (self.root, self.quarantine_root):
            shutil.rmtree(stale, ignore_errors=True)
        self.root.mkdir(parents=True)

    def _out(self, table: str, first: int, last: int, layout: str) -> Path:
        out = self.root / table / f"{first:06d}_{last:06d}_{layout}.parquet"
        out.parent.mkdir(parents=True, exist_ok=True)
        return out

    def write_rows(
        self, con: duckdb.DuckDBPyConnection, select: str, table: str, seqs: list[int], layout: str
    ) -> None:
        """Write the loaded rows of consecutive files `seqs` (a query) as one Parquet file."""
        con.execute(f"copy ({select}) to {path_lit(self._out(table, seqs[0], seqs[-1], layout))} {PARQUET}")

    def link_cached(
        self, con: duckdb.DuckDBPyConnection, cached: CachedFile, f: LandedFile, table: str, layout: str
    ) -> None:
        """A cached file's rows: a hard link when nothing about the file moved on the timeline, else a
        copy with its current name and sequence number."""
        out = self._out(table, f.seq, f.seq, layout)
        if (cached.file_name, cached.file_seq) == (f.name, f.seq):
            os.link(cached.rows, out)
        else:
            con.execute(
                f"copy (select * replace ({lit(f.name)} as file_name, {f.seq}::integer as file_seq) "
                f"from read_parquet({path_lit(cached.rows)})) to {path_lit(out)} {PARQUET}"
            )

    def quarantine_report(
        self, f: LandedFile, reason: str, warnings: Iterable[str], problems: Iterable[tuple[int, str]]
    ) -> None:
        write_quarantine_report(
            self.quarantine_root / f"{_safe_name(f.name)}.errors.txt", f, reason, warnings, problems
        )

    def write_audit(
        self, con: duckdb.DuckDBPyConnection, report: KindReport, rejects: str, contracts: KindContracts
    ) -> None:
        """The kind's manifest, rejected rows, summary and contract results; empty tables for the
        kind's lake tables that got no rows (dbt's sources need every table)."""
        audit = self.root / "_audit"
        audit.mkdir(parents=True, exist_ok=True)
        create_empty(con, "_manifest", MANIFEST_COLUMNS)
        rows = [r.manifest_row() for r in report.files]
        if rows:
            con.executemany(
                f"insert into _manifest values ({', '.join('?' for _ in MANIFEST_COLUMNS)})", rows
            )
        con.execute(
            f"copy (select * from _manifest order by file_seq) to "
            f"{path_lit(audit / f'load_manifest__{self.kind}.parquet')} (format parquet)"
        )
        con.execute(
            f"copy (select * from {rejects} order by file_name, line_number) to "
            f"{path_lit(audit / f'rejected_rows__{self.kind}.parquet')} (format parquet)"
        )
        for table in self.registry.tables(self.kind):
            folder = self.root / table
            if not (folder.is_dir() and any(folder.glob("*.parquet"))):
                folder.mkdir(parents=True, exist_ok=True)
                create_empty(con, "_empty_table", self.registry.lake_schema(table))
                # not `_empty.parquet`: Spark (ler run --engine spark) skips files whose name starts
                # with `_` or `.`, and would find no file, hence no columns, in an empty table
                con.execute(f"copy _empty_table to {path_lit(folder / 'empty.parquet')} (format parquet)")
        (audit / f"report__{self.kind}.json").write_text(
            json.dumps(report.summary(), indent=2) + "\n", encoding="utf-8"
        )
        contracts.write(audit)

    def swap_into_place(self) -> None:
        """Replace this kind's lake tables, audit files and quarantine reports with the new build."""
        for table in self.registry.tables(self.kind):
            _replace_dir(self.root / table, self.paths.lake / table)
        audit = self.paths.lake / "_audit"
        audit.mkdir(parents=True, exist_ok=True)
        for item in (self.root / "_audit").iterdir():
            os.replace(item, audit / item.name)
        quarantine_dir = self.paths.quarantine / self.kind
        if self.quarantine_root.is_dir():
            _replace_dir(self.quarantine_root, quarantine_dir)
        else:
            shutil.rmtree(quarantine_dir, ignore_errors=True)
        shutil.rmtree(self.root, ignore_errors=True)


def _replace_dir(new: Path, old: Path) -> None:
    trash = old.with_name(old.name + ".old")
    shutil.rmtree(trash, ignore_errors=True)
    if old.exists():
        os.replace(old, trash)
    os.replace(new, old)
    shutil.rmtree(trash, ignore_errors=True)
