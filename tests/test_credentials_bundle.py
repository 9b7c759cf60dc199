"""The bundled contexts and schemas are the upstream files, named in their NOTICE.md, and enough on
their own: the product verifies and validates without ../shared and without the network."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from dagster_project.credentials import loader, schema

NOTICE_ROW = re.compile(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{40})` \|$")


def git_blob_id(path: Path) -> str:
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@pytest.mark.parametrize("folder", [loader.CONTEXTS_DIR, schema.SCHEMAS_DIR])
def test_every_bundled_file_is_the_upstream_blob_its_notice_names(folder: Path) -> None:
    rows = dict(m.groups() for line in (folder / "NOTICE.md").read_text(encoding="utf-8").splitlines()
                if (m := NOTICE_ROW.match(line)))
    bundled = {p.name for p in folder.iterdir()
               if p.suffix in (".json", ".jsonld") and p.name != "index.json"}
    assert set(rows) == bundled  # nothing unlisted, nothing listed but missing
    for name, blob in rows.items():
        assert git_blob_id(folder / name) == blob, name


def test_context_index_names_every_context_file() -> None:
    files = {p.name for p in loader.CONTEXTS_DIR.glob("*.json*") if p.name != "index.json"}
    assert set(loader.context_index().values()) == files
    for url in loader.context_index():
        assert url.startswith("https://") and "#" not in url


def test_schemas_are_self_contained() -> None:
    for path in schema.SCHEMAS_DIR.glob("*.json"):
        text = path.read_text(encoding="utf-8")
        refs = set(re.findall(r'"\$ref":\s*"([^"]+)"', text))
        assert all(r.startswith("#/") for r in refs), path.name
        assert json.loads(text)["$schema"].startswith("https://json-schema.org/draft/2019-09/")


def test_schema_problems_name_the_path_and_rule_not_the_value() -> None:
    from tests.badge_samples import ob3_credential

    credential = ob3_credential(achievement_type="Secret-Value-Not-A-Type")
    del credential["validFrom"]
    result = schema.check_schema(credential)
    assert result.schema == schema.ACHIEVEMENT_SCHEMA
    assert "(the credential): missing 'validFrom'" in result.problems
    achievement_type = "credentialSubject.achievement.achievementType: breaks the schema's 'oneOf' rule"
    assert achievement_type in result.problems
    assert not any("Secret-Value" in p for p in result.problems)
    valid = ob3_credential()
    valid["credentialSubject"]["achievement"]["description"] = "A welding certification."
    assert schema.check_schema(valid).ok
