"""Progress of long ingestion: a line per large file with its rate, files done at most every 10 s,
nothing for a short run; counts and file names only."""

from __future__ import annotations

from dagster_project.landing.progress import EVERY_S, LARGE_ROWS, Progress


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_short_run_is_silent() -> None:
    lines: list[str] = []
    clock = Clock()
    p = Progress("wages", 3, lines.append, clock)
    for _ in range(3):
        p.file_read("wages/w.csv", 1000, 0.1)
        clock.now += 1
        p.files_done()
    p.finished()
    assert lines == []


def test_a_long_run_reports_large_files_and_files_done() -> None:
    lines: list[str] = []
    clock = Clock()
    p = Progress("wages", 40, lines.append, clock)
    for i in range(40):
        clock.now += 3
        p.file_read(f"wages/q{i}.csv", LARGE_ROWS * 2 if i == 5 else 10, 2.0)
        p.files_done()
    p.finished()
    assert lines[0] == "wages: 4 of 40 files done (12 s)"
    assert f"wages: wages/q5.csv: {LARGE_ROWS * 2:,} rows in 2.0 s ({LARGE_ROWS:,} rows/s)" in lines
    done = [int(x.split()[1]) for x in lines if " of 40 files done" in x]
    assert done == list(range(4, 40, 4))  # at most every EVERY_S (12 s apart here), never the last file
    assert EVERY_S <= 12 and lines[-1] == "wages: all 40 files done in 120 s"
