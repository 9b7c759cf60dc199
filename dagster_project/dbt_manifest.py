"""Keep dbt's manifest current, because Dagster builds the dbt assets from it at import time.

`DbtProject.prepare_if_dev()` only parses under `dagster dev`; `ler run`, the tests and the
scheduler call `ensure_manifest()`, which runs `dbt parse` when the manifest is missing or older
than any file of the dbt project.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from dagster_project.project_paths import DBT_PROJECT_DIR
from dagster_project.resources import dbt_executable

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
_WATCHED = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests", "docs")


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


def dbt_command(*args: str, target_path: Path | None = None) -> list[str]:
    """A `dbt` command line for this project with the venv's own dbt (parse, build ...).

    Used outside Dagster (manifest preparation, tests, benchmarks); inside Dagster the dbt resource
    is configured the same way (resources.py).
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
    if manifest_is_stale():
        env = dict(os.environ)
        env.setdefault("LER_WAREHOUSE_DIR", str(DBT_PROJECT_DIR / "target" / "parse-only"))
        subprocess.run(dbt_command("parse", "--quiet"), check=True, env=env, cwd=DBT_PROJECT_DIR)
    return MANIFEST
