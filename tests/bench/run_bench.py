"""`make bench`: whole-process figures of `ler run` at three sizes, against the I/O floor.

For each size (the sample; mid: 50,000 learners and about 4.5 M wage rows; state: about 50 M wage
rows, the extra rows being workers who are in no education record), on a landing zone generated
here (`landing.py`), `LER_BENCH_RUNS` times (default 3; the figures are medians):
  (a) `full`: `ler run` on an empty warehouse;
  (b) `nightly`: `ler run` after one night's new files (a new wage quarter, an amended quarter and
      a new transcript file);
  (c) `none`: `ler run` again, finding no new file (it must publish nothing new);
  (d) `floor`: DuckDB reading the same landing CSVs once into Parquet (`floor.py`), the files in the
      page cache (read once before it, untimed, as the runs after it find them).
Each figure: wall, CPU and peak RSS of the whole process tree (`measure.py`), and the ratio to the
floor. `LER_BENCH_CURVE` adds full runs at more wage-row counts (the curve from 5 M to 50 M).
The outcome tables of every run are compared with the reference digests (`outcomes.py`) and the
state's with the mid's. Targets (issue 10) are judged in `targets.py`.

Writes tests/bench/results/bench_<UTC time>.json and .md, and prints the summary. Not a test.
  LER_BENCH_SIZES  sizes to run (default sample,mid,state)
  LER_BENCH_RUNS   repetitions of each measured run (default 3)
  LER_BENCH_CURVE  extra wage-row counts for the growth curve, full run once each (default 20000000)
  LER_BENCH_WORK   scratch folder (default /tmp/ler-bench; the state size needs about 15 GB)
  LER_BENCH_KEEP   1 = keep the generated landing zones between benches (regenerated when absent)
`--record-reference` stores this run's digests as the reference (do it with the code to compare to).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.bench import landing, measure, outcomes, targets

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "tests" / "bench" / "results"
BIN = Path(sys.executable).parent
KEY = "bench-key-0123456789abcdef0123456789abcdef"  # synthetic data only
SIZES = {
    "sample": landing.Size("sample", 1500, 0),
    "mid": landing.Size("mid", 50_000, 4_500_000),
    "state": landing.Size("state", 50_000, 50_500_000),
}


def _env() -> dict[str, str]:
    """The caller's environment without LER_* run settings (but the DuckDB ones) and DAGSTER_HOME."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("LER_") or k.startswith("LER_DUCKDB_")}
    keep.pop("DAGSTER_HOME", None)
    return keep | {"LER_HASH_KEY": KEY}


def _landing(size: landing.Size, work: Path) -> tuple[Path, dict]:
    """The size's landing zone, generated (or reused with LER_BENCH_KEEP=1) and described."""
    root = work / f"landing_{size.name}_{size.wage_rows}"
    info_file = root / ".bench.json"
    if os.environ.get("LER_BENCH_KEEP") == "1" and info_file.exists():
        return root, json.loads(info_file.read_text())
    shutil.rmtree(root, ignore_errors=True)
    start = time.perf_counter()
    info = landing.build(size, root, memory_limit=os.environ.get("LER_DUCKDB_MEMORY_LIMIT"))
    info["generate_s"] = round(time.perf_counter() - start, 1)
    info_file.write_text(json.dumps(info))
    return root, info


def _ler_run(land: Path, wh: Path, log: Path) -> measure.Figure:
    command = [str(BIN / "ler"), "run", "--landing", str(land), "--warehouse", str(wh)]
    figure = measure.run(command, env=_env(), cwd=ROOT, log=log)
    if figure.returncode != 0:
        raise SystemExit(f"bench: ler run failed (exit {figure.returncode}), see {log}")
    return figure


def _warm(land: Path) -> None:
    """Read every landing file once, untimed, so the floor reads them from the page cache, as the
    runs after it do: measured cold, a state's floor went from 31 to 86 s with the machine's disk,
    which made any ratio to it meaningless."""
    for path in sorted(p for p in land.rglob("*") if p.is_file()):
        with path.open("rb") as fh:
            while fh.read(1 << 24):
                pass


def _floor(land: Path, work: Path, log: Path) -> measure.Figure:
    out = work / "floor"
    shutil.rmtree(out, ignore_errors=True)
    _warm(land)
    command = [sys.executable, "-m", "tests.bench.floor", str(land), str(out)]
    if os.environ.get("LER_DUCKDB_MEMORY_LIMIT"):
        command += ["--memory-limit", os.environ["LER_DUCKDB_MEMORY_LIMIT"]]
    if os.environ.get("LER_DUCKDB_THREADS"):
        command += ["--threads", os.environ["LER_DUCKDB_THREADS"]]
    figure = measure.run(command, env=_env(), cwd=ROOT, log=log)
    shutil.rmtree(out, ignore_errors=True)
    if figure.returncode != 0:
        raise SystemExit(f"bench: floor failed, see {log}")
    return figure


def _current_publication(wh: Path) -> str | None:
    current = wh / "publications" / "current"
    return os.readlink(current) if current.is_symlink() else None


def bench_size(size: landing.Size, work: Path, runs: int, reference: dict) -> dict:
    land, info = _landing(size, work)
    log = work / f"{size.name}.log"
    result: dict = {"size": size.name, **info, "floor": [], "full": [], "nightly": [], "none": []}
    figures: dict[str, list[measure.Figure]] = {"floor": [], "full": [], "nightly": [], "none": []}
    digests: dict[str, dict] = {}
    published_nothing_new = []
    for rep in range(runs):
        figures["floor"].append(_floor(land, work, log))
        wh = work / f"wh_{size.name}"
        shutil.rmtree(wh, ignore_errors=True)
        figures["full"].append(_ler_run(land, wh, log))
        if rep == 0:
            digests["full"] = outcomes.digests(wh / "warehouse.duckdb")
        added = landing.nightly_files(land)
        try:
            figures["nightly"].append(_ler_run(land, wh, log))
            if rep == 0:
                digests["nightly"] = outcomes.digests(wh / "warehouse.duckdb")
            before = _current_publication(wh)
            figures["none"].append(_ler_run(land, wh, log))
            published_nothing_new.append(before is not None and _current_publication(wh) == before)
        finally:
            for path in added:
                path.unlink()
        shutil.rmtree(wh, ignore_errors=True)
        print(
            f"bench: {size.name} run {rep + 1}/{runs}: "
            + ", ".join(f"{k} {v[-1].wall_s:.1f} s" for k, v in figures.items()),
            flush=True,
        )
    for k, v in figures.items():
        result[k] = measure.summary(v)
    floor = result["floor"]["wall_s"]
    for k in ("full", "nightly", "none"):
        result[k]["ratio_to_floor"] = round(result[k]["wall_s"] / floor, 2)
    result["none"]["published_nothing_new"] = all(published_nothing_new)
    result["digests"] = digests
    result["exact"] = {  # None: no reference recorded for this scenario
        scenario: outcomes.compare(d, ref) if (ref := reference.get(f"{size.name}_{scenario}")) else None
        for scenario, d in digests.items()
    }
    return result


def bench_curve(rows: int, work: Path, reference_digests: dict | None) -> dict:
    size = landing.Size(f"curve{rows // 1_000_000}m", 50_000, rows)
    land, info = _landing(size, work)
    log = work / f"{size.name}.log"
    wh = work / f"wh_{size.name}"
    shutil.rmtree(wh, ignore_errors=True)
    floor = _floor(land, work, log)
    full = _ler_run(land, wh, log)
    got = outcomes.digests(wh / "warehouse.duckdb")
    shutil.rmtree(wh, ignore_errors=True)
    if os.environ.get("LER_BENCH_KEEP") != "1":
        shutil.rmtree(land, ignore_errors=True)
    return {
        "size": size.name,
        **info,
        "floor": floor.as_dict(),
        "full": full.as_dict(),
        "outcomes_equal_mid": (
            None
            if reference_digests is None
            else not outcomes.compare(got, reference_digests, outcomes_only=True)
        ),
    }


def _git_commit() -> str:
    proc = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return proc.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument(
        "--record-reference",
        action="store_true",
        help="store this run's table digests as the reference for later benches",
    )
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in os.environ.get("LER_BENCH_SIZES", "sample,mid,state").split(",") if s.strip()]
    runs = int(os.environ.get("LER_BENCH_RUNS", "3"))
    curve = [int(x) for x in os.environ.get("LER_BENCH_CURVE", "20000000").split(",") if x.strip()]
    work = Path(os.environ.get("LER_BENCH_WORK", "/tmp/ler-bench"))
    work.mkdir(parents=True, exist_ok=True)
    reference = outcomes.load_reference()
    results: dict = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        },
        "settings": {
            k: v for k, v in os.environ.items() if k.startswith("LER_DUCKDB_") or k.startswith("LER_BENCH_")
        },
        "runs": runs,
        "sizes": {},
        "curve": [],
    }
    for name in sizes:
        results["sizes"][name] = bench_size(SIZES[name], work, runs, reference)
        _write(results, partial=True)
    mid = results["sizes"].get("mid", {}).get("digests", {}).get("full")
    if "state" in results["sizes"] and mid is not None:
        state = results["sizes"]["state"]["digests"]
        results["sizes"]["state"]["outcomes_equal_mid"] = {
            s: not outcomes.compare(state[s], results["sizes"]["mid"]["digests"][s], outcomes_only=True)
            for s in state
        }
    if "state" in sizes or os.environ.get("LER_BENCH_CURVE"):
        for rows in curve:
            results["curve"].append(bench_curve(rows, work, mid))
            _write(results, partial=True)
    results["targets"] = targets.judge(results)
    if args.record_reference:
        outcomes.save_reference(
            reference | {f"{n}_{s}": d for n, r in results["sizes"].items() for s, d in r["digests"].items()}
        )
    path = _write(results, partial=False)
    print(targets.markdown(results))
    print(f"bench: figures in {path} and {path.with_suffix('.md')}")
    return 0


def _write(results: dict, *, partial: bool) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = results["when"].replace("-", "").replace(":", "").replace("+0000", "Z")
    path = RESULTS / f"bench_{stamp}{'.partial' if partial else ''}.json"
    path.write_text(json.dumps(results, indent=1) + "\n")
    if not partial:
        path.with_name(path.name.replace(".json", ".partial.json")).unlink(missing_ok=True)
        path.with_suffix(".md").write_text(targets.markdown(results))
    return path


if __name__ == "__main__":
    sys.exit(main())
