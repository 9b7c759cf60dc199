"""Run the real pipeline in tests: `ler run` (Dagster end to end) or ingestion + `dbt build`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from dagster_project.dbt_manifest import dbt_command
from dagster_project.landing.ingest import ingest_kind
from dagster_project.project_paths import DBT_PROJECT_DIR
from dagster_project.settings import Settings

# 32+ characters, as a real run requires (LER_SPEC.md §4 v2).
TEST_KEY = "test-hash-key-for-the-suite-0123456789"


def ler_environ(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a `ler` subprocess: no LER_* of the caller's, the suite's key, then `env`."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LER_")}
    full_env["LER_HASH_KEY"] = TEST_KEY
    full_env.update(env or {})
    return full_env


def ler_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "ler"), *args]


def ler_run(
    landing: Path, warehouse: Path, *extra: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess:
    """`ler run` in a subprocess, exactly as an operator or the scheduler would call it."""
    proc = subprocess.run(
        ler_command("run", "--landing", str(landing), "--warehouse", str(warehouse), *extra),
        env=ler_environ(env),
        capture_output=True,
        text=True,
        timeout=900,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"ler run failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )
    return proc


def start_ler_run(landing: Path, warehouse: Path, *extra: str) -> subprocess.Popen:
    """`ler run` started in its own process group (so a test can kill the whole run), output discarded."""
    return subprocess.Popen(
        ler_command("run", "--landing", str(landing), "--warehouse", str(warehouse), *extra),
        env=ler_environ(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def build_warehouse(landing: Path, warehouse: Path, **settings: object) -> Settings:
    """Ingestion of every kind, then `dbt build` with the settings' vars (no Dagster: faster)."""
    s = Settings.load(
        {"landing_dir": landing, "warehouse_dir": warehouse, "hash_key": TEST_KEY, **settings}, environ={}
    )
    for kind in ("reference", "transcripts", "noncredit", "wages"):
        ingest_kind(kind, s, warn=lambda _m: None)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LER_")} | s.to_environ()
    variables = s.dbt_vars() | {"ler:run_id": "test-run"}
    # a target folder of its own, so this build never rewrites the manifest Dagster loaded
    target = warehouse / ".dbt-target"
    proc = subprocess.run(
        dbt_command("build", "--vars", json.dumps(variables), target_path=target),
        env=env,
        capture_output=True,
        text=True,
        cwd=DBT_PROJECT_DIR,
        timeout=900,
    )
    if proc.returncode != 0:
        raise AssertionError(f"dbt build failed:\n{proc.stdout[-6000:]}")
    return s


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def rows_as_dicts(db: Path | None, sql: str, params: list | None = None) -> list[dict]:
    """Rows as dicts, from a database file (read-only) or, with db None, an in-memory DuckDB."""
    con = duckdb.connect(str(db), read_only=True) if db else duckdb.connect()
    try:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
