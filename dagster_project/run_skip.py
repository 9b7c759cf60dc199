"""A run that finds nothing new does nothing (docs/reporting_rules.md §9, "A run with nothing new").

The nightly scheduler starts `ler run` whether or not a file arrived. When nothing that decides the
warehouse changed since the last run that completed on this warehouse, the run stops before
Dagster starts: it prints that nothing is new, publishes nothing, and exits 0. What decides the
warehouse, as one digest (`inputs_digest`):

* every landed file, by its path under the landing zone, size and modification time (what `make`
  and `rsync` compare; a file rewritten in place keeps neither);
* every setting in force (settings.py, folders included: a moved warehouse or landing zone runs
  once) and the person-key secret (as an HMAC fingerprint, never the secret);
* the code: every file of the Dagster package, the dbt project and the data contracts;
* the calendar day (UTC): rules that read the run date (the consent in force, the wage-data
  freshness check) may change their answer from one day to the next with the same files, so the
  first run of a day always runs.

The state is `<warehouse>/.last_run.json` (owner-only, digests and run ids only): written as
`running` before a run starts and as `succeeded` when it published. A run that was killed, failed
or is still going leaves `running`, so the next run does all the work. `ler run --full-refresh`
and `ler run --rebuild` never skip.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

from dagster_project.identity import key_fingerprint
from dagster_project.project_paths import DBT_PROJECT_DIR, PROJECT_DIR
from dagster_project.settings import Settings

STATE_NAME = ".last_run.json"
RUNNING, SUCCEEDED = "running", "succeeded"
# The code that decides what a run builds: the package, the dbt project, the file contracts.
CODE_FOLDERS = (PROJECT_DIR / "dagster_project", DBT_PROJECT_DIR, PROJECT_DIR / "data_contracts")
_NOT_CODE = {"target", "logs", "dbt_packages", "__pycache__"}


def landing_files(landing: Path) -> list[tuple[str, int, int]]:
    """(path under the landing zone, size, mtime in ns) of every file in it, sorted."""
    found = []
    for folder, dirs, files in os.walk(landing):
        dirs.sort()
        for name in files:
            path = Path(folder) / name
            st = path.stat()
            found.append((path.relative_to(landing).as_posix(), st.st_size, st.st_mtime_ns))
    return sorted(found)


def code_files() -> list[Path]:
    found = []
    for root in CODE_FOLDERS:
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in _NOT_CODE and not d.startswith("."))
            found += [Path(folder) / f for f in files if not f.endswith(".pyc")]
    return sorted(found)


def inputs_digest(settings: Settings, today: date) -> str:
    """Hex SHA-256 of what decides the warehouse (module docstring)."""
    digest = hashlib.sha256(b"ler-run-inputs-v1\0")
    digest.update(json.dumps(landing_files(settings.landing_dir)).encode())
    digest.update(json.dumps(settings.in_force(), sort_keys=True, default=str).encode())
    digest.update(bytes.fromhex(key_fingerprint(settings.hash_key, "ler-run-inputs")))
    for path in code_files():
        digest.update(str(path.relative_to(PROJECT_DIR)).encode() + b"\0" + path.read_bytes())
    digest.update(today.isoformat().encode())
    return digest.hexdigest()


def read_state(warehouse: Path) -> dict | None:
    try:
        state = json.loads((warehouse / STATE_NAME).read_text())
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def nothing_new(state: dict | None, digest: str, publication_exists: bool) -> bool:
    """True when the last run on the warehouse published and saw exactly these inputs (a pure
    rule: the caller reads the state and the publication)."""
    if not (publication_exists and state):
        return False
    return state.get("status") == SUCCEEDED and state.get("inputs_digest") == digest


def write_state(warehouse: Path, digest: str, status: str, run_id: str) -> None:
    """Replace the state file in one rename (a reader never sees half of it)."""
    tmp = warehouse / f"{STATE_NAME}.tmp-{os.getpid()}"
    tmp.write_text(json.dumps({"status": status, "inputs_digest": digest, "run_id": run_id}))
    os.replace(tmp, warehouse / STATE_NAME)
