"""The generic test column_rules (dbt/tests/generic/column_rules.sql): one node per model for its
required columns, closed code lists and keys (grain, unique columns, references), in place of one
dbt test per column and key.

A copy of the hand-built state's warehouse gets a spell with no provider, one with a tie status
outside the list, one with a null status (not a failure: as dbt's accepted_values, a null is
judged by not_null alone) and a second row for one spell_id (its `unique` key); and an education
record twice (its `grain`), one with a credential level the dictionary lacks (its `references`)
and one whose person key is a clear SSN instead of the HMAC digest (its `matches`). `dbt test` of
both models' column_rules must fail naming the column and the rule with the count of broken rows,
and never print a value. The declarations are checked too: every model keeps the required columns
and lists its YAML declares (a column_rules entry naming a column the model does not have would
test nothing), and both person-key columns are checked for the HMAC form.
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
KEYS_TEST = "column_rules_int_education__records"
BAD_CODE = "NOT-A-TIE-STATUS-7731"
BAD_LEVEL = "NOT-A-LEVEL-4410"
CLEAR_SSN = "219099998"


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
        spells = [
            r[0]
            for r in con.execute(
                "select spell_id from intermediate.int_education__spells order by spell_id limit 3"
            ).fetchall()
        ]
        table = "intermediate.int_education__spells"
        con.execute(f"update {table} set provider_id = null where spell_id = ?", [spells[0]])
        con.execute(f"update {table} set tie_status = ? where spell_id = ?", [BAD_CODE, spells[1]])
        con.execute(f"update {table} set tie_status = null where spell_id = ?", [spells[2]])
        con.execute(f"insert into {table} select * from {table} where spell_id = ?", [spells[2]])
        records = "intermediate.int_education__records"
        (seq, line) = con.execute(
            f"select file_seq, line_number from {records} where record_credential_level is not null "
            "order by all limit 1"
        ).fetchone()
        con.execute(f"insert into {records} select * from {records} where file_seq = ? and line_number = ?",
                    [seq, line])  # fmt: skip
        (other_seq, other_line) = con.execute(
            f"select file_seq, line_number from {records} where record_credential_level is not null "
            "and (file_seq <> ? or line_number <> ?) order by all limit 1",
            [seq, line],
        ).fetchone()
        con.execute(
            f"update {records} set record_credential_level = ? where file_seq = ? and line_number = ?",
            [BAD_LEVEL, other_seq, other_line],
        )
        con.execute(
            f"update {records} set person_key = ? where (file_seq, line_number) = "
            f"(select (file_seq, line_number) from {records} "
            "where (file_seq, line_number) not in ((?, ?), (?, ?)) order by all limit 1)",
            [CLEAR_SSN, seq, line, other_seq, other_line],
        )
    finally:
        con.close()
    target = tmp_path / "target"
    target.mkdir()
    ensure_manifest()
    shutil.copy2(PARTIAL_PARSE, target / PARTIAL_PARSE.name)
    proc = subprocess.run(
        dbt_command("test", "--select", TEST, KEYS_TEST, target_path=target),
        env=ler_environ(dbt_environment(warehouse)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert proc.stdout.count("Got 3 results") == 2, proc.stdout[-3000:]
    results = json.loads((target / "run_results.json").read_text())["results"]
    assert sorted((r["unique_id"].split(".")[2], r["status"], r["failures"]) for r in results) == [
        (KEYS_TEST, "fail", 3), (TEST, "fail", 3)]  # fmt: skip
    compiled = next(target.glob(f"compiled/**/{TEST}.sql")).read_text()
    rows = query(warehouse / "warehouse.duckdb", compiled)
    assert sorted(rows) == [
        ("provider_id", "not_null", 1),
        ("spell_id", "unique", 2),
        ("tie_status", "accepted_values", 1),
    ]
    compiled = next(target.glob(f"compiled/**/{KEYS_TEST}.sql")).read_text()
    rows = query(warehouse / "warehouse.duckdb", compiled)
    assert sorted(rows) == [
        ("file_seq, line_number", "grain", 2),
        ("person_key", "matches", 1),
        ("record_credential_level", "references credential_levels.credential_level", 1),
    ]
    logs = proc.stdout + proc.stderr + "".join(p.read_text() for p in target.parent.glob("**/dbt.log"))
    assert BAD_CODE not in logs and BAD_LEVEL not in logs and spells[2] not in logs and CLEAR_SSN not in logs


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
        # (a grain column the model lacks fails the test's query; the grain need not be documented)
        named |= set(kwargs.get("unique", [])) | set(kwargs.get("references", {}))
        named |= set(kwargs.get("matches", {}))
        assert named, node["name"]
        missing = named - set(model["columns"])
        problems += [f"{node['name']}: {c} is not a column of {model['name']}" for c in sorted(missing)]
        assert node["name"] == f"column_rules_{model['name']}", node["name"]
    assert tests >= 30 and not problems, "\n".join(problems)


def test_every_person_key_column_is_checked_for_the_hmac_form() -> None:
    """The HMAC form of the person keys is checked on the education records and on the wage records
    (docs/submission_manual.md §4)."""
    ensure_manifest()
    manifest = json.loads(MANIFEST.read_text())
    checked = {
        manifest["nodes"][node["attached_node"]]["name"]: node["test_metadata"]["kwargs"].get("matches", {})
        for node in manifest["nodes"].values()
        if (node.get("test_metadata") or {}).get("name") == "column_rules"
    }
    for model in ("int_education__records", "int_wages__records"):
        assert checked[model].get("person_key") == "[0-9a-f]{64}", model
