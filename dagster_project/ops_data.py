"""What the operational checks read from the warehouse, and the one table they write
(docs/reporting_rules.md §9, "Operational checks"; the rules are in ops_checks.py).

The checks run after the dbt build, in the run's one process, under the warehouse lock, one step
at a time (schedules.py), so a short write connection here never meets dbt's.

`ops.row_counts` keeps the row count of every counted table for every run that built the
warehouse, so the next run has something to compare with. It lives in warehouse.duckdb because
that is the one place that survives runs, copies and moves of the warehouse folder with the tables
it describes; dbt never builds or drops it (`--full-refresh` included), and it holds only table
names and counts. "The previous run" is the latest earlier run recorded there that also
published (its `publications/<run id>/publication.json` is still there, the last
LER_KEEP_PUBLICATIONS are kept): a run that built the tables and then failed is not the baseline.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import duckdb

from dagster_project.landing import duckdb_session
from dagster_project.ops_checks import CodeCoverage
from dagster_project.project_paths import WarehousePaths
from dagster_project.publication.files import read_manifest
from dagster_project.publication.store import PublicationStore
from dagster_project.settings import Settings
from dagster_project.sqlutil import ident

# The tables whose row count a run compares with the previous published run's: (schema, table) as
# the asset key names them, and what their rows are.
COUNTED_TABLES: tuple[tuple[tuple[str, str], str], ...] = (
    (("intermediate", "int_wages__records"), "wage records of the learners (after amendments)"),
    (("intermediate", "int_wages__person_quarters"), "person-quarters of earnings"),
    (("intermediate", "int_education__records"), "transcript and noncredit records"),
    (("marts", "fct_enrollment_spells"), "enrollment spells (the cohorts)"),
    (("marts", "fct_credential_awards"), "credential awards"),
    (("marts", "dim_programs"), "catalog programs"),
)

ROW_COUNTS_DDL = (
    "create schema if not exists ops",
    "create table if not exists ops.row_counts ("
    " run_id varchar not null, recorded_at timestamptz not null, table_name varchar not null,"
    " row_count bigint not null, primary key (run_id, table_name))",
    "comment on table ops.row_counts is 'Row count of each table the row_count_steady check "
    "watches, per run that built the warehouse (written by the check, never by dbt; "
    "docs/reporting_rules.md §9)'",
)


def table_name(schema_table: tuple[str, str]) -> str:
    """`marts/fct_credential_awards`: the asset key, as ops.row_counts names the table."""
    return "/".join(schema_table)


@contextmanager
def warehouse(settings: Settings, read_only: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to warehouse.duckdb with the run's DuckDB machine settings."""
    paths = WarehousePaths(settings.warehouse_dir)
    con = duckdb.connect(str(paths.warehouse_db), read_only=read_only)
    try:
        duckdb_session.apply(con, settings, paths.tmp / "duckdb-ops-checks")
        yield con
    finally:
        con.close()


def latest_wage_quarter(con: duckdb.DuckDBPyConnection) -> int | None:
    """The latest quarter_index in the loaded wage data (intermediate.int_wages__coverage)."""
    row = con.execute("select latest_quarter_index from intermediate.int_wages__coverage").fetchone()
    return None if row is None or row[0] is None else int(row[0])


def code_coverage(con: duckdb.DuckDBPyConnection) -> list[CodeCoverage]:
    """Per code system: education records carrying a code, and those marts.dq_unmapped_codes
    counts as unknown to every crosswalk (with how many distinct codes they are)."""
    rows = con.execute(
        "with coded as ("
        "  select code_system, count(*) as n from intermediate.int_education__records"
        "  where source_code is not null group by 1),"
        " unmapped as ("
        "  select code_system, sum(n_records) as n, count(distinct source_code) as codes"
        "  from marts.dq_unmapped_codes group by 1)"
        " select c.code_system, c.n, coalesce(u.n, 0), coalesce(u.codes, 0)"
        " from coded as c left join unmapped as u using (code_system) order by 1"
    ).fetchall()
    return [CodeCoverage(s, int(n), int(u), int(k)) for s, n, u, k in rows]


def count_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int | None]:
    """Rows of every counted table now (None for a table not built yet)."""
    built = {(s, t) for s, t in con.execute("select schema_name, table_name from duckdb_tables()").fetchall()}
    counts: dict[str, int | None] = {}
    for key, _label in COUNTED_TABLES:
        if key not in built:
            counts[table_name(key)] = None
            continue
        schema, table = key
        (n,) = con.execute(f"select count(*) from {ident(schema)}.{ident(table)}").fetchone()
        counts[table_name(key)] = int(n)
    return counts


def record_row_counts(con: duckdb.DuckDBPyConnection, run_id: str, counts: Mapping[str, int | None]) -> None:
    """This run's counts into ops.row_counts (again, if the check runs twice in one run)."""
    for statement in ROW_COUNTS_DDL:
        con.execute(statement)
    built = {name: n for name, n in counts.items() if n is not None}
    con.begin()  # one transaction: the run's rows are replaced whole, with one recorded_at
    try:
        con.execute("delete from ops.row_counts where run_id = ?", [run_id])
        con.execute(
            "insert into ops.row_counts select ?, now(), unnest(?::varchar[]), unnest(?::bigint[])",
            [run_id, list(built), list(built.values())],
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise


def published_run_ids(settings: Settings) -> list[str]:
    """The runs whose publication is still kept (publications/*/publication.json)."""
    store = PublicationStore(WarehousePaths(settings.warehouse_dir))
    manifests = (read_manifest(folder) for folder in store.publications())
    return [str(m["run_id"]) for m in manifests if m and m.get("run_id")]


def previous_counts(
    con: duckdb.DuckDBPyConnection, run_id: str, published: list[str]
) -> tuple[str | None, dict[str, int]]:
    """The previous published run recorded in ops.row_counts and its counts, or (None, {})."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'ops' and table_name = 'row_counts'"
    ).fetchone()[0]
    if not exists or not published:
        return None, {}
    row = con.execute(
        "select run_id from ops.row_counts where run_id <> ? and list_contains(?::varchar[], run_id) "
        "group by run_id order by max(recorded_at) desc limit 1",
        [run_id, published],
    ).fetchone()
    if row is None:
        return None, {}
    counts = con.execute(
        "select table_name, row_count from ops.row_counts where run_id = ?", [row[0]]
    ).fetchall()
    return row[0], {name: int(n) for name, n in counts}
