"""The Dagster instance a warehouse keeps: where every run of it is recorded (docs/reporting_rules.md §9).

`ler run` records its runs in a persistent instance at `<warehouse>/.dagster` (`DAGSTER_HOME` when
that is set), the folder `make dev` gives `dagster dev` as its home, so runs of `ler run`, of the
nightly schedule, of the sensor and of the UI land in one history that the UI and `ler status`
show. The folder is owner-only like the rest of the warehouse (the umask, permissions.py): its event
log holds step messages. Its `dagster.yaml` only turns telemetry off; storage is Dagster's default
SQLite layout (`history/runs.db`, one `history/runs/<run id>.db` per run plus `index.db`,
`schedules/`), nothing in it names a path, so the warehouse folder can still be moved or copied.

Why a client of our own for the event log: Dagster's SQLite event log opens a new SQLAlchemy engine
and a new SQLite connection for every statement, and closing the last connection of a WAL database
checkpoints it. A run of the hand-built test state writes about 1,100 events (every dbt test is an
asset check), which cost 8-10 CPU seconds and 40-65 s of wall time (fsyncs) that way, measured
2026-12-02 by replaying one run's events, against 0.8-1.0 s / 1-2 s in memory.
`PooledSqliteEventLogStorage` writes the very same files with one pooled engine per file and
`synchronous=NORMAL` (SQLite's advice for WAL: a power cut may lose the last events, never the
database): 1.2-1.8 s / 2-3 s (docs/reporting_rules.md §9, "Run history"). `ler run` and
`ler status` use it on an instance whose dagster.yaml configures no storage; `dagster dev` reads and
writes the same files with Dagster's own client.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as db
import yaml
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS

from dagster_project.failures import DISK_FULL, PERMISSION, Failure, classify, exception_messages
from dagster_project.project_paths import WarehousePaths

if TYPE_CHECKING:
    from dagster import DagsterInstance

# Written by `ler run` when it creates the instance. Telemetry off: a warehouse reports nothing.
INSTANCE_YAML = (
    "# The Dagster instance of this warehouse: the history of its runs (dagster_project/run_instance.py).\n"
    "telemetry:\n  enabled: false\n"
)
STORAGE_KEYS = ("storage", "run_storage", "event_log_storage", "schedule_storage")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log (same files, same schema), through one pooled engine per file."""

    def __init__(self, base_dir: str, inst_data: Any = None) -> None:
        self._engines: dict[str, db.Engine] = {}  # before the base class, which may connect
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> db.Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = db.create_engine(
                self.conn_string_for_shard(shard), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
            )
            db.event.listen(engine, "connect", _wal_pragmas)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            self._engines[shard] = engine
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[db.Connection]:
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()


def _wal_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def instance_home(warehouse: Path) -> Path:
    """Where the warehouse's runs are recorded: DAGSTER_HOME when set, else `<warehouse>/.dagster`."""
    home = os.environ.get("DAGSTER_HOME")
    return Path(home) if home else WarehousePaths(Path(os.path.abspath(warehouse))).dagster_home


def has_history(home: Path) -> bool:
    """Whether `home` holds an instance to read; checked first, so that reading never creates one."""
    if (home / "history" / "runs.db").is_file():  # Dagster's default SQLite run storage
        return True
    return _storage_configured(home)  # the operator's own storage (Postgres, ...)


def _storage_configured(home: Path) -> bool:
    config = home / "dagster.yaml"
    if not config.is_file():
        return False
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    return isinstance(data, dict) and any(key in data for key in STORAGE_KEYS)


def open_instance(home: Path) -> DagsterInstance:
    """The instance at `home`, its event log through PooledSqliteEventLogStorage when the home uses
    Dagster's default SQLite storage, else as its dagster.yaml configures it."""
    from dagster import DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    if _storage_configured(home):
        return DagsterInstance.from_config(str(home))
    pooled = {
        "module": __name__,
        "class": PooledSqliteEventLogStorage.__name__,
        "config": {"base_dir": str(home / "history" / "runs")},
    }
    return DagsterInstance.from_ref(InstanceRef.from_dir(str(home), overrides={"event_log_storage": pooled}))


def open_for_run(warehouse: Path) -> DagsterInstance:
    """The instance a run records itself in. `<warehouse>/.dagster` and its dagster.yaml are created
    when missing (owner-only: the caller has set the umask); a DAGSTER_HOME of the operator's is used
    as it is. Raises OSError or SQLite's errors ("database or disk is full", ...) when it cannot
    be written."""
    home = instance_home(warehouse)
    if not os.environ.get("DAGSTER_HOME"):
        prepare_home(home)
    return open_instance(home)


def prepare_home(home: Path) -> None:
    """The instance folder (0700) and its dagster.yaml (telemetry off) when missing; `make dev`
    calls it too, so `dagster dev` started before any `ler run` has telemetry off as well."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():  # written whole or not at all: a torn file would break later runs
        part = home / ".dagster.yaml.part"
        part.write_text(INSTANCE_YAML, encoding="utf-8")
        os.replace(part, config)


# SQLite's own words for a full disk or a folder it may not write; they name no path
_SQLITE_FULL = ("database or disk is full",)
_SQLITE_READ_ONLY = ("attempt to write a readonly database",)
# what SQLite says when it cannot create its WAL files: the folder's file system tells which it is
_SQLITE_VAGUE = ("disk I/O error", "unable to open database file")
_LOW_SPACE = 1 << 20  # bytes: less than this free counts as a full disk


def storage_failure(exc: BaseException, home: Path) -> Failure | None:
    """The operational failure (failures.py) behind an error raised while recording a run in the
    instance at `home`, or None for any other error. A SQLite message names no path: the failure
    names the instance folder."""
    failure = classify(exception_messages(exc))
    if failure is not None:
        return failure
    text = "\n".join(exception_messages(exc))
    if any(m in text for m in _SQLITE_FULL):
        return Failure(DISK_FULL, "no space left on device", home)
    if any(m in text for m in _SQLITE_READ_ONLY):
        return _probe(home) or Failure(PERMISSION, "permission denied", home)
    if any(m in text for m in _SQLITE_VAGUE):
        return _probe(home)
    return None


def _probe(home: Path) -> Failure | None:
    """Why the file system of `home` cannot be written (read-only, full, not ours), or None."""
    folder = home
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        fs = os.statvfs(folder)
    except OSError:
        return None
    if fs.f_flag & os.ST_RDONLY:
        return Failure(PERMISSION, "read-only file system", home)
    if fs.f_bavail * fs.f_frsize < _LOW_SPACE:
        return Failure(DISK_FULL, "no space left on device", home)
    if not os.access(folder, os.W_OK):
        return Failure(PERMISSION, "permission denied", home)
    return None
