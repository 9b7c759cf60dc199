"""Publications on disk: one folder per run, one atomic switch, the last N kept.

    <warehouse>/publications/<run id>/   published.duckdb, exports/, publication.json
    <warehouse>/publications/current     symbolic link to the newest publication folder
    <warehouse>/published.duckdb         -> publications/current/published.duckdb
    <warehouse>/exports                  -> publications/current/exports

A publication is built in `publications/.building-<run id>/`, made public, flushed to disk and
renamed to its final name; nothing points to it yet. Then `current` is switched to it by
`os.replace` of a new link over the old one, which is atomic: a reader (or a run killed at any
moment) sees either the previous publication or the new one, the database and the exports of the
same run, never a mix. The two paths users know are links through `current`, so they never change
and never need switching. All links are relative, so a warehouse folder can be moved or copied.

A warehouse written by the layout before publications (a `published.duckdb` file and an `exports`
link to `exports-<run id>/`) is adopted once as the first publication, by hard links, before the
paths users know are turned into links, so that moment is as safe as any later switch.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

from dagster_project.permissions import PUBLIC_DIR_MODE
from dagster_project.project_paths import EXPORTS_NAME, PUBLISHED_DB_NAME, WarehousePaths
from dagster_project.publication.files import read_manifest, write_manifest

BUILDING_PREFIX = ".building-"
_LINK_TMP_PREFIX = ".link-"
CURRENT = "current"


def publication_name(run_id: str) -> str:
    """A run id as a folder name (Dagster's are UUIDs; anything else is made safe)."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", run_id) or "run"
    return f"run-{name}" if name == CURRENT else name


def replace_link(link: Path, target: str) -> None:
    """Make `link` a symbolic link to `target` in one rename (atomic for readers)."""
    if link.is_symlink() and os.readlink(link) == target:
        return
    tmp = link.with_name(f"{_LINK_TMP_PREFIX}{link.name}-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)


def sync_tree(tree: Path) -> None:
    """Flush a finished folder's files and folders to disk, so a power loss after the switch cannot
    leave `current` pointing at files the disk never received."""
    for folder, _dirs, files in os.walk(tree, topdown=False):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        sync_dir(Path(folder))


def sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class PublicationStore:
    """The `publications/` folder of one warehouse and the two entry links at its root."""

    def __init__(self, paths: WarehousePaths) -> None:
        self.paths = paths
        self.root = paths.publications

    # -- reading -----------------------------------------------------------------------------------
    def current(self) -> Path | None:
        """The folder `current` points to, or None before the first publication."""
        link = self.paths.current_publication
        if not link.is_symlink():
            return None
        target = self.root / os.readlink(link)
        return target if target.is_dir() else None

    def publications(self) -> list[Path]:
        """Every complete publication folder, newest first."""
        if not self.root.is_dir():
            return []
        found = [
            p for p in self.root.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
        ]
        return sorted(found, key=_published_at, reverse=True)

    # -- writing -----------------------------------------------------------------------------------
    def clean_leftovers(self) -> None:
        """Remove what killed runs left: half-built folders, link temporaries, and complete folders
        newer than `current` (built, never switched in), plus the old layout's temporaries."""
        for pattern in (f"{BUILDING_PREFIX}*", f"{_LINK_TMP_PREFIX}*"):
            for item in self.root.glob(pattern) if self.root.is_dir() else ():
                _remove(item)
        for item in self.paths.root.glob(f"{_LINK_TMP_PREFIX}*"):
            _remove(item)
        current = self.current()
        if current is not None:
            for p in self.publications():
                if p != current and _published_at(p) > _published_at(current):
                    _remove(p)
        for item in self.paths.root.glob(".published-*.duckdb*"):  # the old layout's temporaries
            _remove(item)
        for item in self.paths.root.glob(".exports-link-*"):
            _remove(item)

    def start(self, run_id: str) -> Path:
        """An empty folder to build the publication of `run_id` in."""
        self.root.mkdir(exist_ok=True)
        self.root.chmod(PUBLIC_DIR_MODE)
        building = self.root / f"{BUILDING_PREFIX}{publication_name(run_id)}"
        _remove(building)
        building.mkdir()
        return building

    def commit(self, building: Path, run_id: str) -> Path:
        """Give a finished folder its final name (not yet current)."""
        base = publication_name(run_id)
        final, n = self.root / base, 1
        while final.exists() or final.is_symlink():
            n += 1
            final = self.root / f"{base}-{n}"
        os.rename(building, final)
        sync_dir(self.root)
        return final

    def switch_to(self, publication: Path) -> None:
        """The atomic switch: `current` now names `publication`."""
        replace_link(self.paths.current_publication, publication.name)
        sync_dir(self.root)

    def ensure_entry_links(self) -> None:
        """`published.duckdb` and `exports` at the warehouse root as links through `current`."""
        for entry, name in ((self.paths.published_db, PUBLISHED_DB_NAME), (self.paths.exports, EXPORTS_NAME)):
            if entry.is_dir() and not entry.is_symlink():
                # a real folder from the first layout of all: moved aside once (the one moment a
                # reader could miss it); its files were adopted first
                os.replace(entry, entry.with_name(f".{entry.name}-first-layout"))
            replace_link(entry, f"{self.root.name}/{CURRENT}/{name}")
        sync_dir(self.paths.root)

    def adopt_legacy(self) -> None:
        """Turn a warehouse of the layout before publications into one with its first publication."""
        db = self.paths.published_db
        if self.current() is not None or db.is_symlink() or not db.is_file():
            return
        exports = self.paths.exports.resolve() if self.paths.exports.exists() else None
        name = exports.name.removeprefix(f"{EXPORTS_NAME}-") if exports is not None else "legacy"
        building = self.start(name)
        _link_or_copy(db, building / PUBLISHED_DB_NAME)
        (building / EXPORTS_NAME).mkdir()
        if exports is not None and exports.is_dir():
            for f in exports.iterdir():
                if f.is_file():
                    _link_or_copy(f, building / EXPORTS_NAME / f.name)
        published_at = datetime.fromtimestamp(db.stat().st_mtime, tz=UTC)
        write_manifest(building, name, {}, published_at=published_at)
        self.switch_to(self.commit(building, name))

    def remove_old_layout(self) -> None:
        """The old layout's export folders, once no entry link points to them."""
        for item in self.paths.root.glob(f"{EXPORTS_NAME}-*"):
            if item.is_dir() and not item.is_symlink():
                _remove(item)
        for item in self.paths.root.glob(".*-first-layout"):
            _remove(item)

    def prune(self, keep: int) -> list[Path]:
        """Keep `current` and the newest publications up to `keep` in all; remove the others."""
        current = self.current()
        kept = [current] if current is not None else []
        removed = []
        for p in self.publications():
            if p in kept:
                continue
            if len(kept) < keep:
                kept.append(p)
            else:
                _remove(p)
                removed.append(p)
        return removed


def _published_at(folder: Path) -> str:
    manifest = read_manifest(folder) or {}
    when = manifest.get("published_at")
    if isinstance(when, str):
        return when
    return datetime.fromtimestamp(folder.stat().st_mtime, tz=UTC).isoformat()


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _remove(item: Path) -> None:
    if item.is_dir() and not item.is_symlink():
        shutil.rmtree(item, ignore_errors=True)
    else:
        item.unlink(missing_ok=True)
