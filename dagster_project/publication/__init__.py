"""Publish the `reporting` schema as one publication (docs/reporting_rules.md §9).

A publication is one folder holding the database, the exports and (issue 11) the codebook of one
run; it appears whole or not at all, by one atomic switch, and the last `LER_KEEP_PUBLICATIONS` stay
readable (`store.py` has the layout). Only `reporting` tables (aggregates, suppressed) are copied:
nothing from the restricted `warehouse.duckdb` or the landing zone reaches a publication.

    files.py        what one publication holds, written into its folder
    spreadsheet.py  spreadsheet-safe text cells of the CSV exports (CSV injection)
    store.py        publications on disk: build, switch, entry links, pruning
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from dagster_project.permissions import make_public, make_traversable
from dagster_project.project_paths import WarehousePaths
from dagster_project.publication.files import PUBLISHED_SCHEMA, write_publication_files
from dagster_project.publication.store import PublicationStore, sync_tree
from dagster_project.settings import setting

DEFAULT_KEEP_PUBLICATIONS = setting("keep_publications").default
__all__ = ["DEFAULT_KEEP_PUBLICATIONS", "PUBLISHED_SCHEMA", "PublishResult", "publish"]


@dataclass(frozen=True)
class PublishResult:
    published_db: Path  # the path users know (a link through publications/current)
    exports_dir: Path  # likewise
    publication: Path  # this run's folder under publications/
    tables: dict[str, int]  # table -> rows
    removed: list[Path]  # publications pruned by this run


def publish(warehouse_dir: Path, run_id: str, keep: int = DEFAULT_KEEP_PUBLICATIONS) -> PublishResult:
    """Build the publication of `run_id`, switch it in, and keep the newest `keep` publications."""
    if keep < 1:
        raise ValueError(f"LER_KEEP_PUBLICATIONS must be at least 1 (got {keep})")
    paths = WarehousePaths(warehouse_dir)
    store = PublicationStore(paths)
    store.clean_leftovers()
    store.adopt_legacy()
    building = store.start(run_id)
    scratch = paths.tmp / "duckdb-publish"
    try:
        tables = write_publication_files(paths.warehouse_db, building, run_id, scratch)
        make_public(building)
        sync_tree(building)
        publication = store.commit(building, run_id)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)  # frees the space a full disk needs back
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    store.ensure_entry_links()
    store.switch_to(publication)
    store.remove_old_layout()
    removed = store.prune(keep)
    make_traversable(paths.root)
    return PublishResult(paths.published_db, paths.exports, publication, tables, removed)
