"""Operational failures explained: one plain line naming the path and what to do.

A run can fail for reasons outside the data: the disk fills, a folder is read-only or not ours,
a landing file is unreadable or vanishes mid-run. The operator then needs the path and the remedy,
not a traceback (that goes to the run's log file, run_logs.py). `classify` reads the messages of
an error chain, from Python (`[Errno 28] No space left on device: '/wh/x'`), DuckDB (`Could not
write file "/wh/x": No space left on device`) or dbt's output relayed by dagster-dbt, and finds
the kind of failure and, when a message names one, the path; `explain` turns that into the line.
Both are pure functions. Messages never carry row values: only the path and the kind are shown.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

DISK_FULL, PERMISSION, MISSING = "disk full", "permission denied", "missing"

# (kind, the reason as shown, patterns of messages), most specific first
_KINDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (DISK_FULL, "no space left on device", ("No space left on device", "[Errno 28]", "Disk quota exceeded")),
    (PERMISSION, "read-only file system", ("Read-only file system", "[Errno 30]")),
    (PERMISSION, "permission denied", ("Permission denied", "[Errno 13]", "Operation not permitted")),
    (MISSING, "no such file or folder", ("No such file or directory", "[Errno 2]")),
)
_PY_PATH = re.compile(r"\[Errno \d+\] [^:\n]+: (?P<repr>'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")")
_DUCKDB_PATH = re.compile(r"(?:file|directory) \\?\"(?P<path>/[^\n]*?)\\?\"(?=: |$)")


@dataclass(frozen=True)
class Failure:
    kind: str  # DISK_FULL, PERMISSION or MISSING
    reason: str  # e.g. "read-only file system"
    path: Path | None  # the path a message names, when one does


def classify(messages: Iterable[str]) -> Failure | None:
    """The operational failure the messages of one error chain describe, or None (a data or code
    problem, reported as a failed step)."""
    texts = [m for m in messages if m]
    for kind, reason, patterns in _KINDS:
        for text in texts:
            if any(p in text for p in patterns):
                return Failure(kind, reason, _path_in(text, patterns))
    return None


def _path_in(text: str, patterns: tuple[str, ...]) -> Path | None:
    """The path named on the line of `text` that carries the failure, if any."""
    lines = [line for line in text.splitlines() if any(p in line for p in patterns)] or [text]
    for line in lines:
        for match in _PY_PATH.finditer(line):
            try:
                return Path(ast.literal_eval(match.group("repr")))
            except (ValueError, SyntaxError):
                continue
        match = _DUCKDB_PATH.search(line)
        if match:
            return Path(match.group("path"))
    return None


def exception_messages(exc: BaseException) -> Iterator[str]:
    """The messages of an exception and of its causes and contexts."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield str(e)
        todo += [e.__cause__, e.__context__]


def error_info_messages(error: object) -> Iterator[str]:
    """The messages of a Dagster SerializableErrorInfo chain (what a failed step event carries)."""
    todo = [error]
    while todo:
        e = todo.pop()
        if e is None:
            continue
        yield str(getattr(e, "message", "") or "")
        todo += [getattr(e, "cause", None), getattr(e, "context", None)]


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def explain(failure: Failure, landing: Path, warehouse: Path) -> str:
    """The plain line: what happened, to which path, and what to do."""
    path = failure.path
    in_landing = path is not None and _within(path, landing)
    shown = path or (landing if in_landing else warehouse)
    if failure.kind == DISK_FULL:
        return (
            f"the disk is full ({failure.reason}) writing {shown}: free space on the disk that holds "
            f"{warehouse}, or choose another --warehouse, then run again"
        )
    if failure.kind == PERMISSION and in_landing:
        return (
            f"cannot read {shown} ({failure.reason}): make the landing zone readable by the user "
            "running ler, then run again"
        )
    if failure.kind == PERMISSION:
        return (
            f"cannot write {shown} ({failure.reason}): give the user running ler write access to "
            f"{warehouse}, or choose another --warehouse, then run again"
        )
    if in_landing:
        return (
            f"{shown} is missing ({failure.reason}); it disappeared or was renamed during the run: "
            "let uploads finish (upload under a temporary name, then rename), then run again"
        )
    return f"{shown} is missing ({failure.reason}): make sure nothing else changes {warehouse}, then rerun"
