"""The dbt unit-test layer: every rule model on hand-written rows, in seconds, without a pipeline build.

The cases are dbt `unit_tests:` in dbt/models/unit_tests/*.yml (one file per rule family, the
arithmetic of every expected value in a comment next to it; README.md there says how to add one).
tests/support/dbt_unit.py runs them all on an empty warehouse in a child process; one test here
reports every case that did not pass by name, with dbt's diff. The end-to-end rule tests
(test_outcome_rules.py) still check the same rules through ingestion and the full pipeline.

The work folder (empty warehouse and dbt target) lives in pytest's cache when there is one, so dbt
re-parses only what changed since the last run; a lock keeps two sessions from sharing it at once.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from filelock import FileLock

from tests.support.dbt_unit import UnitRun, run_unit_tests, unit_test_definitions

# The models that implement the rules of docs/reporting_rules.md §6-§8, each of which must keep at
# least one unit test (the YAML file that holds them in brackets).
RULE_MODELS = {
    "int_wages__records": "amendments (wages.yml)",
    "int_wages__person_quarters": "sum over employers, primary employer (wages.yml)",
    "int_wages__coverage": "wage_data_through and the lag (wages.yml)",
    "int_outcomes__completion_measures": "observed quarters and years, attachment (completion_measures.yml)",
    "dim_programs": "program length and in-demand flags (programs.yml)",
    "wpell_program_outcomes": "Workforce Pell measures, flags, status (wpell_program_outcomes.yml)",
    "program_outcomes": "legislative measures by program (completion_outcomes.yml)",
    "statewide_outcomes": "legislative measures statewide (completion_outcomes.yml)",
    "rpt_wpell_program_outcomes": "suppression (suppression.yml)",
    "rpt_program_outcomes": "suppression (suppression.yml)",
    "rpt_statewide_outcomes": "suppression (suppression.yml)",
}


@pytest.fixture(scope="module")
def unit_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> UnitRun:
    cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    workdir = Path(cache.mkdir("dbt-unit")) if cache is not None else tmp_path_factory.mktemp("dbt-unit")
    with FileLock(str(workdir) + ".lock"):
        return run_unit_tests(workdir)


def test_unit_test_definitions_are_complete_and_well_formed() -> None:
    definitions = unit_test_definitions()
    names = [d["name"] for d in definitions]
    assert len(names) == len(set(names)), (
        f"duplicate unit test names: {sorted(n for n in names if names.count(n) > 1)}"
    )
    problems = []
    for d in definitions:
        where = f"{d['file']}: {d['name']}"
        if not str(d.get("description", "")).strip():
            problems.append(f"{where}: no description (say which rule the case pins down)")
        rows = d.get("expect", {}).get("rows")
        if d.get("expect", {}).get("format", "dict") == "dict" and rows:
            # dbt compares only the columns of the first expected row: a column missing there is
            # silently not checked in any row
            first = set(rows[0])
            problems += [
                f"{where}: expected row {i + 1} has other columns than row 1"
                for i, r in enumerate(rows)
                if set(r) != first
            ]
    assert not problems, "\n".join(problems)
    untested = sorted(set(RULE_MODELS) - {d["model"] for d in definitions})
    assert not untested, f"rule models without a dbt unit test: {untested}"


def test_every_dbt_unit_test_passes(unit_run: UnitRun) -> None:
    defined = {(d["model"], d["name"]) for d in unit_test_definitions()}
    ran = {(r.model, r.name) for r in unit_run.results}
    assert ran == defined, (
        f"defined but not run: {sorted(defined - ran)}; run but not defined: {sorted(ran - defined)}"
    )
    failed = [r for r in unit_run.results if r.status != "pass"]
    assert not failed, f"{len(failed)} of {len(ran)} dbt unit tests did not pass:\n\n" + "\n\n".join(
        f"{r.status.upper()} {r.label}\n{r.message}" for r in failed
    )
