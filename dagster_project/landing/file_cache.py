"""Remember the judged rows of large files, so a nightly run re-reads only what is new.

Each run rebuilds the lake from the whole landing zone (so amendments, deletions and re-ordering are
always right), but a 3-million-row quarterly wage file that has not changed gives the same rows every
night. Its judged rows and rejects are kept under `lake/_cache/<kind>/<key>/`, where the key covers
everything the result depends on: the file's SHA-256, its layout and contract, the ingestion code and
the layout's reader, the person-key secret (as an HMAC fingerprint, never the secret), the
field-length limit, for layouts checked against the reference files those files' effective content,
and every ReadContext field the layout's contract says its reader reads (`depends_on`: the provider
directory, `LER_ICESA_LAYOUT`'s content, `LER_MAX_JSON_DEPTH`, the run date). Change any of them and
the file is judged again. Layouts whose rows depend on other files (`rosters`) are never cached.

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

from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import Contract
from dagster_project.landing.registry import Registry
from dagster_project.landing.validate import Counts

CACHE_VERSION = "2"  # 2: entries carry their contract results
ROWS = "rows.parquet"
REJECTS = "rejects.parquet"
META = "meta.json"


@cache
def code_version(registry: Registry) -> str:
    """Digest of the code, contracts and readers that decide a file's judged rows."""
    from dagster_project import identity, sqlutil
    from dagster_project.landing import validate

    digest = hashlib.sha256(CACHE_VERSION.encode())
    sources = sorted(Path(validate.__file__).parent.rglob("*.py"))
    sources += [Path(identity.__file__), Path(sqlutil.__file__)] + registry.source_files()
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def reader_inputs(c: Contract, ctx: ReadContext) -> list[str]:
    """`name=fingerprint` of every ReadContext field the layout's reader reads (its `depends_on`)."""
    return [f"{name}={_fingerprint(getattr(ctx, name))}" for name in c.reader_inputs]


def _fingerprint(value: object) -> str:
    """A file by its content, a value that can fingerprint itself by that, anything else by repr."""
    if isinstance(value, Path):
        return hashlib.sha256(value.read_bytes()).hexdigest()
    fingerprint = getattr(value, "fingerprint", None)
    return fingerprint() if callable(fingerprint) else repr(value)


@dataclass(frozen=True)
class CachedFile:
    directory: Path
    counts: Counts
    warnings: list[str]
    file_name: str
    file_seq: int
    expectations: dict[str, int]  # contract_results.count_rejects of the file

    @property
    def rows(self) -> Path:
        return self.directory / ROWS

    @property
    def rejects(self) -> Path:
        return self.directory / REJECTS


class FileCache:
    def __init__(self, root: Path, registry: Registry) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.used: set[str] = set()
        self.version = code_version(registry)

    def key(self, *parts: str) -> str:
        return hashlib.sha256("\x1f".join([self.version, *parts]).encode()).hexdigest()

    def get(self, key: str) -> CachedFile | None:
        """The entry under `key`, or None when there is none or it is incomplete or unreadable."""
        directory = self.root / key
        try:
            meta = json.loads((directory / META).read_text())
            found = CachedFile(
                directory,
                Counts(**meta["counts"]),
                meta["warnings"],
                meta["file_name"],
                meta["file_seq"],
                meta["expectations"],
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not (found.rows.exists() and found.rejects.exists()):
            return None
        self.used.add(key)
        return found

    def put(
        self,
        key: str,
        write: dict[str, object],
        counts: Counts,
        warnings: list[str],
        file_name: str,
        file_seq: int,
        expectations: dict[str, int],
    ) -> CachedFile:
        """`write` maps ROWS / REJECTS to callables writing that Parquet file at the path given."""
        tmp = self.root / f".tmp-{key}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for name, writer in write.items():
            writer(tmp / name)
        meta = {
            "counts": counts.__dict__,
            "warnings": warnings,
            "file_name": file_name,
            "file_seq": file_seq,
            "expectations": expectations,
        }
        (tmp / META).write_text(json.dumps(meta))
        final = self.root / key
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
        self.used.add(key)
        return CachedFile(final, counts, warnings, file_name, file_seq, expectations)

    def prune(self) -> None:
        for entry in self.root.iterdir():
            if entry.name not in self.used:
                shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)
