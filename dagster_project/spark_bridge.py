"""The tables of a Spark build as `warehouse.duckdb` (issue 13, docs/spark.md).

`ler run --engine spark` builds the dbt project with dbt-spark's `session` method: every table is
Parquet under `<warehouse>/spark/warehouse/<schema>.db/<table>/`. Everything after dbt (the publish
step, the report, feedback, learner records, `ler query`) reads `warehouse.duckdb`, so this module
writes one from those Parquet files: every table and seed of the build, in its schema, with the
data types and column order its DuckDB contract declares (the dbt YAML; a model without one keeps
Spark's types and order). The Spark build's views (staging, int_wages__lake_slice) are not copied:
they are queries over the lake, not data.

The new file is written next to the old one and renamed over it, so a reader sees the previous
build's tables or the new ones, and a failure leaves the previous file in place.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.project_paths import WarehousePaths
from dagster_project.sqlutil import ident, path_lit

SPARK_DIR = "spark"
PUBLISHED_SCHEMA = "reporting"  # = dagster_project.publication.PUBLISHED_SCHEMA
SPARK_TARGET = "spark"  # the dbt target (dbt/profiles.yml)


class SparkMissing(RuntimeError):
    """LER_ENGINE=spark in an environment without the `spark` extra."""


def require_spark() -> None:
    """LER_ENGINE=spark needs dbt-spark and PySpark in this environment (the `spark` extra)."""
    if importlib.util.find_spec("dbt.adapters.spark") is None or importlib.util.find_spec("pyspark") is None:
        raise SparkMissing(
            "LER_ENGINE=spark needs the spark extra (dbt-spark, PySpark), which this environment does "
            "not have: run `make .venv-spark`, then `.venv-spark/bin/ler run --engine spark ...` "
            "(docs/spark.md)"
        )


_TABLE_MATERIALIZATIONS = ("table", "incremental", "seed")


@dataclass(frozen=True)
class SparkTable:
    """One table of the Spark build: where DuckDB finds it and how it is typed there."""

    schema: str
    name: str
    folder: Path
    columns: tuple[tuple[str, str], ...]  # (column, DuckDB type) from the contract; empty: as written


def spark_warehouse(warehouse_dir: Path) -> Path:
    """Spark's `spark.sql.warehouse.dir` for this warehouse (dbt/profiles.yml, target spark)."""
    return Path(warehouse_dir) / SPARK_DIR / "warehouse"


def spark_submit_args(warehouse_dir: Path) -> str:
    """PYSPARK_SUBMIT_ARGS of the Spark build of `warehouse_dir`: its warehouse, Derby metastore and
    scratch folders, all under `<warehouse>/spark/` (restricted, like the rest of the warehouse).

    An environment variable, not profile settings: the profile then renders the same for every
    warehouse (dbt re-parses the project when it does not), and pyspark reads it when it starts the
    session's JVM."""
    spark = Path(warehouse_dir).resolve() / SPARK_DIR
    confs = {
        "spark.sql.warehouse.dir": str(spark / "warehouse"),
        "spark.local.dir": str(spark / "tmp"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={spark / 'metastore_db'};create=true"
        ),
    }
    args = [part for name, value in confs.items() for part in ("--conf", f"{name}={value}")]
    args += ["--driver-java-options", f"-Dderby.system.home={spark}", "pyspark-shell"]
    return shlex.join(args)


def spark_tables(manifest: Mapping[str, Any], warehouse_dir: Path) -> list[SparkTable]:
    """The tables and seeds of a dbt manifest as the Spark build writes them (pure: no I/O)."""
    root = spark_warehouse(warehouse_dir)
    tables = []
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") not in ("model", "seed"):
            continue
        config = node.get("config") or {}
        materialized = "seed" if node["resource_type"] == "seed" else config.get("materialized")
        if materialized not in _TABLE_MATERIALIZATIONS or not config.get("enabled", True):
            continue
        name = node.get("alias") or node["name"]
        columns = tuple(
            (c["name"], c["data_type"])
            for c in (node.get("columns") or {}).values()
            if (config.get("contract") or {}).get("enforced") and c.get("data_type")
        )
        folder = root / f"{node['schema'].lower()}.db" / name.lower()
        tables.append(SparkTable(node["schema"], name, folder, columns))
    return sorted(tables, key=lambda t: (t.schema, t.name))


def select_sql(table: SparkTable) -> str:
    """The select that reads one Spark table with its contract's types and column order.

    A published (`reporting`) table is stored in the order of all its columns, its grain first,
    which is the order the DuckDB build stores it in (each reporting model ends `order by` its
    grain), so the exports of both engines are the same files."""
    source = f"read_parquet({path_lit(table.folder / '*.parquet')})"
    columns = ", ".join(f"cast({ident(c)} as {t}) as {ident(c)}" for c, t in table.columns) or "*"
    order = " order by all" if table.schema == PUBLISHED_SCHEMA else ""
    return f"select {columns} from {source}{order}"


def write_warehouse_db(
    warehouse_dir: Path, tables: Iterable[SparkTable], memory_limit: str | None = None
) -> dict[str, int]:
    """`warehouse.duckdb` from the Spark build's tables; returns rows per `schema.table`."""
    paths = WarehousePaths(warehouse_dir)
    target = paths.warehouse_db
    scratch = target.with_name(f".{target.name}.spark-{os.getpid()}")
    scratch.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    con = duckdb.connect(str(scratch))
    try:
        if memory_limit:
            con.execute(f"set memory_limit = '{memory_limit}'")
        for table in tables:
            if not any(table.folder.glob("*.parquet")):
                raise FileNotFoundError(
                    f"{table.folder}: the Spark build wrote no Parquet for {table.schema}.{table.name}"
                )
            con.execute(f"create schema if not exists {ident(table.schema)}")
            relation = f"{ident(table.schema)}.{ident(table.name)}"
            con.execute(f"create table {relation} as {select_sql(table)}")
            rows = con.execute(f"select count(*) from {relation}").fetchone()
            counts[f"{table.schema}.{table.name}"] = rows[0]
        con.execute("checkpoint")
    except BaseException:
        con.close()
        scratch.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(scratch, target)
    return counts


def copy_spark_build(
    warehouse_dir: Path, manifest_path: Path, contracts_manifest_path: Path
) -> dict[str, int]:
    """After `dbt build --target spark`: its tables (from the run's manifest, `manifest_path`) as
    `warehouse.duckdb`, typed by the DuckDB contracts of `contracts_manifest_path` (the project's
    manifest, parsed for the DuckDB target, where the contracts are enforced)."""
    run_manifest = json.loads(Path(manifest_path).read_text())
    contracts = json.loads(Path(contracts_manifest_path).read_text())
    typed = {t.schema + "." + t.name: t.columns for t in spark_tables(contracts, warehouse_dir)}
    tables = [
        SparkTable(t.schema, t.name, t.folder, typed.get(t.schema + "." + t.name, ()))
        for t in spark_tables(run_manifest, warehouse_dir)
    ]
    return write_warehouse_db(warehouse_dir, tables)
