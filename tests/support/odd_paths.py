"""The "odd paths" scenario: the hand-built state with hostile names, run where paths are awkward.

One real `ler run` serves two rules (docs/reporting_rules.md §9): its landing zone and warehouse
live under a folder whose name has spaces, both quotes and non-ASCII letters (`it's a "test" — Zoë`),
so every step must quote paths it hands to SQL, Jinja or a shell; and its reference files give
providers and programs names that a spreadsheet would run as formulas, so the CSV exports must
neutralize them. Ids are unchanged, so every outcome except the names equals the hand-built run's.
Built once per session (scenarios.py) by whichever test asks first.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.support.scenarios import Scenario, build_once
from tests.support.shared_runs import run_into

ODD_FOLDER = "it's a \"test\" — Zoë"
# one per formula trigger (OWASP: = + - @ tab carriage return), each before the ordinary name
HOSTILE_PREFIXES = (
    '=HYPERLINK("http://example.invalid","x") ',
    "+SUM(1,2) ",
    "-2+3 ",
    "@SUM(A1) ",
    "\t",
    "\r",
)


def _make_hostile(path: Path, column: str) -> None:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for i, row in enumerate(rows):
        row[column] = HOSTILE_PREFIXES[i % len(HOSTILE_PREFIXES)] + row[column]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def odd_paths_run(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """The scenario, built on first use: its landing zone is `<root>/landing` and its warehouse
    `<root>/ware house` (a space), both under ODD_FOLDER."""

    def build(s: Scenario) -> None:
        from tests.test_outcome_rules import build_scenario

        odd = s.root / ODD_FOLDER
        build_scenario(odd / "landing")
        _make_hostile(odd / "landing" / "reference" / "providers.csv", "provider_name")
        _make_hostile(odd / "landing" / "reference" / "programs.csv", "program_name")
        run_into(s, landing=odd / "landing", warehouse=odd / "ware house")

    return build_once(tmp_path_factory, "odd_paths", build)


def odd_landing(s: Scenario) -> Path:
    return s.root / ODD_FOLDER / "landing"


def odd_warehouse(s: Scenario) -> Path:
    return s.root / ODD_FOLDER / "ware house"
