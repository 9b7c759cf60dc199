"""The generic test column_rules (dbt/tests/generic/column_rules.sql): one scan per model for its
required columns and closed code lists, in place of one dbt test per column.

A copy of the hand-built state's warehouse gets a spell with no provider, one with a tie status
outside the list and one with a null status (not a failure: as dbt's accepted_values, a null is
judged by not_null alone); `dbt test` of that model's column_rules must fail naming the column and
the rule with the count of broken rows, and never print the bad value itself. The declarations are
checked too: every model keeps the required columns and lists its YAML declares (a column_rules
entry naming a column the model does not have would test nothing).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from dagster_project.dbt_manifest import (
    MANIFEST,
    PARTIAL_PARSE,
    dbt_command,
    dbt_environment,
    ensure_manifest,
)
from tests.support.pipeline import ler_environ, query
from tests.support.scenarios import Scenario

TEST = "column_rules_int_education__spells"
BAD_CODE = "NOT-A-TIE-STATUS-7731"


@pytest.mark.e2e
def test_column_rules_fail_with_column_rule_and_count_but_no_value(
    rules_run: Scenario, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    shutil.copy2(rules_run.db, warehouse / "warehouse.duckdb")
    shutil.copytree(rules_run.warehouse / "lake", warehouse / "lake", symlinks=True)
    con = duckdb.connect(str(warehouse / "warehouse.duckdb"))
    try:
        spells = [r[0] for r in con.execute(
            "select spell_id from intermediate.int_education__spells order by spell_id limit 3").fetchall()]
        table = "intermediate.int_education__spells"
        con.execute(f"update {table} set provider_id = null where spell_id = ?", [spells[0]])
        con.execute(f"update {table} set tie_status = ? where spell_id = ?", [BAD_CODE, spells[1]])
        con.execute(f"update {table} set tie_status = null where spell_id = ?", [spells[2]])
    finally:
        con.close()
    target = tmp_path / "target"
    target.mkdir()
    ensure_manifest()
    shutil.copy2(PARTIAL_PARSE, target / PARTIAL_PARSE.name)
    proc = subprocess.run(
        dbt_command("test", "--select", TEST, target_path=target),
        env=ler_environ(dbt_environment(warehouse)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert "Got 2 results" in proc.stdout, proc.stdout[-3000:]
    results = json.loads((target / "run_results.json").read_text())["results"]
    assert [(r["status"], r["failures"]) for r in results] == [("fail", 2)]
    compiled = next(target.glob(f"compiled/**/{TEST}.sql")).read_text()
    rows = query(warehouse / "warehouse.duckdb", compiled)
    assert sorted(rows) == [("provider_id", "not_null", 1), ("tie_status", "accepted_values", 1)]
    logs = proc.stdout + proc.stderr + "".join(p.read_text() for p in target.parent.glob("**/dbt.log"))
    assert BAD_CODE not in logs


def test_every_column_rules_entry_names_a_column_of_its_model() -> None:
    ensure_manifest()
    manifest = json.loads(MANIFEST.read_text())
    problems, tests = [], 0
    for node in manifest["nodes"].values():
        if (node.get("test_metadata") or {}).get("name") != "column_rules":
            continue
        tests += 1
        model = manifest["nodes"][node["attached_node"]]
        kwargs = node["test_metadata"]["kwargs"]
        named = set(kwargs.get("not_null", [])) | set(kwargs.get("accepted_values", {}))
        assert named, node["name"]
        missing = named - set(model["columns"])
        problems += [f"{node['name']}: {c} is not a column of {model['name']}" for c in sorted(missing)]
        assert node["name"] == f"column_rules_{model['name']}", node["name"]
    assert tests >= 30 and not problems, "\n".join(problems)
