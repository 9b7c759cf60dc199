"""The Spark engine's pieces that need no Spark (issue 13): LER_ENGINE, the refusal without the
spark extra, and the copy of a Spark build's Parquet tables into warehouse.duckdb with the DuckDB
contracts' types and column order. The build itself is compared cell for cell by tests/spark
(`make test-spark`)."""

from __future__ import annotations

import importlib.util
import shlex
from pathlib import Path

import duckdb
import pytest

from dagster_project.settings import Settings, SettingsError
from dagster_project.spark_bridge import (
    SparkTable,
    select_sql,
    spark_submit_args,
    spark_tables,
    write_warehouse_db,
)
from tests.support.pipeline import TEST_KEY, ler_command, ler_environ

HAS_SPARK = importlib.util.find_spec("pyspark") is not None


def _settings(**env: str) -> Settings:
    return Settings.load(environ={"LER_HASH_KEY": TEST_KEY, "LER_LANDING_DIR": "/tmp", **env})


def test_engine_defaults_to_duckdb_and_accepts_spark() -> None:
    assert _settings().engine == "duckdb"
    assert _settings(LER_ENGINE="Spark").engine == "spark"
    assert (
        Settings.load({"engine": "spark"}, environ={"LER_HASH_KEY": TEST_KEY, "LER_LANDING_DIR": "/"}).engine
        == "spark"
    )


def test_an_unknown_engine_is_refused_by_name() -> None:
    with pytest.raises(SettingsError, match=r"LER_ENGINE='postgres': expected one of duckdb, spark"):
        _settings(LER_ENGINE="postgres")


@pytest.mark.skipif(HAS_SPARK, reason="this environment has the spark extra")
def test_engine_spark_without_the_extra_says_how_to_get_it(tmp_path: Path) -> None:
    import subprocess

    (tmp_path / "landing").mkdir()
    proc = subprocess.run(
        ler_command(
            "run",
            "--engine",
            "spark",
            "--landing",
            str(tmp_path / "landing"),
            "--warehouse",
            str(tmp_path / "wh"),
        ),
        env=ler_environ(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "make .venv-spark" in proc.stderr + proc.stdout
    assert not (tmp_path / "wh").exists()


MANIFEST = {
    "nodes": {
        "model.p.program_outcomes": {
            "resource_type": "model",
            "name": "program_outcomes",
            "alias": None,
            "schema": "marts",
            "config": {"materialized": "table", "enabled": True, "contract": {"enforced": True}},
            "columns": {
                "b": {"name": "b", "data_type": "bigint"},
                "a": {"name": "a", "data_type": "varchar"},
            },
        },
        "model.p.rpt": {
            "resource_type": "model",
            "name": "rpt_x",
            "alias": "X",
            "schema": "reporting",
            "config": {"materialized": "incremental", "enabled": True, "contract": {"enforced": False}},
            "columns": {"a": {"name": "a", "data_type": "varchar"}},
        },
        "model.p.view": {
            "resource_type": "model",
            "name": "stg",
            "schema": "staging",
            "config": {"materialized": "view", "enabled": True},
            "columns": {},
        },
        "seed.p.levels": {
            "resource_type": "seed",
            "name": "levels",
            "schema": "reference",
            "config": {},
            "columns": {},
        },
        "test.p.t": {"resource_type": "test", "name": "t", "schema": "marts", "config": {}},
    }
}


def test_spark_tables_are_the_tables_and_seeds_with_their_contracts(tmp_path: Path) -> None:
    tables = spark_tables(MANIFEST, tmp_path)
    root = tmp_path / "spark" / "warehouse"
    assert tables == [
        SparkTable(
            "marts",
            "program_outcomes",
            root / "marts.db" / "program_outcomes",
            (("b", "bigint"), ("a", "varchar")),
        ),
        SparkTable("reference", "levels", root / "reference.db" / "levels", ()),
        SparkTable("reporting", "X", root / "reporting.db" / "x", ()),
    ]
    assert select_sql(tables[0]) == (
        f'select cast("b" as bigint) as "b", cast("a" as varchar) as "a" from '
        f"read_parquet('{root / 'marts.db' / 'program_outcomes' / '*.parquet'}')"
    )


def test_write_warehouse_db_types_and_orders_by_the_contract(tmp_path: Path) -> None:
    table = spark_tables(MANIFEST, tmp_path)[0]
    table.folder.mkdir(parents=True)
    # as Spark writes it: another column order, int instead of bigint, two part files
    duckdb.sql(f"copy (select 'x' as a, 1::int as b) to '{table.folder / 'part-00000.parquet'}'")
    duckdb.sql(f"copy (select 'y' as a, 2::int as b) to '{table.folder / 'part-00001.parquet'}'")
    assert write_warehouse_db(tmp_path, [table]) == {"marts.program_outcomes": 2}
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("select * from marts.program_outcomes order by b").fetchall() == [
            (1, "x"),
            (2, "y"),
        ]
        types = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_name = 'program_outcomes' order by ordinal_position"
        ).fetchall()
    finally:
        con.close()
    assert types == [("b", "BIGINT"), ("a", "VARCHAR")]


def test_a_table_spark_did_not_write_fails_and_keeps_the_previous_file(tmp_path: Path) -> None:
    previous = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(previous)).close()
    before = previous.read_bytes()
    with pytest.raises(FileNotFoundError, match="wrote no Parquet for marts.program_outcomes"):
        write_warehouse_db(tmp_path, spark_tables(MANIFEST, tmp_path)[:1])
    assert previous.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["warehouse.duckdb"]


def test_spark_keeps_its_warehouse_metastore_and_scratch_inside_the_warehouse(tmp_path: Path) -> None:
    wh = tmp_path / "it's a warehouse"
    args = shlex.split(spark_submit_args(wh))
    spark = wh.resolve() / "spark"
    assert args[-1] == "pyspark-shell"
    confs = dict(a.split("=", 1) for a in args[1:-3:2])
    assert confs == {
        "spark.sql.warehouse.dir": str(spark / "warehouse"),
        "spark.local.dir": str(spark / "tmp"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={spark / 'metastore_db'};create=true"
        ),
    }
    assert args[-3:-1] == ["--driver-java-options", f"-Dderby.system.home={spark}"]
