"""The reference rows every other layout is checked against, and the readers' context built from them.

`ref_<table>` temp tables hold the effective rows (later file wins per natural key) of every table
that layouts look up (`references`); the providers among them make the readers' provider directory
(PESC senders, badge issuers). Their digest enters the file-cache key of layouts that look them up.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from dagster_project.landing.context import ProviderDirectory, ReadContext
from dagster_project.landing.lake_build import create_empty
from dagster_project.landing.registry import Registry
from dagster_project.settings import Settings
from dagster_project.sqlutil import ident, path_lit

# The reference table whose rows make the readers' provider directory (ReadContext.providers).
PROVIDERS_TABLE = "providers"
_PROVIDER_FIELDS = ("provider_id", "fice", "opeid", "badge_issuer_id")


def load_reference(con: duckdb.DuckDBPyConnection, registry: Registry, root: Path) -> None:
    """`ref_<table>` from the lake folder `root` (or the reference kind's own build)."""
    for table in registry.reference_tables:
        c = registry.writer_of(table)
        folder = root / table
        if not (folder.is_dir() and any(folder.glob("*.parquet"))):
            create_empty(con, f"ref_{table}", registry.lake_schema(table))
            continue
        keys = ", ".join(ident(k) for k in c.natural_key)
        con.execute(
            f"create or replace temp table ref_{table} as select * from "
            f"read_parquet({path_lit(folder / '*.parquet')}, union_by_name = true) qualify "
            f"row_number() over (partition by {keys} order by file_seq desc, line_number desc) = 1"
        )


def reference_digest(con: duckdb.DuckDBPyConnection, registry: Registry) -> str:
    union = " union all ".join(f"select t from ref_{t} t" for t in registry.reference_tables) or "select NULL"
    return con.execute(
        f"select md5(coalesce(string_agg(t::varchar, '|' order by t::varchar), '')) from ({union}) as x(t)"
    ).fetchall()[0][0]


def read_context(con: duckdb.DuckDBPyConnection, registry: Registry, settings: Settings) -> ReadContext:
    rows = []
    if PROVIDERS_TABLE in registry.reference_tables:
        rows = con.execute(f"select {', '.join(_PROVIDER_FIELDS)} from ref_{PROVIDERS_TABLE}").fetchall()
    return ReadContext(
        providers=ProviderDirectory.from_rows(dict(zip(_PROVIDER_FIELDS, r, strict=True)) for r in rows),
        icesa_layout=settings.icesa_layout,
        max_json_depth=settings.max_json_depth,
        run_date=date.today(),
    )
