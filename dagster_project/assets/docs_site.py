"""The dbt docs site of each run, in the restricted area: `<warehouse>/docs/index.html` (issue 11
item 7; docs/analyst_guide.md, "The dbt docs site").

`dbt docs generate` costs about 20 s here (a dbt start, a parse check and a catalog query per
schema: measured 2026-12-01 on the 2-core machine, 6 s of CPU), too much for every nightly run. The
site is one HTML page, dbt's own `index.html` with the manifest and the catalog inlined (what
`dbt docs generate --static` writes as `static_index.html`, dbt-core 1.11 `task/docs/generate.py`), so
this asset writes that page itself from the manifest the run's dbt assets were built from and a
catalog read from the warehouse's own `information_schema` (every relation's columns and types):
well under a second. The page is self-contained (it opens from disk, no server) and restricted
(owner-only, like everything in the warehouse folder but the publications): it shows the SQL and
the schemas of the restricted layers.
"""


import json
import os
from datetime import UTC, datetime
from importlib.metadata import distribution
from pathlib import Path
from typing import Any

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from dagster_project.assets.publish import reporting_asset_keys
from dagster_project.resources import LerSettingsResource

DOCS_DIR, INDEX_NAME = "docs", "index.html"
CATALOG_SCHEMA = "https://schemas.getdbt.com/dbt/catalog/v1.json"
_MANIFEST_SLOT, _CATALOG_SLOT = '"MANIFEST.JSON INLINE DATA"', '"CATALOG.JSON INLINE DATA"'
_CATALOGED = ("model", "seed", "snapshot")
_NO_STATS = {
    "has_stats": {
        "id": "has_stats",
        "label": "Has Stats?",
        "value": False,
        "include": False,
        "description": "Indicates whether there are statistics for this table",
    }
}


def catalog(manifest: dict[str, Any], warehouse_db: Path) -> dict[str, Any]:
    """dbt's catalog (v1) of the manifest's models, seeds and snapshots, from the warehouse's
    information_schema (a node not built yet has no entry, as in dbt's own)."""
    con = duckdb.connect(str(warehouse_db), read_only=True)
    try:
        rows = con.execute(
            "select t.table_catalog, t.table_schema, t.table_name, t.table_type, c.column_name, "
            "c.data_type, c.ordinal_position from information_schema.tables t "
            "join information_schema.columns c using (table_catalog, table_schema, table_name) "
            "order by 1, 2, 3, c.ordinal_position"
        ).fetchall()
    finally:
        con.close()
    relations: dict[tuple[str, str, str], dict[str, Any]] = {}
    for database, schema, table, kind, column, data_type, position in rows:
        entry = relations.setdefault((database, schema, table), {"type": kind, "columns": {}})
        entry["columns"][column] = {"type": data_type, "index": position, "name": column, "comment": None}
    nodes = {}
    for uid, node in manifest.get("nodes", {}).items():
        if node.get("resource_type") not in _CATALOGED:
            continue
        key = (node.get("database"), node.get("schema"), node.get("alias") or node.get("name"))
        found = relations.get(key)
        if found is None:
            continue
        nodes[uid] = {
            "metadata": {
                "type": found["type"],
                "schema": key[1],
                "name": key[2],
                "database": key[0],
                "comment": None,
                "owner": None,
            },
            "columns": found["columns"],
            "stats": _NO_STATS,
            "unique_id": uid,
        }
    meta = manifest.get("metadata", {})
    return {
        "metadata": {
            "dbt_schema_version": CATALOG_SCHEMA,
            "dbt_version": meta.get("dbt_version"),
            "generated_at": datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "invocation_id": meta.get("invocation_id"),
            "env": {},
        },
        "nodes": nodes,
        "sources": {},
        "errors": None,
    }


def write_site(manifest_path: Path, warehouse_db: Path, folder: Path) -> Path:
    """Write `folder/index.html`, the static dbt docs site (module docstring); returns its path."""
    # the page dbt-core ships, found without importing dbt (without_dbt_core.py)
    index = Path(distribution("dbt-core").locate_file("dbt/task/docs/index.html"))

    manifest_text = Path(manifest_path).read_text(encoding="utf-8")
    page = index.read_text(encoding="utf-8")
    if _MANIFEST_SLOT not in page or _CATALOG_SLOT not in page:
        raise RuntimeError(f"{index} has no inline-data slots (dbt-core 1.11 has them)")
    data = json.dumps(catalog(json.loads(manifest_text), warehouse_db))
    page = page.replace(_MANIFEST_SLOT, manifest_text).replace(_CATALOG_SLOT, data)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / INDEX_NAME
    tmp = folder / f".{INDEX_NAME}.tmp-{os.getpid()}"
    try:
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


@asset(
    key=AssetKey(["dbt_docs"]),
    deps=reporting_asset_keys(),
    group_name="publish",
    kinds={"dbt", "html"},
    description="The dbt docs site of this run (docs/index.html under the warehouse, restricted): every "
    "model, column, test and the lineage, with the column types read from the warehouse. Open the file "
    "in a browser; no server needed.",
)
def dbt_docs(context: AssetExecutionContext, ler_settings: LerSettingsResource) -> MaterializeResult:
    from dagster_project.assets.dbt import DBT_PROJECT
    from dagster_project.project_paths import WarehousePaths

    paths = WarehousePaths(ler_settings.load().warehouse_dir)
    site = write_site(DBT_PROJECT.manifest_path, paths.warehouse_db, paths.root / DOCS_DIR)
    context.log.info(f"dbt docs site: {site}")
    return MaterializeResult(metadata={"site": str(site), "bytes": site.stat().st_size})
