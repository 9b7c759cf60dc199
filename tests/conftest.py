"""Shared fixtures. Third-party files come from ../shared (skipped cleanly when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dagster_project.project_paths import PROJECT_DIR

SHARED_DIR = Path(os.environ.get("LER_SHARED_DIR", PROJECT_DIR.parent / "shared"))
REALDATA_DIR = SHARED_DIR / "realdata"
EXAMPLE_DIR = SHARED_DIR / "spec" / "example"


@pytest.fixture(scope="session")
def realdata_dir() -> Path:
    if not REALDATA_DIR.is_dir():
        pytest.skip(f"real third-party files not present at {REALDATA_DIR}")
    return REALDATA_DIR


@pytest.fixture(scope="session")
def example_dir() -> Path:
    if not (EXAMPLE_DIR / "landing").is_dir():
        pytest.skip(f"spec worked example not present at {EXAMPLE_DIR}")
    return EXAMPLE_DIR
