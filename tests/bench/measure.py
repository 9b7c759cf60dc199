"""Measure one command as a whole process: wall time, CPU time and peak memory of its process tree.

Wall is the parent's clock from fork to exit. CPU is user + system time of the process and every
descendant it waited for (`wait4`'s rusage, which is how `time` measures). Peak RSS is sampled: every
`SAMPLE_S` the resident sets of the process and all its live descendants (dbt runs as a child of
`ler run`) are added up from /proc, and the largest sum is kept; the largest single process
(`ru_maxrss`) is recorded too. The machine's load average is kept beside each figure, because on a
shared 2-core machine other work inflates wall time (CPU time much less).
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

SAMPLE_S = 0.2
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Figure:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float  # sampled sum over the process tree
    max_process_rss_mb: float  # the largest single process (ru_maxrss)
    load_before: float  # 1-minute load average when it started
    returncode: int

    def as_dict(self) -> dict:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in asdict(self).items()}


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def tree_rss_bytes(pid: int) -> int:
    tree, total, todo = _children(), 0, [pid]
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):  # the process just ended
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * _PAGE
        todo.extend(tree.get(p, ()))
    return total


def run(command: list[str], *, env: dict[str, str], cwd: Path, log: Path) -> Figure:
    """Run `command` to completion (its output into `log`) and measure it."""
    load = os.getloadavg()[0]
    with log.open("ab") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(SAMPLE_S):
                peak[0] = max(peak[0], tree_rss_bytes(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    return Figure(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=max(peak[0], usage.ru_maxrss * 1024) / 1e6,
        max_process_rss_mb=usage.ru_maxrss * 1024 / 1e6,
        load_before=load,
        returncode=proc.returncode,
    )


def summary(figures: list[Figure]) -> dict:
    """Medians of the runs (and every run, so the spread is visible)."""
    if not figures:
        return {}
    return {
        "runs": len(figures),
        "wall_s": round(statistics.median(f.wall_s for f in figures), 2),
        "cpu_s": round(statistics.median(f.cpu_s for f in figures), 2),
        "peak_rss_mb": round(statistics.median(f.peak_rss_mb for f in figures), 1),
        "max_peak_rss_mb": round(max(f.peak_rss_mb for f in figures), 1),
        "each": [f.as_dict() for f in figures],
    }
