"""Reading what a learner record is built from: the restricted warehouse, read-only.

`marts.fct_learner_credentials` (dbt) holds one row per credential the warehouse keeps for a learner,
credit and noncredit, tied to a catalog program or not, with its dictionary class; credentials whose
submitted proof is INVALID are not in it (the state does not re-issue what it could not verify, see
docs/learner_records.md). The warehouse is opened read-only, so a record is built from the last
completed run and a running `ler run` is never disturbed.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from dagster_project.credentials.records import LearnerCredential, award_rows
from dagster_project.project_paths import WarehousePaths

CREDENTIALS_TABLE = "marts.fct_learner_credentials"


class WarehouseUnavailable(Exception):
    """No warehouse, or one that cannot be opened now; the message says which, plainly."""


def open_read_only(warehouse_dir: Path) -> duckdb.DuckDBPyConnection:
    db = WarehousePaths(warehouse_dir).warehouse_db
    if not db.is_file():
        raise WarehouseUnavailable(f"no warehouse at {db}: run `ler run` first")
    try:
        return duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        raise WarehouseUnavailable(f"the warehouse {db} cannot be opened now (is a `ler run` writing it?)") \
            from None


def learner_credentials(con: duckdb.DuckDBPyConnection, person_key: str) -> list[LearnerCredential]:
    cursor = con.execute(f"select * from {CREDENTIALS_TABLE} where person_key = ?", [person_key])
    names = [d[0] for d in cursor.description]
    return award_rows(dict(zip(names, row, strict=True)) for row in cursor.fetchall())


def is_known(con: duckdb.DuckDBPyConnection, person_key: str) -> bool:
    return bool(con.execute(f"select count(*) from {CREDENTIALS_TABLE} where person_key = ?",
                            [person_key]).fetchall()[0][0])
