"""A batch's CSV files read in one DuckDB read (batch.PendingBatch.read_queued, csv_fast.CsvFastReader)
give the lake exactly what reading each file by the Python path gives: same rows, line numbers,
rejects and verdicts, also when the read declines a file (Windows-1252 past its first 64 KiB, read
by the Python path instead) and when the Python path then quarantines one (a NUL byte past its head).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dagster_project.landing.formats import csv_fast
from dagster_project.landing.ingest import ingest_kind
from dagster_project.settings import Settings
from tests.support.batch_reads import count_batch_reads
from tests.support.landing import LandingBuilder
from tests.support.pipeline import TEST_KEY

QUARTERS = ("2024Q1_20240515", "2024Q2_20240815", "2024Q3_20241115", "2024Q4_20250215")


def _landing(root: Path) -> Path:
    b = LandingBuilder(root)
    b.provider("P1")
    people = [b.person() for _ in range(3_000)]
    for q, name in enumerate(QUARTERS, start=1):
        for i, p in enumerate(people):
            b.wage(f"ui_wages_{name}.csv", p, 2024, q, 1000 + i if i % 97 else -5)  # some rows rejected
    land = b.write()
    wages = land / "wages"
    q2, q3 = (wages / f"ui_wages_{QUARTERS[i]}.csv" for i in (1, 2))
    q2.write_bytes(q2.read_bytes() + "123456789,JOSÉ,X,1000000001,,2024,2,1,,,\n".encode("cp1252"))
    q3.write_bytes(q3.read_bytes() + b"123456789,\x00,X\n")
    for f in wages.iterdir():
        assert f.stat().st_size > 2 * csv_fast.MIN_FAST_BYTES, f.name  # past the sniffed head
    return land


def _ingest(land: Path, wh: Path) -> tuple[dict, list[tuple]]:
    s = Settings.load({"landing_dir": land, "warehouse_dir": wh, "hash_key": TEST_KEY}, environ={})
    report = ingest_kind("wages", s, warn=lambda _m: None)
    verdicts = {
        r.file.name: (r.status, r.counts.rows_loaded, r.counts.rows_rejected, r.message) for r in report.files
    }
    lake = duckdb.sql(
        f"select * from read_parquet('{wh}/lake/wages/*.parquet') order by file_seq, line_number"
    ).fetchall()
    rejects = duckdb.sql(
        f"select * from read_parquet('{wh}/lake/_audit/rejected_rows__wages.parquet') "
        "order by file_name, line_number"
    ).fetchall()
    return verdicts, lake + rejects


def test_the_batch_read_gives_what_the_python_path_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    land = _landing(tmp_path / "landing")
    read_together = count_batch_reads(monkeypatch)
    batch = _ingest(land, tmp_path / "wh_batch")
    # the four files in one read, then each alone (a Windows-1252 byte stopped it); the two files
    # it declines are read by the Python path, not by DuckDB once more
    assert read_together == [len(QUARTERS), 1, 1, 1, 1]
    monkeypatch.setattr(csv_fast, "MIN_FAST_BYTES", 1 << 40)  # every file by the Python path
    python = _ingest(land, tmp_path / "wh_python")
    assert batch == python
    verdicts = batch[0]
    q1, q2, q3, q4 = (verdicts[f"ui_wages_{q}.csv"] for q in QUARTERS)
    assert q1[:3] == q4[:3] == ("LOADED_WITH_REJECTS", 3_000 - 31, 31)
    assert q2[:3] == ("LOADED_WITH_REJECTS", 3_000 - 31 + 1, 31)  # read as Windows-1252
    assert q3[0] == "QUARANTINED" and "NUL" in q3[3]
