"""CLI: write a synthetic, deterministic landing zone.

    python -m sample_data.generate --out DIR --learners N [--seed S]

Same seed and size give byte-identical files with identical modification times. Each part of the
data draws from its own random stream (derived from the seed and the part's name), so changing how
one part is written does not reshuffle the others.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sample_data.careers import EmployerPool, wage_rows
from sample_data.catalog import IN_DEMAND
from sample_data.ctdl import write_ctdl
from sample_data.education_csv import write_noncredit, write_transcripts
from sample_data.landing import LandingWriter, OutputDirError, prepare_output
from sample_data.openbadges import write_badges, write_clr
from sample_data.pesc import write_pesc
from sample_data.population import build_population
from sample_data.reference import write_reference
from sample_data.wages_csv import write_wages

DEFAULT_LEARNERS = 1500
DEFAULT_SEED = 20250915
MIN_LEARNERS = 50
MARKER_MTIME = datetime(2025, 10, 15, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Summary:
    files: dict[str, int]
    learners: int
    wage_only: int
    spells: int
    wage_rows: int
    notes: dict[str, int]


def stream(seed: int, part: str) -> random.Random:
    """An independent random stream per part (string seeds are hashed with SHA-512: stable)."""
    return random.Random(f"{seed}:{part}")


def generate(out_dir: Path, learners: int = DEFAULT_LEARNERS, seed: int = DEFAULT_SEED) -> Summary:
    """Write the landing zone under `out_dir` and say what was written."""
    if learners < MIN_LEARNERS:
        raise ValueError(f"--learners must be at least {MIN_LEARNERS}")
    # The generator builds hundreds of thousands of small acyclic objects; the cyclic garbage
    # collector would rescan them over and over (two thirds of the run time at 20,000 learners).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(out_dir, learners, seed)
    finally:
        if was_enabled:
            gc.enable()


def _generate(out_dir: Path, learners: int, seed: int) -> Summary:
    prepare_output(out_dir)
    pop = build_population(stream(seed, "population"), learners)
    pool = EmployerPool(stream(seed, "employers"), learners + len(pop.wage_only))
    by_q = wage_rows(stream(seed, "careers"), pool, pop.learners, pop.wage_only)

    out = LandingWriter(out_dir)
    write_reference(out)
    write_ctdl(out, {soc: title for soc, title, _ in IN_DEMAND})
    notes = write_transcripts(out, stream(seed, "transcripts"), pop.learners)
    notes["pesc_files"] = write_pesc(out, pop.showcase["pesc"], pop.high_school)
    notes["clr_files"] = write_clr(out, stream(seed, "clr"), pop.showcase["clr"])
    write_noncredit(out, pop.learners)
    notes.update(write_badges(out, stream(seed, "badges"), pop.badges, pop.course))
    notes.update(write_wages(out, stream(seed, "wages"), by_q, pop.learners + pop.wage_only, pool))
    out.finish(marker_text(seed, learners), MARKER_MTIME)
    return Summary(dict(out.counts), len(pop.learners), len(pop.wage_only),
                   sum(len(p.spells) for p in pop.learners), sum(len(r) for r in by_q.values()), notes)


def marker_text(seed: int, learners: int) -> str:
    return ("LER sample landing zone written by `python -m sample_data.generate`.\n"
            "Re-running the generator deletes reference/, transcripts/, noncredit/ and wages/ here.\n"
            f"seed={seed}\nlearners={learners}\n")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sample_data.generate",
                                     description="Write a synthetic, deterministic LER landing zone.")
    parser.add_argument("--out", required=True, type=Path, help="landing-zone folder to (re)write")
    parser.add_argument("--learners", type=int, default=DEFAULT_LEARNERS,
                        help=f"people with an education record (default {DEFAULT_LEARNERS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        summary = generate(args.out, args.learners, args.seed)
    except (OutputDirError, ValueError) as exc:
        print(f"sample_data.generate: {exc}", file=sys.stderr)
        return 2
    files = summary.files
    print(f"wrote {sum(files.values())} files to {args.out} (reference {files['reference']}, transcripts "
          f"{files['transcripts']}, noncredit {files['noncredit']}, wages {files['wages']}): "
          f"{summary.learners} learners, {summary.spells} enrollments, "
          f"{summary.wage_only} wage-only workers, "
          f"{summary.wage_rows} wage records, seed {args.seed}, {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
