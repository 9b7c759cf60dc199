"""Write the feedback of one provider, or of all, into the warehouse's restricted area (docs/feedback.md).

    <warehouse>/feedback/<provider>/feedback.html   the page to send (self-contained)
    <warehouse>/feedback/<provider>/<table>.csv      the same tables for a spreadsheet
    <warehouse>/feedback/<provider>/history/         one summary per submission (history.py)
    <warehouse>/feedback/unattributed_files.csv      the data office's list of files nobody sent

The folder is restricted like the rest of the warehouse (owner only): the data office reads it and
sends each provider its own folder. Every file is written whole or not at all. CSV cells are
spreadsheet-safe (`publication/spreadsheet.py`): a file name or code from a provider's own file
cannot become a formula in the spreadsheet that opens it.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.atomic_write import write_text
from dagster_project.feedback.data import (
    ProviderFeedback,
    attribute_files,
    known_providers,
    provider_feedback,
    unattributed_files,
)
from dagster_project.feedback.history import (
    changes,
    file_changes,
    previous_submission,
    read_history,
    remember,
    summary,
)
from dagster_project.feedback.html import render
from dagster_project.landing.registry import Registry
from dagster_project.publication.spreadsheet import csv_options, spreadsheet_safe_select
from dagster_project.sqlutil import path_lit

FEEDBACK_DIR = "feedback"
PAGE = "feedback.html"
SUMMARY = "summary"
UNATTRIBUTED = "unattributed_files.csv"
SUMMARY_COLUMNS = (
    ("measure", "VARCHAR"),
    ("description", "VARCHAR"),
    ("now", "DOUBLE"),
    ("previous_submission", "DOUBLE"),
    ("change", "DOUBLE"),
)
_SAFE_FOLDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


@dataclass(frozen=True)
class Written:
    provider_id: str
    folder: Path
    feedback: ProviderFeedback
    previous: dict | None


@dataclass(frozen=True)
class WrittenAll:
    providers: list[Written]
    unattributed_files: int  # files of the provider folders nobody could be told from


def feedback_root(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / FEEDBACK_DIR


def provider_folder(root: Path, provider_id: str) -> Path:
    """`feedback/<provider_id>/`; a code that is not a plain name (a `/`, dots, spaces) gets a folder
    named by its digest, so no provider code can point outside the feedback area."""
    if _SAFE_FOLDER.fullmatch(provider_id):
        return root / provider_id
    return root / ("provider-" + hashlib.sha256(provider_id.encode()).hexdigest()[:16])


def write_provider(con: duckdb.DuckDBPyConnection, root: Path, provider_id: str) -> Written:
    """One provider's folder (after `attribute_files(con)`)."""
    fb = provider_feedback(con, provider_id)
    folder = provider_folder(root, provider_id)
    folder.mkdir(parents=True, exist_ok=True)
    history = read_history(folder)
    current = summary(fb)
    previous = previous_submission(history, current)
    rows = changes(current, previous)
    for table in fb.tables.values():
        write_csv(con, table.relation, table.columns, folder / f"{table.name}.csv")
    cols = ", ".join(f"{name} {kind}" for name, kind in SUMMARY_COLUMNS)
    con.execute(f"create or replace temp table _fb_summary ({cols})")
    con.executemany("insert into _fb_summary values (?, ?, ?, ?, ?)", rows)
    write_csv(con, "_fb_summary", SUMMARY_COLUMNS, folder / f"{SUMMARY}.csv")
    write_text(folder / PAGE, render(fb, rows, previous, file_changes(current, previous)))
    remember(folder, history, current)
    return Written(provider_id, folder, fb, previous)


def write_all(
    con: duckdb.DuckDBPyConnection, warehouse_dir: Path, registry: Registry | None = None
) -> WrittenAll:
    """Every provider's folder and the data office's list of unattributed files."""
    root = feedback_root(warehouse_dir)
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o700)
    attribute_files(con, registry)
    written = [write_provider(con, root, pid) for pid in known_providers(con)]
    table = unattributed_files(con)
    write_csv(con, table.relation, table.columns, root / UNATTRIBUTED)
    return WrittenAll(written, len(table.rows))


def write_one(con: duckdb.DuckDBPyConnection, warehouse_dir: Path, provider_id: str,
              registry: Registry | None = None) -> Written:
    root = feedback_root(warehouse_dir)
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o700)
    attribute_files(con, registry)
    return write_provider(con, root, provider_id)


def write_csv(con: duckdb.DuckDBPyConnection, relation: str, columns: tuple[tuple[str, str], ...],
              path: Path) -> None:
    """A spreadsheet-safe CSV of a relation, written whole or not at all."""
    tmp = path.with_name(f".{path.name}.tmp")
    select = spreadsheet_safe_select(relation, columns)
    con.execute(f"copy ({select}) to {path_lit(tmp)} {csv_options(columns)}")
    os.replace(tmp, path)
