"""Run the real pipeline in tests: `ler run` in a subprocess, as an operator or the scheduler would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

# 32+ characters, as a real run requires (docs/submission_manual.md §4 v2).
TEST_KEY = "test-hash-key-for-the-suite-0123456789"


def ler_environ(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a `ler` subprocess: no LER_* of the caller's and no DAGSTER_HOME (each run is
    recorded in its own warehouse's instance), the suite's key, then `env`."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LER_") and k != "DAGSTER_HOME"}
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
