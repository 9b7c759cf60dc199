"""Restricted from the first byte (docs/reporting_rules.md §9): everything a run writes under the
warehouse is owner-only, because the entry points set the umask to 077 before anything is written
(nothing is chmod-ed afterwards); only the publication is made readable, explicitly.

Checked on the session's real runs (the hand-built state, and the worked example, which has
quarantined files), whose files were written by ingestion, DuckDB, dbt (a child process, so it
inherits the umask) and the publish step.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_project.cli import main
from tests.support.scenarios import Scenario


def modes(wh: Path) -> tuple[dict[Path, int], dict[Path, int]]:
    """(restricted, public): the mode of every file and folder under the warehouse, links left out
    (they have no mode of their own), split by whether it belongs to the publications."""
    restricted, public = {}, {}
    for folder, dirs, files in os.walk(wh):
        for name in dirs + files:
            path = Path(folder, name)
            if path.is_symlink():
                continue
            side = public if path.relative_to(wh).parts[0] == "publications" else restricted
            side[path] = stat.S_IMODE(path.lstat().st_mode)
    return restricted, public


@pytest.mark.e2e
@pytest.mark.parametrize("scenario", ["rules_run", "example_run"])
def test_only_the_publication_is_readable_by_others(scenario: str, request: pytest.FixtureRequest) -> None:
    run: Scenario = request.getfixturevalue(scenario)
    restricted, public = modes(run.warehouse)
    must_exist = ["warehouse.duckdb", "lake", "logs", ".lock", ".tmp/dbt-target"]
    if scenario == "example_run":
        must_exist.append("quarantine")
    assert {run.warehouse / p for p in must_exist} <= set(restricted)
    open_to_others = {p: oct(m) for p, m in restricted.items() if m & 0o077}
    assert open_to_others == {}
    assert public and all(m == (0o755 if p.is_dir() else 0o644) for p, m in public.items())
    # others may pass through the warehouse folder to the publication, but not list it
    assert stat.S_IMODE(run.warehouse.stat().st_mode) & 0o077 == 0o011


@pytest.mark.slow
def test_the_code_location_sets_the_umask() -> None:
    """Runs the Dagster daemon or UI start load the code location: it sets the umask."""
    script = "import os; os.umask(0o022); import dagster_project.definitions; print(oct(os.umask(0o022)))"
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split()[-1] == "0o77"


def test_ler_run_sets_the_umask_before_anything_else(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LER_HASH_KEY", "x" * 40)
    previous = os.umask(0o022)
    try:
        assert main(["run", "--landing", str(tmp_path / "nowhere"), "--warehouse", str(tmp_path)]) == 1
        assert os.umask(0o022) == 0o077
    finally:
        os.umask(previous)


def test_every_ler_command_starts_owner_only(tmp_path: Path) -> None:
    """The `ler` entry point sets the umask before any command runs (record writers, feedback, ...)."""
    script = (
        "import os, sys; os.umask(0o022); from dagster_project import cli; sys.argv = ['ler', '--help']\n"
        "try:\n    cli.entry()\nexcept SystemExit:\n    pass\nprint(oct(os.umask(0o022)))"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split()[-1] == "0o77"
