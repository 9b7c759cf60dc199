"""What ingestion records about each file and each kind: the load manifest and the rejected rows.

`audit.load_manifest` and `audit.rejected_rows` (docs/submission_manual.md §5) are written from
these, with `rows_read = rows_loaded + rows_rejected + rows_duplicate` for every file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dagster_project.landing.discovery import LandedFile
from dagster_project.landing.judge import DUPLICATE, LOADED, LOADED_WITH_REJECTS, QUARANTINED, Verdict
from dagster_project.landing.validate import Counts

MANIFEST_COLUMNS = (
    ("file_name", "VARCHAR"),
    ("file_path", "VARCHAR"),
    ("sha256", "VARCHAR"),
    ("source_kind", "VARCHAR"),
    ("file_format", "VARCHAR"),
    ("status", "VARCHAR"),
    ("rows_read", "BIGINT"),
    ("rows_loaded", "BIGINT"),
    ("rows_rejected", "BIGINT"),
    ("rows_duplicate", "BIGINT"),
    ("received_at", "TIMESTAMPTZ"),
    ("message", "VARCHAR"),
    ("file_seq", "INTEGER"),
    ("layout", "VARCHAR"),
)
REJECT_COLUMNS = (
    ("file_name", "VARCHAR"),
    ("line_number", "BIGINT"),
    ("field", "VARCHAR"),
    ("reason", "VARCHAR"),
    ("record", "VARCHAR"),
)


@dataclass
class FileResult:
    file: LandedFile
    status: str
    counts: Counts
    message: str

    @classmethod
    def of(cls, f: LandedFile, verdict: Verdict) -> FileResult:
        return cls(f, verdict.status, verdict.counts, verdict.message)

    def manifest_row(self) -> tuple:
        f = self.file
        return (
            f.name,
            str(f.path),
            f.sha256,
            f.kind,
            f.file_format,
            self.status,
            self.counts.rows_read,
            self.counts.rows_loaded,
            self.counts.rows_rejected,
            self.counts.rows_duplicate,
            f.received_at,
            self.message,
            f.seq,
            f.layout,
        )


@dataclass
class KindReport:
    kind: str
    files: list[FileResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.files if r.status == status)

    @property
    def rows_loaded(self) -> int:
        return sum(r.counts.rows_loaded for r in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(r.counts.rows_rejected for r in self.files)

    def summary(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "loaded": self.count(LOADED) + self.count(LOADED_WITH_REJECTS),
            "with_rejects": self.count(LOADED_WITH_REJECTS),
            "quarantined": self.count(QUARANTINED),
            "duplicate": self.count(DUPLICATE),
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
        }
