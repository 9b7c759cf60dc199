"""Where a run's messages go: plain lines on the console, everything in the run's log file.

`ler run` is read by operators and schedulers, so the console gets warnings (a quarantined file,
rejected rows) as one line each, and never a traceback: when a step fails, the command prints one
plain line saying what happened and what to do (failures.py). Everything, with the full error
detail, goes to `<warehouse>/logs/<run id>.log`, restricted like the rest of the warehouse
(umask, permissions.py). Both are Dagster loggers of the code location, so runs started by the
schedule, the sensor or the UI write their log file too.

Writing the log never fails a run: when the log cannot be written (a full disk, a read-only
folder) the handler stops writing, remembers why, and the command says so (`log_problem`).
"""

from __future__ import annotations

import contextlib
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

from dagster import Field, InitLoggerContext, logger

from dagster_project.project_paths import WarehousePaths
from dagster_project.settings import Settings, SettingsError

_PROBLEMS: dict[str, str] = {}  # run id -> why its log file is incomplete


def log_problem(run_id: str) -> str | None:
    """Why the run's log file could not be (fully) written, or None when it was."""
    return _PROBLEMS.get(run_id)


def _meta(record: logging.LogRecord) -> dict:
    meta = getattr(record, "dagster_meta", None)
    return meta if isinstance(meta, dict) else {}


class PlainConsoleHandler(logging.Handler):
    """One line per message below ERROR: time, level, step, the message's first line."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            return  # failures are reported by the command in one plain line
        meta = _meta(record)
        text = str(meta.get("orig_message", record.getMessage())).strip().splitlines()
        step = meta.get("step_key") or meta.get("job_name") or "run"
        when = datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M:%S")
        sys.stderr.write(f"{when} - {record.levelname} - {step} - {text[0] if text else ''}\n")


class RunLogHandler(logging.Handler):
    """Appends every message, error detail included, to the run's log file; never raises."""

    def __init__(self, path: Path, run_id: str) -> None:
        super().__init__(logging.DEBUG)
        self.path, self.run_id = path, run_id
        self.file = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole run
        except OSError as exc:
            self._give_up(exc)

    def _give_up(self, exc: OSError) -> None:
        _PROBLEMS.setdefault(self.run_id, exc.strerror or str(exc))
        if self.file is not None:
            with contextlib.suppress(OSError):
                self.file.close()
            self.file = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.file is None:
            return
        when = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        try:
            self.file.write(f"{when} {record.levelname} {record.getMessage()}\n")
            self.file.flush()
        except OSError as exc:
            self._give_up(exc)


@logger(
    {"log_level": Field(str, is_required=False, default_value="WARNING")},
    description="Plain console lines (no tracebacks) at or above log_level, below ERROR.",
)
def plain_console_logger(init_context: InitLoggerContext) -> logging.Logger:
    out = logging.Logger("ler", init_context.logger_config["log_level"].upper())
    out.addHandler(PlainConsoleHandler())
    return out


@logger(description="Every message of the run, with error details, in <warehouse>/logs/<run id>.log.")
def run_file_logger(init_context: InitLoggerContext) -> logging.Logger:
    out = logging.Logger("ler.run_log", logging.DEBUG)
    run_id = init_context.run_id or "unknown-run"
    try:
        warehouse = Settings.load().warehouse_dir
    except SettingsError:
        return out  # the run fails on its settings at once; nothing to log to
    out.addHandler(RunLogHandler(WarehousePaths(warehouse).run_log(run_id), run_id))
    return out


LOGGERS = {"console": plain_console_logger, "run_log": run_file_logger}
