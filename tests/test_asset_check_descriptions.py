"""Every Dagster asset check says what it checks (issue 11 item 7): the UI never shows "No description
provided". A dbt test's asset check carries the test's dbt description (its YAML text or docs block,
as the manifest renders it); a generic test declared without one gets a sentence naming the test and
its column, which only the seed tests need today (their YAML has no descriptions)."""

from __future__ import annotations

import json

import pytest

from dagster_project.assets.dbt import DBT_PROJECT, dbt_test_description
from dagster_project.definitions import defs

UNIQUE_ID = "dagster_dbt/unique_id"  # the metadata key dagster-dbt 0.29.27 puts on a dbt test's check
NO_YAML_TEXT = "(no description in the dbt YAML)"


@pytest.fixture(scope="module")
def checks() -> dict[str, object]:
    graph = defs.resolve_asset_graph()
    return {key.to_user_string(): graph.get_check_spec(key) for key in graph.asset_check_keys}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(DBT_PROJECT.manifest_path.read_text(encoding="utf-8"))


def test_no_asset_check_is_without_a_description(checks: dict) -> None:
    assert len(checks) > 90  # every dbt data test (79) plus the ingestion and operational checks
    missing = sorted(name for name, spec in checks.items() if not (spec.description or "").strip())
    assert missing == [], f"{len(missing)} asset check(s) without a description: {missing[:10]}"


def test_dbt_checks_carry_their_dbt_description(checks: dict, manifest: dict) -> None:
    dbt_checks = {name: spec for name, spec in checks.items() if UNIQUE_ID in (spec.metadata or {})}
    assert len(dbt_checks) == sum(1 for n in manifest["nodes"].values() if n["resource_type"] == "test")
    described = 0
    for name, spec in dbt_checks.items():
        node = manifest["nodes"][spec.metadata[UNIQUE_ID]]
        text = (node.get("description") or "").strip()
        if text:
            assert spec.description == text, name
            described += 1
    assert described >= len(dbt_checks) - 20
    # a docs block reaches the check as its text (dbt renders `{{ doc(...) }}` into the manifest)
    block = manifest["docs"]["doc.ler_warehouse.test_column_rules"]["block_contents"].strip()
    assert any(spec.description == block for spec in dbt_checks.values())
    assert not any("{{" in spec.description for spec in dbt_checks.values())


def test_no_check_falls_back_to_a_generated_sentence(checks: dict, manifest: dict) -> None:
    """A dbt test declared without a description fails here: describe it in its YAML (seeds too)."""
    fallback = [manifest["nodes"][spec.metadata[UNIQUE_ID]]["name"]
                for spec in checks.values() if NO_YAML_TEXT in (spec.description or "")]
    assert fallback == []


def test_the_generated_sentence_names_the_test_and_its_column() -> None:
    node = {"name": "unique_credential_levels_credential_level", "description": "",
            "test_metadata": {"name": "unique"}, "attached_node": "seed.ler_warehouse.credential_levels",
            "column_name": "credential_level"}
    assert dbt_test_description(node) == (
        "dbt test unique on credential_levels.credential_level (no description in the dbt YAML).")
    described = {**node, "description": "  What is this test? ...\n"}
    assert dbt_test_description(described) == "What is this test? ..."
