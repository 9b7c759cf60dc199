"""The output folder: safety guard, clearing, writing files and fixing their modification times.

Modification times are part of the data contract (a file without a `_YYYYMMDD` stamp is placed on
the timeline by its mtime, docs/submission_manual.md §1), so every file gets a fixed one and two runs with
the same
seed produce byte- and time-identical landing zones.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from datetime import datetime
from pathlib import Path

MARKER = ".ler_sample_data"
KINDS = ("reference", "transcripts", "noncredit", "wages")


class OutputDirError(RuntimeError):
    """The output folder exists, holds other things, and was not written by this generator."""


def prepare_output(root: Path) -> None:
    """Create `root`, or clear the four sub-folders of a previous run; refuse any other folder."""
    if root.exists():
        if not root.is_dir():
            raise OutputDirError(f"{root} exists and is not a directory")
        if any(root.iterdir()) and not (root / MARKER).is_file():
            raise OutputDirError(f"{root} is not empty and has no {MARKER} marker: refusing to write there")
        for kind in KINDS:
            target = root / kind
            if target.is_symlink() or target.is_file():
                target.unlink()
            elif target.is_dir():
                shutil.rmtree(target)
    root.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        (root / kind).mkdir()


def csv_bytes(header: list[str], rows: list[list[str]], *, crlf: bool = False, bom: bool = False) -> bytes:
    """A CSV file as bytes: minimal quoting, UTF-8, optional Windows line ends and BOM."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


class LandingWriter:
    """Writes files under the landing root and remembers the mtime each must end with."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.mtimes: dict[Path, datetime] = {}
        self.counts: dict[str, int] = dict.fromkeys(KINDS, 0)

    def write(self, kind: str, name: str, data: bytes, mtime: datetime) -> Path:
        path = self.root / kind / name
        if path in self.mtimes:
            raise ValueError(f"{kind}/{name} written twice")
        path.write_bytes(data)
        self.mtimes[path] = mtime
        self.counts[kind] += 1
        return path

    def finish(self, marker_text: str, marker_time: datetime) -> None:
        """Write the marker and set every file's and sub-folder's modification time."""
        marker = self.root / MARKER
        marker.write_text(marker_text, encoding="utf-8")
        self.mtimes[marker] = marker_time
        for path, when in self.mtimes.items():
            ts = when.timestamp()
            os.utime(path, (ts, ts))
        for kind in KINDS:
            times = [t for p, t in self.mtimes.items() if p.parent == self.root / kind]
            ts = max(times).timestamp() if times else marker_time.timestamp()
            os.utime(self.root / kind, (ts, ts))
