"""Run the dbt unit tests of `dbt/models/unit_tests/` without a pipeline build.

A dbt unit test replaces a model's inputs with hand-written rows, but dbt still reads the column
types of every input from the warehouse, so the input relations must exist. The cheapest warehouse
that has them all, with the right types, is an empty one:

1. ingestion of an empty landing zone writes every lake table and every `lake/_audit` file with its
   columns and no rows (exactly what a run writes for a source kind that sent nothing);
2. `dbt build --empty` (no data tests, no unit tests) creates every seed, view and table;
3. `dbt test --select test_type:unit` runs the unit tests.

Steps 2 and 3 run in one Python process through dbt's programmatic runner, so the project is parsed
once; that process is a child of the caller (`python -m tests.support.dbt_unit`), so dbt's global
state (logging, flags, environment) never touches the test process. dbt sees the warehouse the way
`ler run` shows it (`dbt_manifest.dbt_environment`), so the project's `target/partial_parse.msgpack`
seeds a new target folder and dbt re-reads only the files that changed since; the child keeps its
target folder between calls when the caller gives a persistent work folder (the warehouse is
rebuilt every time).

One shim: the reporting models call `adapter.get_columns_in_relation(ref(...))` to list the mart's
columns. In a unit test, `ref()` names the fixture CTE `__dbt__cte__<model>`, which the database
does not know, so dbt returns no columns (dbt-labs/dbt-core#10139) and the model compiles to a
single column. Before step 3 each input of a unit-tested model gets a view of that name over the
real (empty) relation, so the introspection sees the real columns while the compiled query still
reads the fixture CTE, which shadows the view by name. It only ever exists in this throw-away
warehouse. The cases that need it are enabled only when `LER_TEST_DBT_UNIT_SHIMS=yes` (this runner
sets it), so any other dbt build skips them instead of failing. Both go once `suppressed_select`
stops introspecting.

Usage: `python -m tests.support.dbt_unit [--workdir DIR] [--select SELECTOR]` prints one line per
unit test and exits 1 when any did not pass.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from dagster_project.dbt_manifest import PARTIAL_PARSE, dbt_environment
from dagster_project.project_paths import DBT_PROJECT_DIR, PROJECT_DIR
from dagster_project.settings import DUCKDB_MEMORY_LIMIT_DEFAULT

MODELS_DIR = DBT_PROJECT_DIR / "models"
ALL_UNIT_TESTS = "test_type:unit"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_RESULTS_MARK = "DBT_UNIT_RESULTS "
_CHECKOUT = Path(__file__).resolve().parents[2]  # where `tests` is importable from


@dataclass(frozen=True)
class UnitResult:
    """The outcome of one dbt unit test: `status` is pass, fail, error or skipped."""

    model: str
    name: str
    status: str
    message: str

    @property
    def label(self) -> str:
        return f"{self.model}::{self.name}"


@dataclass(frozen=True)
class UnitRun:
    """Every unit test's result plus what the run cost (seconds per step)."""

    results: list[UnitResult]
    seconds: dict[str, float]


# -- the definitions (read as YAML; no dbt needed) ------------------------------------------------
def unit_test_definitions(directory: Path = MODELS_DIR) -> list[dict]:
    """Every `unit_tests:` entry of the project's model YAML files, each with the file it came from."""
    found = []
    for path in sorted(directory.rglob("*.yml")):
        for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests", []):
            found.append({**entry, "file": str(path.relative_to(directory))})
    return found


# -- inside the child process ---------------------------------------------------------------------
def write_empty_lake(warehouse: Path) -> None:
    """Every lake table and audit file with its columns and no rows: ingest an empty landing zone."""
    from dagster_project.landing.contracts import KINDS
    from dagster_project.landing.ingest import ingest_kind
    from dagster_project.settings import Settings

    landing = warehouse.parent / "empty-landing"
    for kind in KINDS:
        (landing / kind).mkdir(parents=True, exist_ok=True)
    # Nothing is keyed (there are no rows), so the sample run's documented demo key is enough.
    settings = Settings.load({"landing_dir": landing, "warehouse_dir": warehouse}, environ={}, sample=True)
    for kind in KINDS:
        ingest_kind(kind, settings, warn=lambda _message: None)


def _tested_models(manifest: object) -> set[str]:
    return {uid for t in manifest.unit_tests.values() for uid in t.depends_on.nodes}


def _add_fixture_cte_shims(db: Path, manifest: object) -> None:
    """A view `__dbt__cte__<input>` over each input relation of a unit-tested model (module doc)."""
    import duckdb

    inputs = {parent for uid in _tested_models(manifest) for parent in manifest.nodes[uid].depends_on.nodes}
    # dbt-duckdb holds the database open in this process with the profile's `config_options`; a
    # second connection must ask for the same configuration (the child runs with no LER_*)
    con = duckdb.connect(str(db), config={"memory_limit": DUCKDB_MEMORY_LIMIT_DEFAULT})
    try:
        for uid in sorted(inputs):
            node = manifest.nodes.get(uid)
            if node is None or node.config.materialized == "ephemeral":
                continue
            name = node.alias or node.name
            con.execute(
                f'create or replace view main."__dbt__cte__{name}" as select * from "{node.schema}"."{name}"'
            )
    finally:
        con.close()


def _result_of(result: object) -> UnitResult:
    node = result.node
    model = node.tested_node_unique_id.rsplit(".", 1)[-1]
    return UnitResult(model, node.name, str(result.status), _ANSI.sub("", result.message or "").strip())


def run_here(workdir: Path, select: str = ALL_UNIT_TESTS) -> UnitRun:
    """Steps 1-3 of the module doc in this process; `workdir` holds the warehouse and dbt target."""
    from dbt.cli.main import dbtRunner

    warehouse, target = workdir / "warehouse", workdir / "target"
    shutil.rmtree(warehouse, ignore_errors=True)
    seconds: dict[str, float] = {}
    started = time.monotonic()
    write_empty_lake(warehouse)
    seconds["empty lake"] = time.monotonic() - started
    os.environ.update(dbt_environment(warehouse))  # the profile and the lake sources read it
    os.environ["LER_TEST_DBT_UNIT_SHIMS"] = "yes"  # enables the cases that need the shim (module doc)
    seed = target / PARTIAL_PARSE.name
    if not seed.exists() and PARTIAL_PARSE.exists():  # dbt itself checks that the seed still fits
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PARTIAL_PARSE, seed)
    common = [
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target), "--log-path", str(workdir / "logs"), "--log-level-file", "warn",
        "--quiet", "--no-write-json",  # results are read in memory; no artifact writing
    ]  # fmt: skip

    def step(name: str, runner: dbtRunner, args: list[str]) -> object:
        begun = time.monotonic()
        outcome = runner.invoke([*args, *common])
        seconds[name] = time.monotonic() - begun
        if outcome.exception is not None:
            raise RuntimeError(f"dbt {args[0]} failed: {outcome.exception}")
        return outcome

    parsed = step("parse", dbtRunner(), ["parse"])
    runner = dbtRunner(manifest=parsed.result)
    # only what the unit-tested models stand on: each of them with all its ancestors
    needed = " ".join(f"+{parsed.result.nodes[uid].name}" for uid in sorted(_tested_models(parsed.result)))
    built = step(
        "build --empty",
        runner,
        [
            "build",
            "--empty",
            "--select",
            needed,
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
        ],
    )
    if not built.success:
        failed = [
            f"{r.node.name}: {_ANSI.sub('', r.message or '')}"
            for r in built.result.results
            if r.status != "success"
        ]
        raise RuntimeError("dbt build --empty failed:\n" + "\n".join(failed))
    _add_fixture_cte_shims(warehouse / "warehouse.duckdb", parsed.result)
    tested = step("unit tests", runner, ["test", "--select", select])
    return UnitRun([_result_of(r) for r in tested.result.results], seconds)


# -- from the caller --------------------------------------------------------------------------------
def run_unit_tests(workdir: Path, select: str = ALL_UNIT_TESTS, timeout: float = 300) -> UnitRun:
    """Run the unit tests in a child process (module doc) and return each one's result."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LER_", "DBT_"))}
    env["LER_PROJECT_DIR"] = str(PROJECT_DIR)  # the child tests the same dbt project as this process
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"  # hermetic: no network
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.support.dbt_unit",
            "--workdir",
            str(workdir),
            "--select",
            select,
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=_CHECKOUT,
    )
    marked = [line for line in proc.stdout.splitlines() if line.startswith(_RESULTS_MARK)]
    if not marked:
        raise RuntimeError(
            f"dbt unit tests did not run ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )
    data = json.loads(marked[-1][len(_RESULTS_MARK) :])
    return UnitRun([UnitResult(**r) for r in data["results"]], data["seconds"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the dbt unit tests on an empty warehouse.")
    parser.add_argument("--workdir", type=Path, help="warehouse and dbt target (default: a temp folder)")
    parser.add_argument("--select", default=ALL_UNIT_TESTS, help="dbt selector (default: every unit test)")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON line")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ler-dbt-unit-"))
    run = run_here(workdir, args.select)
    if args.json:
        payload = {"results": [asdict(r) for r in run.results], "seconds": run.seconds}
        print(_RESULTS_MARK + json.dumps(payload))
    else:
        for r in run.results:
            print(f"{r.status:8} {r.label}" + (f"\n{r.message}" if r.status != "pass" else ""))
        print(" ".join(f"{k}: {v:.1f} s" for k, v in run.seconds.items()))
    return 0 if run.results and all(r.status == "pass" for r in run.results) else 1


if __name__ == "__main__":
    sys.exit(main())
