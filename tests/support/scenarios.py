"""Build an end-to-end scenario once per test session, even when pytest-xdist runs several workers.

A full pipeline run costs tens of seconds, so every landing zone the suite runs through `ler run` is
built once and shared: the first worker that asks builds it under a folder both workers can see,
holding a file lock; the other waits for the lock and reuses the result. Tests never modify a shared
scenario: tests that rerun, kill or otherwise change a warehouse work on `copy_scenario()`.

A build that fails is remembered (its error is raised to every test that asks again), so one broken
build is reported once per test instead of being retried by each.
"""

from __future__ import annotations

import json
import shutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

DONE, FAILED = ".done", ".failed"


@dataclass(frozen=True)
class Scenario:
    """A landing zone and the warehouse `ler run` built from it, plus what the run printed."""

    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def db(self) -> Path:
        return self.warehouse / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.warehouse / "published.duckdb"

    @property
    def output(self) -> dict[str, str]:
        """stdout / stderr of the run(s) that built it (empty when none were recorded)."""
        path = self.root / "output.json"
        return json.loads(path.read_text()) if path.exists() else {"stdout": "", "stderr": ""}

    def record_output(self, stdout: str, stderr: str) -> None:
        (self.root / "output.json").write_text(json.dumps({"stdout": stdout, "stderr": stderr}))


def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this session sees (the workers' base temp folders' parent)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if base.name.startswith("popen-gw") else base
    folder = root / "shared-scenarios"
    folder.mkdir(exist_ok=True)
    return folder


def build_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Scenario], None]
) -> Scenario:
    """The scenario `name`, built by `build(scenario)` the first time any worker asks for it."""
    return build_once_in(shared_root(tmp_path_factory), name, build)


def build_once_in(folder: Path, name: str, build: Callable[[Scenario], None]) -> Scenario:
    """build_once() in the shared folder `folder` (also the prebuilder's entry: shared_runs.py)."""
    root = folder / name
    with FileLock(str(root) + ".lock"):
        if (root / DONE).exists():
            return Scenario(root)
        if (root / FAILED).exists():
            raise AssertionError(f"scenario {name} failed to build:\n{(root / FAILED).read_text()}")
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir()
        scenario = Scenario(root)
        try:
            build(scenario)
        except BaseException:
            (root / FAILED).write_text(traceback.format_exc()[-8000:])
            raise
        (root / DONE).touch()
        return scenario


def copy_scenario(scenario: Scenario, destination: Path) -> Scenario:
    """A private copy (landing zone and warehouse, symlinks kept) that a test may change."""
    destination.mkdir(parents=True, exist_ok=True)
    for part in ("landing", "warehouse"):
        source = scenario.root / part
        if source.exists():
            shutil.copytree(source, destination / part, symlinks=True, copy_function=shutil.copy2)
    copy = Scenario(destination)
    output = scenario.output
    copy.record_output(output["stdout"], output["stderr"])
    return copy
