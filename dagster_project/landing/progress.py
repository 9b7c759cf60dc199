"""Progress of a long ingestion: files done / total, and rows per second for large files.

A state's first load reads tens of millions of wage rows; at the default log level `ler run` must not
be silent for minutes, nor chatty for the sample's few seconds. So: one line per large file (at least
`LARGE_ROWS` rows) with its rate, and a files-done line at most every `EVERY_S` seconds; nothing when
the whole kind takes less than that. Lines carry counts and file names only, never values.
"""

from __future__ import annotations

import time
from collections.abc import Callable

LARGE_ROWS = 500_000
EVERY_S = 10.0


class Progress:
    def __init__(
        self, kind: str, total: int, emit: Callable[[str], None], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.kind, self.total, self.emit, self.clock = kind, total, emit, clock
        self.done = 0
        self.started = self.last = clock()

    def file_read(self, name: str, rows: int, seconds: float) -> None:
        """A file was read and judged; `seconds` is what it took."""
        if rows >= LARGE_ROWS:
            rate = rows / seconds if seconds > 0 else float(rows)
            self.emit(f"{self.kind}: {name}: {rows:,} rows in {seconds:.1f} s ({rate:,.0f} rows/s)")

    def files_done(self, n: int = 1) -> None:
        self.done += n
        now = self.clock()
        if now - self.last >= EVERY_S and self.done < self.total:
            self.last = now
            self.emit(f"{self.kind}: {self.done} of {self.total} files done ({now - self.started:.0f} s)")

    def finished(self) -> None:
        seconds = self.clock() - self.started
        if seconds >= EVERY_S:
            self.emit(f"{self.kind}: all {self.total} files done in {seconds:.0f} s")
