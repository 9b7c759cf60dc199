"""The Dagster code location loads, and its asset graph is the one the docs describe."""

from __future__ import annotations

import pytest
from dagster import AssetKey

from dagster_project.definitions import defs

EXPECTED_ENDPOINTS = {
    "lake/reference",
    "lake/transcripts",
    "lake/noncredit",
    "lake/wages",
    "marts/wpell_program_outcomes",
    "marts/program_outcomes",
    "marts/statewide_outcomes",
    "marts/run_metadata",
    "reporting/wpell_program_outcomes",
    "reporting/program_outcomes",
    "reporting/statewide_outcomes",
    "reporting/run_metadata",
    "marts/statewide_outcomes_by_group",
    "reporting/statewide_outcomes_by_group",
    "audit/load_manifest",
    "audit/rejected_rows",
    "published",
    "feedback",
}


def _graph():
    return defs.resolve_asset_graph()


def test_definitions_load_with_job_schedule_and_sensor() -> None:
    assert defs.resolve_job_def("ler_full_refresh") is not None
    assert defs.resolve_schedule_def("ler_nightly").cron_schedule
    assert defs.resolve_sensor_def("landing_zone_sensor") is not None


def test_asset_graph_snapshot() -> None:
    keys = {k.to_user_string() for k in _graph().get_all_asset_keys()}
    assert keys >= EXPECTED_ENDPOINTS
    layers = {k.split("/")[0] for k in keys if "/" in k}
    assert layers == {"lake", "staging", "intermediate", "marts", "reporting", "audit", "reference"}


def test_graph_is_connected_from_landed_files_to_the_published_database() -> None:
    graph = _graph()
    upstream = graph.get(AssetKey("published")).parent_keys
    assert {k.to_user_string() for k in upstream} == {
        "reporting/wpell_program_outcomes",
        "reporting/program_outcomes",
        "reporting/statewide_outcomes",
        "reporting/statewide_outcomes_by_group",
        "reporting/run_metadata",
    }
    # the staging models read the lake assets written by ingestion
    assert AssetKey(["lake", "wages"]) in graph.get(AssetKey(["staging", "stg_lake__wages"])).parent_keys
    assert AssetKey(["lake", "reference"]) in graph.get(AssetKey(["lake", "transcripts"])).parent_keys


def test_file_contract_checks_are_blocking() -> None:
    checks = {(c.asset_key.to_user_string(), c.name): c for c in _graph().asset_check_keys}
    for kind in ("reference", "transcripts", "noncredit", "wages"):
        assert (f"lake/{kind}", "file_contracts") in checks
        assert (f"lake/{kind}", "no_quarantined_files") in checks
    specs = {s.key.name: s for a in defs.assets if hasattr(a, "check_specs") for s in a.check_specs}
    specs.update({s.key.name: s for c in (defs.asset_checks or []) for s in c.check_specs})
    assert specs["file_contracts"].blocking is True


def test_dbt_tests_are_asset_checks() -> None:
    names = {c.name for c in _graph().asset_check_keys}
    assert any(n.startswith("grain_unique_") for n in names)
    assert any(n.startswith("column_rules_") for n in names)


@pytest.mark.slow
def test_code_location_loads_as_dagster_dev_loads_it(tmp_path) -> None:
    """`dagster dev` loads the module with DAGSTER_IS_DEV_CLI set and the venv's bin/ off PATH."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    bin_dir = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p != bin_dir)
    env = dict(os.environ, PATH=path, DAGSTER_IS_DEV_CLI="1", LER_SAMPLE_RUN="1", DAGSTER_HOME=str(tmp_path))
    proc = subprocess.run(
        [str(Path(bin_dir) / "dagster"), "definitions", "validate", "-m", "dagster_project.definitions"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Validation successful" in proc.stdout + proc.stderr
