"""The SHA-256 of landed files already hashed, kept between runs (docs/submission_manual.md §1).

A file's content hash names it in the manifest, finds duplicates and keys the file cache, so every
run knew it by reading the whole file: at state size 3.9 GB of wage files, about 3 s of a nightly
run that reads none of them otherwise. A file whose stat is the one it had when it was hashed is
not read again. The stat is what git's index trusts, and more: size, modification time, change time
and inode, in nanoseconds. Writing a file, renaming it, replacing it by another or touching it
changes its change time (which no program can set back), so an edited file is always hashed anew;
a copied landing zone is hashed once more.

The memo holds paths and hashes only (no content), in the restricted lake folder; a missing or
unreadable memo only means the files are hashed again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from dagster_project.atomic_write import write_text


def _stat_of(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


class HashMemo:
    """Content hashes by path and stat; `save` keeps the entries looked up since it was loaded."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self._known: dict[str, dict] = {}
        self._used: dict[str, dict] = {}
        try:
            loaded = json.loads(file.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                self._known = loaded
        except (OSError, ValueError):
            pass

    def sha256(self, path: Path, compute: Callable[[Path], str]) -> str:
        """The file's SHA-256: the memo's when its stat is unchanged, else `compute(path)`."""
        key = os.fspath(path.resolve())
        stat = _stat_of(path)
        entry = self._known.get(key)
        known = isinstance(entry, dict) and entry.get("stat") == stat and isinstance(entry.get("sha256"), str)
        if not known:
            entry = {"stat": stat, "sha256": compute(path)}
        self._used[key] = entry
        return entry["sha256"]

    def save(self) -> None:
        """Write the entries of this run's files (files no longer landed drop out)."""
        self.file.parent.mkdir(parents=True, exist_ok=True)
        write_text(self.file, json.dumps(self._used, sort_keys=True))
