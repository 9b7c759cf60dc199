"""Publications (docs/reporting_rules.md §9): one folder per run, one atomic switch, the last N kept,
the paths users know kept working, a DuckDB 1.4 client able to open the database.

These call `publish()` on a small hand-built warehouse (a `reporting` schema with comments), so they
need no pipeline run; the end-to-end behaviour under kills is tests/test_crash_safety.py.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

import dagster_project.publication as publication
from dagster_project.publication import publish
from dagster_project.publication.files import PUBLISHED_STORAGE_VERSION
from tests.support.scenarios import shared_root

TABLE_COMMENT = "Outcomes per program and completion year (docs/reporting_rules.md §7.2)."
COLUMN_COMMENT = "Completers of the year, suppressed below the minimum cell."
OLD_CLIENT = "duckdb==1.4.4"  # the 1.4 LTS line analysts' tools carry


def make_warehouse(wh: Path, run_id: str = "run-1") -> Path:
    """A warehouse.duckdb with a two-table `reporting` schema, one row of run_metadata per call."""
    wh.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(wh / "warehouse.duckdb"))
    try:
        con.execute("create schema if not exists reporting")
        con.execute(
            "create table if not exists reporting.program_outcomes as select * from (values "
            "('P1', '=cmd', 12::bigint, -1234.5::double), ('P2', 'Plain', 0, 15080.0)) "
            "v(program_id, program_name, n_completers, median_earnings_q2)"
        )
        con.execute(f"comment on table reporting.program_outcomes is '{TABLE_COMMENT}'")
        con.execute(f"comment on column reporting.program_outcomes.n_completers is '{COLUMN_COMMENT}'")
        con.execute(
            "create table if not exists reporting.run_metadata (run_id varchar, finished_at timestamptz)"
        )
        con.execute("insert into reporting.run_metadata values (?, now())", [run_id])
    finally:
        con.close()
    return wh


def test_a_publication_is_one_folder_switched_in_whole(tmp_path: Path) -> None:
    wh = make_warehouse(tmp_path / "wh")
    result = publish(wh, "run-1")
    folder = wh / "publications" / "run-1"
    assert result.publication == folder and result.tables == {"program_outcomes": 2, "run_metadata": 1}
    # the paths users know are relative links through `current`, so a copied warehouse keeps working
    assert os.readlink(wh / "publications" / "current") == "run-1"
    assert os.readlink(wh / "published.duckdb") == "publications/current/published.duckdb"
    assert os.readlink(wh / "exports") == "publications/current/exports"
    manifest = json.loads((folder / "publication.json").read_text())
    assert manifest["run_id"] == "run-1" and manifest["tables"] == result.tables
    assert manifest["storage_version"] == PUBLISHED_STORAGE_VERSION
    assert set(manifest["files"]) == {
        "published.duckdb",
        *(f"exports/{t}.{ext}" for t in ("program_outcomes", "run_metadata") for ext in ("csv", "parquet")),
        # the codebook and the report belong to the same publication (docs/reporting_rules.md §9)
        "README.md",
        "exports/codebook.csv",
        "report/report.html",
        "report/report.pdf",
    }
    con = duckdb.connect(str(wh / "published.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from reporting.program_outcomes").fetchone()[0] == 2
        parquet = str(wh / "exports" / "run_metadata.parquet")
        assert con.execute("select count(*) from read_parquet(?)", [parquet]).fetchone()[0] == 1
    finally:
        con.close()


def test_the_publication_is_public_and_only_it(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        wh = make_warehouse(tmp_path / "wh")
        wh.chmod(0o700)
        publish(wh, "run-1")
    finally:
        os.umask(old)
    folder = wh / "publications" / "run-1"
    for path in [wh / "publications", folder, *folder.rglob("*")]:
        expected = 0o755 if path.is_dir() else 0o644
        assert stat.S_IMODE(path.stat().st_mode) == expected, path
    # others may pass through the warehouse folder to the publication, not list it
    assert stat.S_IMODE(wh.stat().st_mode) == 0o711
    assert stat.S_IMODE((wh / "warehouse.duckdb").stat().st_mode) == 0o600


def test_the_last_n_publications_stay_readable(tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    for n in range(1, 6):
        make_warehouse(wh, f"run-{n}")
        result = publish(wh, f"run-{n}", keep=3)
    assert [p.name for p in result.removed] == ["run-2"]
    folders = sorted(p.name for p in (wh / "publications").iterdir() if not p.is_symlink())
    assert folders == ["run-3", "run-4", "run-5"]
    assert os.readlink(wh / "publications" / "current") == "run-5"
    for name in folders:  # each kept publication opens and holds its own run as the newest
        con = duckdb.connect(str(wh / "publications" / name / "published.duckdb"), read_only=True)
        try:
            newest = "select run_id from reporting.run_metadata order by finished_at desc limit 1"
            assert con.execute(newest).fetchone()[0] == name
        finally:
            con.close()
    with pytest.raises(ValueError, match="LER_KEEP_PUBLICATIONS"):
        publish(wh, "run-6", keep=0)


def test_what_killed_runs_left_is_cleaned_up(tmp_path: Path) -> None:
    wh = make_warehouse(tmp_path / "wh")
    publish(wh, "run-1")
    # a half-built publication, a complete one never switched in, link and old-layout temporaries
    (wh / "publications" / ".building-run-x").mkdir()
    (wh / "publications" / ".link-current-99").symlink_to("run-1")
    orphan = wh / "publications" / "run-orphan"
    orphan.mkdir()
    (orphan / "publication.json").write_text(json.dumps({"run_id": "run-orphan", "published_at": "9999"}))
    (wh / ".published-old.duckdb").write_text("")
    make_warehouse(wh, "run-2")
    publish(wh, "run-2")
    assert sorted(p.name for p in (wh / "publications").iterdir()) == ["current", "run-1", "run-2"]
    assert not list(wh.glob(".published-*"))


def test_a_failed_publish_leaves_the_current_publication(tmp_path: Path, monkeypatch) -> None:
    wh = make_warehouse(tmp_path / "wh")
    publish(wh, "run-1")

    def disk_full(warehouse_db: Path, folder: Path, run_id: str, scratch: Path) -> dict[str, int]:
        (folder / "published.duckdb").write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "published.duckdb"))

    monkeypatch.setattr(publication, "write_publication_files", disk_full)
    with pytest.raises(OSError, match="No space left"):
        publish(wh, "run-2")
    assert os.readlink(wh / "publications" / "current") == "run-1"
    assert sorted(p.name for p in (wh / "publications").iterdir()) == ["current", "run-1"]  # space freed


def test_a_warehouse_of_the_old_layout_is_adopted(tmp_path: Path) -> None:
    """Before publications: `published.duckdb` a file, `exports` a link to `exports-<run>/`."""
    wh = make_warehouse(tmp_path / "wh", "run-old")
    con = duckdb.connect(str(wh / "published.duckdb"))
    con.execute("create schema reporting; create table reporting.run_metadata as select 'run-old' as run_id")
    con.close()
    (wh / "exports-run-old").mkdir()
    (wh / "exports-run-old" / "run_metadata.csv").write_text("run_id\nrun-old\n")
    (wh / "exports").symlink_to("exports-run-old", target_is_directory=True)
    make_warehouse(wh, "run-new")
    publish(wh, "run-new")
    assert sorted(p.name for p in (wh / "publications").iterdir()) == ["current", "run-new", "run-old"]
    old = wh / "publications" / "run-old"
    assert (old / "exports" / "run_metadata.csv").read_text() == "run_id\nrun-old\n"
    con = duckdb.connect(str(old / "published.duckdb"), read_only=True)
    assert con.execute("select run_id from reporting.run_metadata").fetchall() == [("run-old",)]
    con.close()
    assert os.readlink(wh / "exports") == "publications/current/exports"
    assert not list(wh.glob("exports-*"))


@pytest.fixture(scope="session")
def duckdb_14(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB 1.4 client installed once per session in a folder of its own (never in the venv)."""
    target = shared_root(tmp_path_factory) / "duckdb-1.4-client"
    with FileLock(str(target) + ".lock"):
        if not (target / "duckdb").is_dir():
            proc = subprocess.run(
                [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target)]
                + [OLD_CLIENT],
                capture_output=True,
                text=True,
                timeout=300,
            )
            if proc.returncode != 0:
                pytest.skip(f"cannot install {OLD_CLIENT} here: {proc.stderr.strip()[-300:]}")
    return target


@pytest.mark.slow
def test_published_database_opens_in_duckdb_1_4_with_its_comments(tmp_path: Path, duckdb_14: Path) -> None:
    wh = make_warehouse(tmp_path / "wh")
    publish(wh, "run-1")
    script = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "rows = con.execute('select program_id, program_name, n_completers, median_earnings_q2 "
        "from reporting.program_outcomes order by 1').fetchall()\n"
        "table = con.execute(\"select comment from duckdb_tables() where table_name = 'program_outcomes'\")"
        ".fetchone()[0]\n"
        "column = con.execute(\"select comment from duckdb_columns() where table_name = 'program_outcomes' "
        "and column_name = 'n_completers'\").fetchone()[0]\n"
        "print(json.dumps({'version': duckdb.__version__, 'rows': rows, 'table': table, 'column': column}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(duckdb_14)}
    proc = subprocess.run(
        [sys.executable, "-c", script, str(wh / "published.duckdb")], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout)
    assert seen["version"].startswith("1.4.")
    assert seen["rows"] == [["P1", "=cmd", 12, -1234.5], ["P2", "Plain", 0, 15080.0]]
    assert (seen["table"], seen["column"]) == (TABLE_COMMENT, COLUMN_COMMENT)
