"""`make bench`: time the pipeline's stages on growing landing zones and print the figures.

1. Sample landing zones (sample_data.generate) at LER_BENCH_LEARNERS (default 1500,20000):
   ingestion per kind, dbt build, publish, and the whole `ler run` through Dagster.
2. One large UI wage CSV (LER_BENCH_WAGE_ROWS, default 2,000,000 rows) ingested alone: the rate that
   decides how long a state's first load of hundreds of millions of wage rows takes, and the time
   of the next run, when the file is unchanged and comes from the file cache.

Figures go to stdout and to tests/bench/results/bench_<UTC timestamp>.json. Not a test: run it on a
quiet machine and quote the numbers.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dagster_project.dbt_manifest import dbt_command  # noqa: E402
from dagster_project.landing.ingest import ingest_kind  # noqa: E402
from dagster_project.publication import publish  # noqa: E402
from dagster_project.settings import Settings  # noqa: E402

KEY = "bench-key"
BIN = Path(sys.executable).parent


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def dbt_build(settings: Settings) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LER_")} | settings.to_environ()
    subprocess.run(
        dbt_command(
            "build",
            "--quiet",
            "--vars",
            json.dumps(settings.dbt_vars()),
            target_path=settings.warehouse_dir / ".tmp" / "dbt-target",
        ),
        env=env,
        check=True,
        cwd=ROOT / "dbt",
    )


def bench_sample(learners: int, work: Path) -> dict:
    landing, wh = work / f"landing_{learners}", work / f"wh_{learners}"
    gen, _ = timed(
        subprocess.run,
        [
            str(BIN / "python"),
            "-m",
            "sample_data.generate",
            "--out",
            str(landing),
            "--learners",
            str(learners),
        ],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    settings = Settings.load({"landing_dir": landing, "warehouse_dir": wh, "hash_key": KEY}, environ={})
    figures: dict[str, object] = {"learners": learners, "generate_s": round(gen, 2)}
    for kind in ("reference", "transcripts", "noncredit", "wages"):
        seconds, report = timed(ingest_kind, kind, settings, warn=lambda _m: None)
        figures[f"ingest_{kind}_s"] = round(seconds, 2)
        figures[f"ingest_{kind}_rows"] = report.rows_loaded + report.rows_rejected
    figures["dbt_build_s"] = round(timed(dbt_build, settings)[0], 2)
    figures["publish_s"] = round(timed(publish, wh, "bench")[0], 2)
    con = duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True)
    figures["wage_rows_loaded"] = con.execute("select count(*) from staging.stg_lake__wages").fetchall()[0][0]
    con.close()
    shutil.rmtree(wh)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LER_")} | {"LER_HASH_KEY": KEY}
    command = [str(BIN / "ler"), "run", "--landing", str(landing), "--warehouse", str(wh)]
    for label in ("ler_run_total_s", "ler_run_again_s"):  # the second: a nightly run with nothing new
        seconds, _ = timed(subprocess.run, command, env=env, check=True, capture_output=True)
        figures[label] = round(seconds, 2)
    return figures


def bench_wage_file(rows: int, work: Path) -> dict:
    landing, wh = work / "landing_wages", work / "wh_wages"
    (landing / "wages").mkdir(parents=True)
    for kind in ("reference", "transcripts", "noncredit"):
        (landing / kind).mkdir()
    path = landing / "wages" / "ui_wages_2024Q1_20240515.csv"
    con = duckdb.connect()
    con.execute(f"""
        copy (
            select lpad((100000000 + (i * 7919) % 799999999)::varchar, 9, '0') as ssn, 'DOE' as last_name,
                   'JANE' as first_name, (1000000000 + i % 250000)::varchar as employer_account,
                   '123456789' as employer_fein, 2024 as year, 1 as quarter,
                   round(1000 + (i % 9000) + (i % 100) / 100.0, 2) as wages, '541511' as naics_code,
                   '12345' as county_fips, NULL::varchar as hours
            from range({rows}) t(i)
        ) to '{path}' (header, delimiter ',')
    """)
    con.close()
    size_mb = path.stat().st_size / 1e6
    settings = Settings.load({"landing_dir": landing, "warehouse_dir": wh, "hash_key": KEY}, environ={})
    seconds, report = timed(ingest_kind, "wages", settings, warn=lambda _m: None)
    again, _ = timed(ingest_kind, "wages", settings, warn=lambda _m: None)
    for kind in ("reference", "transcripts", "noncredit"):  # empty: the warehouse needs their tables
        ingest_kind(kind, settings, warn=lambda _m: None)
    dbt_s, _ = timed(dbt_build, settings)
    return {
        "ingest_again_s": round(again, 2),
        "dbt_build_s": round(dbt_s, 2),
        "wage_rows": rows,
        "file_mb": round(size_mb, 1),
        "ingest_s": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "rows_loaded": report.rows_loaded,
    }


def main() -> int:
    learners = [int(x) for x in os.environ.get("LER_BENCH_LEARNERS", "1500,20000").split(",")]
    wage_rows = int(os.environ.get("LER_BENCH_WAGE_ROWS", "2000000"))
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "samples": [],
        "wage_file": None,
    }
    with tempfile.TemporaryDirectory(prefix="ler-bench-") as tmp:
        for n in learners:
            figures = bench_sample(n, Path(tmp))
            results["samples"].append(figures)
            print(json.dumps(figures))
        results["wage_file"] = bench_wage_file(wage_rows, Path(tmp))
        print(json.dumps(results["wage_file"]))
    out = ROOT / "tests" / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"bench_{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    target.write_text(json.dumps(results, indent=2) + "\n")
    print(f"figures written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
