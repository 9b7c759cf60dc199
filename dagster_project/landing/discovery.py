"""Find the files of the landing zone and put them on one timeline (docs/submission_manual.md §1).

A file's time is the `_YYYYMMDD` stamp just before its extension (that date, 00:00 UTC), else its
modification time (UTC); ties go by file name. Later files win for the same natural key, so this
order decides which amendment stands. Which layout a file is comes from the registry (`registry.py`).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dagster_project.landing.contracts import KINDS
from dagster_project.landing.hash_memo import HashMemo
from dagster_project.landing.registry import Registry, load_registry

_STAMP = re.compile(r"_(\d{8})\.[^.]+$")
# Names of files still being written by an upload; they are left for the next run.
_IN_PROGRESS_SUFFIXES = (".tmp", ".part", ".partial", ".filepart", ".crdownload")


@dataclass(frozen=True)
class LandedFile:
    path: Path
    kind: str
    layout: str | None  # None: not an accepted file type for its folder
    file_format: str
    received_at: datetime
    seq: int
    sha256: str
    rejection: str | None = None  # why the folder does not accept the file (layout None)

    @property
    def name(self) -> str:
        return self.path.name


def classify(kind: str, path: Path, registry: Registry | None = None) -> tuple[str | None, str]:
    """(layout, file_format) of a file in a kind folder; layout None when not accepted there (the
    file_format is then the file's suffix, for the manifest)."""
    found = (registry or load_registry()).classify(kind, path)
    if found is None:
        return None, path.suffix.lower().lstrip(".") or "unknown"
    return found.layout, found.file_format


def file_time(path: Path) -> datetime:
    match = _STAMP.search(path.name)
    if match:
        try:
            return datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=UTC)
        except ValueError:
            pass  # not a real date: fall back to the modification time
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def is_submission(path: Path) -> bool:
    name = path.name
    return (
        path.is_file()
        and not name.startswith((".", "~"))
        and not name.lower().endswith(_IN_PROGRESS_SUFFIXES)
    )


def iter_submissions(landing_dir: Path) -> Iterator[tuple[str, Path]]:
    """(kind, path) of every submission file in the four kind folders (not yet ordered)."""
    for kind in KINDS:
        folder = landing_dir / kind
        if folder.is_dir():
            for path in folder.iterdir():
                if is_submission(path):
                    yield kind, path


def discover(
    landing_dir: Path,
    kinds: tuple[str, ...] = KINDS,
    registry: Registry | None = None,
    hashes: HashMemo | None = None,
) -> list[LandedFile]:
    """All submission files of the given kinds, in timeline order (seq is the position on it).

    The sequence is computed over every kind, so `seq` is the same whichever kind is asked for.
    `hashes`: the content hashes of earlier runs, for the files whose stat is unchanged
    (`hash_memo.py`); without it every file is read.
    """
    if not landing_dir.is_dir():
        raise FileNotFoundError(f"landing zone {landing_dir} does not exist")
    registry = registry or load_registry()
    entries = [(file_time(path), path.name, kind, path) for kind, path in iter_submissions(landing_dir)]
    entries.sort(key=lambda e: (e[0], e[1], e[2]))
    asked = [
        (seq, when, kind, path) for seq, (when, _, kind, path) in enumerate(entries, start=1) if kind in kinds
    ]
    shas = _content_hashes([path for *_, path in asked], hashes)
    files = []
    for (seq, when, kind, path), sha in zip(asked, shas, strict=True):
        layout, fmt = classify(kind, path, registry)
        rejection = None if layout else f"not an accepted file type for {kind}/ ({registry.accepted(kind)})"
        files.append(LandedFile(path, kind, layout, fmt, when, seq, sha, rejection))
    return files


def _content_hashes(paths: list[Path], hashes: HashMemo | None) -> list[str]:
    """The SHA-256 of each file, from the memo where it knows the file, read one file per core at a
    time otherwise: hashlib lets go of the GIL, and a state's first run reads 3.9 GB of wage files
    (warm, 2.8 s on one core and 1.4 s on two). `HashMemo.sha256` sets one dict item per path, which
    is safe from several threads."""

    def one(path: Path) -> str:
        return hashes.sha256(path, sha256_of) if hashes else sha256_of(path)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(one, paths))
