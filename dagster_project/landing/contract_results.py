"""What the judging pass found for each expectation of a layout's suite: the `file_contracts` results.

Ingestion compiles each GX suite in `data_contracts/` to SQL and judges every row once
(`validate.py`); a row that breaks an expectation is rejected with the expectation's message among its
reasons. These results are counted from that same pass (over the batch's rejected rows, never a
second scan of the loaded ones), kept per file (so a cached file brings its own, `file_cache.py`),
and summed over the files that load into `lake/_audit/contracts__<kind>.json`, which the blocking
`file_contracts` check reads (`contract_checks.py`). Counts only: rows hold person data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dagster_project.landing.contracts import Contract, Expectation
from dagster_project.sqlutil import lit

FILE_NAME = "contracts__{kind}.json"


def expectation_message(e: Expectation) -> str:
    """The reason a row breaking `e` carries in audit.rejected_rows (`field: reason`)."""
    return f"{e.column}: {e.reason}"


def expectation_key(layout: str, e: Expectation) -> str:
    return f"{layout}.{e.column}: {e.type}"


def count_rejects(
    con: duckdb.DuckDBPyConnection, contract: Contract, rejected: str, file_idx: str
) -> dict[int, dict[str, int]]:
    """Per file of the batch: expectation key -> rows rejected for breaking it (zeros included)."""
    keys = [expectation_key(contract.layout, e) for e in contract.expectations]
    if not keys:
        return {}
    counts = ", ".join(
        f"count(*) filter (where list_contains(_reasons, {lit(expectation_message(e))}))"
        for e in contract.expectations
    )
    rows = con.execute(
        f"select {file_idx}, {counts} from "
        f"(select {file_idx}, string_split(reason, '; ') as _reasons from {rejected}) group by 1"
    ).fetchall()
    found = {r[0]: dict(zip(keys, r[1:], strict=True)) for r in rows}
    return found


@dataclass
class KindContracts:
    """The sum over one kind's loaded files of what the judging pass found."""

    kind: str
    rows_judged: int = 0  # rows of loaded files, exact duplicates left out
    rejected: dict[str, int] = field(default_factory=dict)  # expectation key -> rows rejected for it
    files: dict[str, str] = field(default_factory=dict)  # file name -> layout, every loaded file
    rows_loaded: dict[str, int] = field(default_factory=dict)  # lake table -> rows loaded

    def expect(self, contract: Contract) -> None:
        """Every expectation of a layout met in this kind is listed, even when nothing broke it."""
        for e in contract.expectations:
            self.rejected.setdefault(expectation_key(contract.layout, e), 0)

    def add(
        self, file_name: str, contract: Contract, judged: int, loaded: int, rejected: dict[str, int]
    ) -> None:
        self.expect(contract)
        self.rows_judged += judged
        self.files[file_name] = contract.layout
        self.rows_loaded[contract.table] = self.rows_loaded.get(contract.table, 0) + loaded
        for key, n in rejected.items():
            self.rejected[key] = self.rejected.get(key, 0) + n

    def write(self, audit_dir: Path) -> Path:
        path = audit_dir / FILE_NAME.format(kind=self.kind)
        body = {
            "kind": self.kind,
            "rows_judged": self.rows_judged,
            "rejected_by_expectation": dict(sorted(self.rejected.items())),
            "files": dict(sorted(self.files.items())),
            "rows_loaded": dict(sorted(self.rows_loaded.items())),
        }
        path.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
        return path

    @classmethod
    def read(cls, audit_dir: Path, kind: str) -> KindContracts | None:
        path = audit_dir / FILE_NAME.format(kind=kind)
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return cls(
            kind, body["rows_judged"], body["rejected_by_expectation"], body["files"], body["rows_loaded"]
        )

