"""Remember the judged rows of large files, so a nightly run re-reads only what is new.

Each run rebuilds the lake from the whole landing zone (so amendments, deletions and re-ordering are
always right), but a 3-million-row quarterly wage file that has not changed gives the same rows every
night. Its judged rows and rejects are kept under `lake/_cache/<kind>/<key>/`, where the key covers
everything the result depends on: the file's SHA-256, its layout and contract, the ingestion code,
the person-key secret (as an HMAC fingerprint, never the secret), the field-length limit, the ICESA
layout, and for layouts checked against the reference files, those files' effective content. Change
any of them and the file is judged again.

Entries not used by a run are deleted at its end, so the cache never outgrows the landing zone.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dagster_project.landing.validate import Counts

CACHE_VERSION = "1"
ROWS = "rows.parquet"
REJECTS = "rejects.parquet"
META = "meta.json"


@cache
def code_version() -> str:
    """Digest of the code and contracts that decide a file's judged rows."""
    from dagster_project import identity, sqlutil
    from dagster_project.landing import validate
    from dagster_project.project_paths import CONTRACTS_DIR

    digest = hashlib.sha256(CACHE_VERSION.encode())
    sources = sorted(Path(validate.__file__).parent.rglob("*.py"))
    sources += [Path(identity.__file__), Path(sqlutil.__file__)] + sorted(CONTRACTS_DIR.glob("*.json"))
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class CachedFile:
    directory: Path
    counts: Counts
    warnings: list[str]
    file_name: str
    file_seq: int

    @property
    def rows(self) -> Path:
        return self.directory / ROWS

    @property
    def rejects(self) -> Path:
        return self.directory / REJECTS


class FileCache:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.used: set[str] = set()

    @staticmethod
    def key(*parts: str) -> str:
        return hashlib.sha256("\x1f".join([code_version(), *parts]).encode()).hexdigest()

    def get(self, key: str) -> CachedFile | None:
        directory = self.root / key
        try:
            meta = json.loads((directory / META).read_text())
        except (OSError, ValueError):
            return None
        if not (directory / ROWS).exists() or not (directory / REJECTS).exists():
            return None
        self.used.add(key)
        return CachedFile(
            directory, Counts(**meta["counts"]), meta["warnings"], meta["file_name"], meta["file_seq"]
        )

    def put(
        self,
        key: str,
        write: dict[str, object],
        counts: Counts,
        warnings: list[str],
        file_name: str,
        file_seq: int,
    ) -> CachedFile:
        """`write` maps ROWS / REJECTS to callables writing that Parquet file at the path given."""
        tmp = self.root / f".tmp-{key}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for name, writer in write.items():
            writer(tmp / name)
        meta = {"counts": counts.__dict__, "warnings": warnings, "file_name": file_name, "file_seq": file_seq}
        (tmp / META).write_text(json.dumps(meta))
        final = self.root / key
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
        self.used.add(key)
        return CachedFile(final, counts, warnings, file_name, file_seq)

    def prune(self) -> None:
        for entry in self.root.iterdir():
            if entry.name not in self.used:
                shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)
