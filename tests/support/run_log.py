"""What a run's log file (`<warehouse>/logs/<run id>.log`, dagster_project/run_logs.py) says about
its asset checks: the run's instance may be ephemeral (`ler run`), but every check evaluation is a
line of the log, with its verdict and the description the check gave its result."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dagster_project.project_paths import WarehousePaths
from tests.support.pipeline import query

# Dagster 1.13.27's message of an ASSET_CHECK_EVALUATION event (dagster/_core/events/__init__.py)
_EVALUATION = re.compile(
    r"ASSET_CHECK_EVALUATION - Asset check '(?P<check>[^']+)' on '(?P<asset>[^']+)' "
    r"(?P<verdict>passed|did not pass)\.(?: Description: '(?P<description>.*)')?$"
)


@dataclass(frozen=True)
class Evaluation:
    passed: bool
    description: str


def check_evaluations(log: Path) -> dict[tuple[str, str], Evaluation]:
    """(asset key, check name) -> the check's verdict and description, from one run's log."""
    found = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        m = _EVALUATION.search(line)
        if m:
            found[(m["asset"], m["check"])] = Evaluation(m["verdict"] == "passed", m["description"] or "")
    return found


def latest_run_id(warehouse: Path) -> str:
    """The run id of the warehouse's latest run (marts.run_metadata)."""
    rows = query(
        WarehousePaths(warehouse).warehouse_db,
        "select run_id from marts.run_metadata order by finished_at desc limit 1",
    )
    return rows[0][0]


def latest_run_checks(warehouse: Path) -> dict[tuple[str, str], Evaluation]:
    """The check evaluations of the warehouse's latest run."""
    return check_evaluations(WarehousePaths(warehouse).run_log(latest_run_id(warehouse)))
