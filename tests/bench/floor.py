"""The I/O floor: DuckDB reads every landing CSV once and writes it as Parquet, nothing else.

    python -m tests.bench.floor LANDING OUT [--threads N] [--memory-limit 4GB]

What the fastest possible ingestion of the same bytes costs on this machine: no validation, no
identity, no judging. The bench measures it as a whole process beside each `ler run`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

KINDS = ("reference", "transcripts", "noncredit", "wages")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("landing", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--memory-limit")
    args = parser.parse_args(argv)
    con = duckdb.connect()
    if args.threads:
        con.execute(f"set threads = {args.threads}")
    if args.memory_limit:
        con.execute(f"set memory_limit = '{args.memory_limit}'")
    for kind in KINDS:
        (args.out / kind).mkdir(parents=True, exist_ok=True)
        for path in sorted((args.landing / kind).glob("*.csv")):
            target = args.out / kind / (path.stem + ".parquet")
            con.execute(
                f"copy (select * from read_csv('{path}', header = true, null_padding = true, "
                f"strict_mode = false)) to '{target}' (format parquet, compression zstd)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
