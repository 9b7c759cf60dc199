"""DuckDB and local Spark on one landing zone (issue 13): `python -m tests.bench.engines`, run from
the spark extra's venv (`.venv-spark/bin/python`, which has both engines).

For the size in LER_BENCH_SIZES (default `mid`: 50,000 learners, about 4.5 M wage rows; the bench's
generator, tests/bench/landing.py) it runs a full `ler run` on an empty warehouse with each engine
(`LER_BENCH_RUNS` times, default 1), measures wall, CPU and peak RSS of the whole process tree
(tests/bench/measure.py), checks every marts and reporting table equal cell for cell
(tests/spark/compare.py) and writes `tests/bench/results/engines-<size>.json` and `.md`. CPU time
is what to compare on a shared machine; wall time follows the load.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.bench import measure
from tests.bench.run_bench import ROOT, SIZES, _env, _landing
from tests.spark.compare import differences

BIN = Path(sys.executable).parent
RESULTS = Path(__file__).parent / "results"


def _run(engine: str, land: Path, wh: Path, log: Path) -> measure.Figure:
    shutil.rmtree(wh, ignore_errors=True)
    command = [str(BIN / "ler"), "run", "--engine", engine, "--landing", str(land), "--warehouse", str(wh)]
    figure = measure.run(command, env=_env(), cwd=ROOT, log=log)
    if figure.returncode != 0:
        raise SystemExit(f"bench: ler run --engine {engine} failed (exit {figure.returncode}), see {log}")
    return figure


def main() -> int:
    work = Path(os.environ.get("LER_BENCH_WORK", "/tmp/ler-bench"))
    work.mkdir(parents=True, exist_ok=True)
    runs = int(os.environ.get("LER_BENCH_RUNS", "1"))
    RESULTS.mkdir(exist_ok=True)
    for name in os.environ.get("LER_BENCH_SIZES", "mid").split(","):
        size = SIZES[name.strip()]
        land, info = _landing(size, work)
        figures: dict[str, list[measure.Figure]] = {"duckdb": [], "spark": []}
        for _ in range(runs):
            for engine in figures:
                wh = work / f"engines_{size.name}_{engine}"
                figures[engine].append(_run(engine, land, wh, work / f"engines_{size.name}_{engine}.log"))
        found = differences(
            work / f"engines_{size.name}_duckdb" / "warehouse.duckdb",
            work / f"engines_{size.name}_spark" / "warehouse.duckdb",
        )
        result = {
            "size": size.name,
            "landing": info,
            "measured_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            "engines": {e: measure.summary(f) for e, f in figures.items()},
            "tables_equal": not found,
            "differences": found[:20],
        }
        out = RESULTS / f"engines-{size.name}"
        out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
        d, s = result["engines"]["duckdb"], result["engines"]["spark"]
        lines = [
            f"# DuckDB and local Spark, {size.name} "
            f"({info['learners']:,} learners, {info['wage_rows']:,} wage rows)",
            "",
            f"Measured {result['measured_at']} on {result['cpus']} cores; medians of {runs} full "
            "`ler run`(s) on an empty warehouse (ingestion, dbt, checks, publish).",
            "",
            "| engine | wall s | CPU s | peak RSS MB | load before |",
            "|---|---|---|---|---|",
            *(
                f"| {e} | {r['wall_s']} | {r['cpu_s']} | {r['peak_rss_mb']} | {r['each'][0]['load_before']} |"
                for e, r in (("duckdb", d), ("spark", s))
            ),
            "",
            f"Spark / DuckDB: wall {s['wall_s'] / d['wall_s']:.1f}x, CPU {s['cpu_s'] / d['cpu_s']:.1f}x. "
            f"Every marts and reporting table equal: {'yes' if not found else 'NO: ' + '; '.join(found[:3])}"
            ".",
            "",
        ]
        out.with_suffix(".md").write_text("\n".join(lines))
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
