"""One run at a time per warehouse: an advisory lock on `<warehouse>/.lock` (docs/reporting_rules.md §9).

The lock is an OS advisory lock (`fcntl.flock`) held on an open file by the process that runs the
job, for the whole run. The kernel releases it when that process ends, however it ends, so a run
killed with SIGKILL (or a machine that rebooted) never leaves a live lock behind: the file may still
name the dead holder, and the next run recognises that as stale and takes it over. The file holds
the holder's pid, start time and run id, so a second run can say who is in the way.

Who takes it: `ler run` before it starts Dagster (so a second one exits at once), and the run's
settings resource (`locked_settings.py`) for every run of the code location, so runs started by the
schedule, the sensor or the UI are covered too. Within one process the lock is re-entrant: `ler
run` holds it and the run it executes in-process takes it again. That is why the job uses the
in-process executor: every step of a run executes in the one process that holds the lock; with
one process per step, the steps would lock each other out.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dagster_project.project_paths import WarehousePaths


class WarehouseBusy(RuntimeError):
    """Another live run holds the warehouse; the message names it (pid, start time, run id)."""


@dataclass(frozen=True)
class Holder:
    pid: int | None
    started_at: str | None
    run_id: str | None

    def describe(self) -> str:
        parts = [f"pid {self.pid}" if self.pid else "pid unknown"]
        if self.started_at:
            parts.append(f"started {self.started_at}")
        if self.run_id:
            parts.append(f"run {self.run_id}")
        return ", ".join(parts)


@dataclass
class _Held:
    fd: int
    depth: int
    stale: Holder | None  # what a dead holder had left in the file when this process took it


_held: dict[Path, _Held] = {}
_guard = threading.Lock()


def read_holder(lock_file: Path) -> Holder | None:
    """What the lock file says about its last holder (None when empty, missing or unreadable)."""
    try:
        data = json.loads(lock_file.read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    pid = data.get("pid")
    return Holder(pid if isinstance(pid, int) else None, data.get("started_at"), data.get("run_id"))


def acquire(warehouse: Path, run_id: str | None = None) -> Holder | None:
    """Take the warehouse lock (re-entrant within this process) or raise WarehouseBusy at once.

    Returns the stale holder whose lock this call took over (a run that died holding it), else None.
    """
    path = WarehousePaths(warehouse).lock.resolve()
    with _guard:
        held = _held.get(path)
        if held is not None:
            held.depth += 1
            return None
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                holder = read_holder(path)
                raise WarehouseBusy(
                    f"warehouse {warehouse} is in use by another run "
                    f"({holder.describe() if holder else 'holder unknown'}); "
                    "wait for it to finish (or stop it), then run again"
                ) from None
            raise
        stale = read_holder(path)
        _write_holder(fd, run_id)
        _held[path] = _Held(fd, 1, stale)
        return stale


def live_holder(warehouse: Path) -> Holder | None:
    """Who holds the warehouse lock right now, or None when no live run does (a probe: it takes the
    lock for an instant and gives it back, so it never blocks a run; a stale file counts as free)."""
    path = WarehousePaths(warehouse).lock
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return read_holder(path) or Holder(None, None, None)
        raise
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def release(warehouse: Path) -> None:
    """Give the lock back (the outermost release of this process clears the file and unlocks)."""
    path = WarehousePaths(warehouse).lock.resolve()
    with _guard:
        held = _held.get(path)
        if held is None:
            return
        held.depth -= 1
        if held.depth > 0:
            return
        del _held[path]
        try:
            os.ftruncate(held.fd, 0)  # an empty file means "released cleanly", not stale
        except OSError:
            pass
        finally:
            fcntl.flock(held.fd, fcntl.LOCK_UN)
            os.close(held.fd)


@contextmanager
def holding(warehouse: Path, run_id: str | None = None) -> Iterator[Holder | None]:
    """`with holding(wh, run_id) as stale:` the lock for the block; `stale` as `acquire` returns."""
    stale = acquire(warehouse, run_id)
    try:
        yield stale
    finally:
        release(warehouse)


def _write_holder(fd: int, run_id: str | None) -> None:
    info = {"pid": os.getpid(), "started_at": datetime.now(tz=UTC).isoformat(timespec="seconds")}
    if run_id:
        info["run_id"] = run_id
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(info) + "\n").encode(), 0)
    except OSError:
        pass  # a full disk: the lock holds all the same; a second run just cannot name this one
