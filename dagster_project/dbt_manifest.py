"""Keep dbt's manifest current, because Dagster builds the dbt assets from it at import time, and
give every dbt invocation of the project the same rendered profile, so dbt's partial parse carries
over from one warehouse to the next.

`DbtProject.prepare_if_dev()` only parses under `dagster dev`; `ler run`, the tests and the
scheduler call `ensure_manifest()`, which runs `dbt parse` when the manifest is missing or older
than any file of the dbt project.

Why the environment matters (dbt-core 1.11 `ManifestLoader.is_partial_parsable`): dbt re-parses the
whole project (about 12 s here) unless the `--vars`, the rendered connection settings of the
profile and the env vars read in dbt_project.yml are those of the saved `partial_parse.msgpack`.
The profile and the lake sources name the warehouse folder through `LER_WAREHOUSE_DIR`, so with an
absolute folder every new warehouse would re-parse everything. `dbt_environment()` therefore runs
dbt with `LER_WAREHOUSE_DIR=~` and `HOME` set to the warehouse folder: the rendered profile is
`~/warehouse.duckdb` for every warehouse and DuckDB expands `~` itself (in the database path and in
`read_parquet`). The project-level `target/partial_parse.msgpack` that `ensure_manifest()` writes
with that environment is the seed dagster-dbt copies into each warehouse's target folder, so even
the first run in a new warehouse parses only what changed.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import tempfile
from pathlib import Path

from dagster_project.project_paths import DBT_PROJECT_DIR, dbt_executable
from dagster_project.settings import DUCKDB_MEMORY_LIMIT_DEFAULT

TARGET = DBT_PROJECT_DIR / "target"
MANIFEST = TARGET / "manifest.json"
PARTIAL_PARSE = TARGET / "partial_parse.msgpack"
# Held while one process parses, so processes that start together (the workers of a test session,
# `dagster dev` beside `ler run`) parse once and the others wait for its manifest.
PARSE_LOCK = TARGET / ".parse.lock"
_WATCHED = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests", "docs")
# What `LER_WAREHOUSE_DIR` is for dbt: the warehouse folder, reached through HOME (see above).
WAREHOUSE_FOR_DBT = "~"
# The rest of the rendered profile of the partial-parse seed: what a run with default settings
# passes (dbt/profiles.yml `config_options`; assets/dbt.py dbt_run_environment).
SEED_PROFILE_ENVIRONMENT = {"LER_DUCKDB_MEMORY_LIMIT": DUCKDB_MEMORY_LIMIT_DEFAULT}


def _newest_source_mtime(project: Path) -> float:
    newest = 0.0
    for name in _WATCHED:
        path = project / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            for f in path.rglob("*"):
                if f.is_file():
                    newest = max(newest, f.stat().st_mtime)
    return newest


def manifest_is_stale(project: Path = DBT_PROJECT_DIR, manifest: Path = MANIFEST) -> bool:
    return not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(project)


def dbt_environment(warehouse_dir: Path) -> dict[str, str]:
    """The environment variables under which dbt sees `warehouse_dir` (merge into the child's env).

    The same rendered profile for every warehouse, so partial parsing stays valid (module docstring).
    """
    return {"LER_WAREHOUSE_DIR": WAREHOUSE_FOR_DBT, "HOME": str(Path(warehouse_dir).resolve())}


def dbt_command(*args: str, target_path: Path | None = None) -> list[str]:
    """A `dbt` command line for this project with the venv's own dbt (parse, build ...).

    Used outside Dagster (manifest preparation, tests, benchmarks); inside Dagster the dbt resource
    is configured the same way (resources.py). Run it with `dbt_environment()` in its environment.
    """
    command = [
        dbt_executable(),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
    ]
    if target_path is not None:
        command += ["--target-path", str(target_path)]
    return command


def ensure_manifest() -> Path:
    """Parse the project when it changed: `target/manifest.json` for Dagster and
    `target/partial_parse.msgpack`, the partial-parse seed of every warehouse's dbt build.

    Parsed into a scratch folder and moved into place, so a concurrent reader (another process
    importing the definitions, dagster-dbt copying the seed) never sees half a file; under
    `PARSE_LOCK`, so of processes that find it stale at once one parses (a full parse is about
    12 s) and the others, once it is done, find it fresh.
    """
    if not manifest_is_stale():
        return MANIFEST
    TARGET.mkdir(parents=True, exist_ok=True)
    with PARSE_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not manifest_is_stale():  # parsed by another process while this one waited
            return MANIFEST
        with tempfile.TemporaryDirectory(prefix=".parse-", dir=TARGET) as scratch:
            # no warehouse is opened by `dbt parse`; HOME only has to be a folder of its own.
            # The seed is rendered with the default memory limit whoever parses, so a run with the
            # default settings keeps it (a caller's own LER_DUCKDB_MEMORY_LIMIT, e.g. a test's,
            # made every later default run re-parse the whole project in its new warehouse).
            env = dict(os.environ) | dbt_environment(Path(scratch)) | SEED_PROFILE_ENVIRONMENT
            subprocess.run(
                dbt_command("parse", "--quiet", target_path=Path(scratch)),
                check=True,
                env=env,
                cwd=DBT_PROJECT_DIR,
            )
            for artifact in (PARTIAL_PARSE, MANIFEST):  # the manifest last: its mtime says "fresh"
                if (Path(scratch) / artifact.name).exists():  # no msgpack when partial parsing is off
                    os.replace(Path(scratch) / artifact.name, artifact)
    return MANIFEST


def seed_partial_parse(target_path: Path) -> None:
    """Copy the project's partial-parse seed into a warehouse's dbt target, owner-only.

    dagster-dbt would copy it with `shutil.copy`, which keeps the project file's mode (0644 when
    the project was parsed under a permissive umask), leaving a world-readable file inside the
    restricted warehouse; it skips the copy when the file is already there.
    """
    destination = target_path / PARTIAL_PARSE.name
    if destination.exists() or not PARTIAL_PARSE.exists():
        return
    target_path.mkdir(parents=True, exist_ok=True, mode=0o700)
    scratch = destination.with_suffix(".partial")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(PARTIAL_PARSE.read_bytes())
    os.replace(scratch, destination)
