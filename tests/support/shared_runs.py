"""The session's most shared end-to-end scenarios, and a prebuilder that starts them at once.

The hand-built state (default and lagged settings) and the two worked examples are the scenarios
most test modules read (conftest.py's fixtures `rules_run`, `rules_lagged_run`, `example_run`,
`example_v2_run`). Built on first use, the first worker to ask builds one while every other worker
that needs it waits on its lock with a core idle. So when a session collects tests that need them,
one worker starts this module as a background process (`start_prebuild`), which builds them two at
a time through the same `build_once_in` (lock, `.done`, `.failed`) while the workers run the tests
that need no build; a fixture then finds its scenario built, or waits for the build under way, or
builds it itself if the prebuilder is gone. Nothing is built twice, and a build that fails fails
every test that needs it, as before (scenarios.py).

Usage (what `start_prebuild` runs): `python -m tests.support.shared_runs --folder DIR NAME ...`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.support.pipeline import ler_run
from tests.support.scenarios import Scenario, build_once_in

PROJECT = Path(__file__).resolve().parents[2]
FIXTURES_DIR = PROJECT / "tests" / "fixtures"
SHARED_DIR = Path(os.environ.get("LER_SHARED_DIR", PROJECT.parent / "shared"))
SHARED_EXAMPLES = {"v1": "example", "v2": "example_v2"}
# Settings of the "lagged" run of the hand-built state: each changes the rule it names.
LAGGED_FLAGS = ("--wage-lag-quarters", "1", "--min-cell", "3", "--min-annual-earnings", "20000")
# How many builds run side by side: two `ler run`s keep both cores of the reference machine busy.
PARALLEL_BUILDS = 2


def example_folder(version: str) -> Path | None:
    """A worked example (landing/ and expected/): the copy in tests/fixtures, else ../shared/spec."""
    for folder in (FIXTURES_DIR / f"example_{version}", SHARED_DIR / "spec" / SHARED_EXAMPLES[version]):
        if (folder / "landing").is_dir():
            return folder
    return None


def run_into(
    scenario: Scenario, *flags: str, landing: Path | None = None, warehouse: Path | None = None
) -> None:
    """`ler run` of the scenario's landing zone into its warehouse (or of `landing` into
    `warehouse`), its output and seconds kept with the scenario."""
    started = time.monotonic()
    proc = ler_run(landing or scenario.landing, warehouse or scenario.warehouse, *flags)
    scenario.record_output(proc.stdout, proc.stderr)
    (scenario.root / "seconds").write_text(f"{time.monotonic() - started:.1f}")


def _hand_built(scenario: Scenario) -> None:
    from tests.test_outcome_rules import build_scenario

    build_scenario(scenario.landing)


def build_rules(scenario: Scenario) -> None:
    _hand_built(scenario)
    run_into(scenario)


def build_rules_lagged(scenario: Scenario) -> None:
    _hand_built(scenario)
    run_into(scenario, *LAGGED_FLAGS)


def example_builder(source: Path) -> Callable[[Scenario], None]:
    def build(scenario: Scenario) -> None:
        shutil.copytree(source / "landing", scenario.landing, copy_function=shutil.copy2)
        run_into(scenario)

    return build


def builders() -> dict[str, Callable[[Scenario], None]]:
    """Scenario name -> build, for the scenarios this module knows (examples only when present)."""
    found: dict[str, Callable[[Scenario], None]] = {"rules": build_rules, "rules_lagged": build_rules_lagged}
    for version in SHARED_EXAMPLES:
        source = example_folder(version)
        if source is not None:
            found[f"example_{version}"] = example_builder(source)
    return found


# The conftest fixture that reads each scenario: a session that collects a test using the fixture
# prebuilds the scenario. In the order they are built (the hand-built state first: most tests and
# the copies of crash_safety, incremental_wages and consent start from it).
FIXTURES = {
    "rules_run": "rules",
    "example_v2_run": "example_v2",
    "rules_lagged_run": "rules_lagged",
    "example_run": "example_v1",
}


def needed(fixture_names: Iterable[Iterable[str]]) -> list[str]:
    """The scenarios the collected tests need (each test's fixture closure), in build order.

    A test that picks its scenario at run time (`request.getfixturevalue`, as test_attacker.py does)
    is not seen here; its scenario is prebuilt when another collected test names the fixture, and
    built on first use otherwise."""
    used = {name for names in fixture_names for name in names}
    return [scenario for fixture, scenario in FIXTURES.items() if fixture in used]


def start_prebuild(folder: Path, names: list[str]) -> subprocess.Popen | None:
    """The prebuilder as a background process in its own process group (so it can be stopped
    with everything it started), or None when there is nothing to build."""
    if not names:
        return None
    log = (folder / "prebuild.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.shared_runs", "--folder", str(folder), *names],
        cwd=PROJECT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_prebuild(proc: subprocess.Popen | None, wait_seconds: float) -> None:
    """Let the prebuilder finish what tests still wait for (up to `wait_seconds`), then stop it and
    the runs it started; a killed build leaves no `.done`, so a later session builds it anew."""
    if proc is None:
        return
    try:
        proc.wait(timeout=wait_seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the session's shared scenarios (module doc).")
    parser.add_argument("--folder", type=Path, required=True, help="the session's shared scenario folder")
    parser.add_argument("names", nargs="+", help="scenario names (FIXTURES values)")
    args = parser.parse_args(argv)
    known = builders()
    names = [n for n in args.names if n in known]
    with ThreadPoolExecutor(max_workers=PARALLEL_BUILDS) as pool:
        futures = {n: pool.submit(build_once_in, args.folder, n, known[n]) for n in names}
    failed = [n for n, f in futures.items() if f.exception() is not None]
    for name in failed:  # the failure itself is in <folder>/<name>/.failed, for the tests to report
        print(f"prebuild: {name} failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
