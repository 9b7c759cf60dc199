"""`ler run` imports dagster-dbt without dbt-core's Python modules.

dagster-dbt imports dbt-core's adapter, contract and node-type modules when they are importable:
about 1.5 s of a run's start-up (its definitions imported in 1.0-1.1 s instead of 2.4-2.6 s,
measured 2026-12-03). It needs them for what it does with dbt inside its own process: a dbt
adapter (column metadata and row counts, which LerDbtCliResource turns off) and dbt's node
selector (a subset of the dbt assets chosen in the Dagster UI). A `ler run` does neither: it runs
dbt in a process of its own (the venv's dbt, or the warm dbt) on the whole project. Without dbt-core,
dagster-dbt takes the path it has for the dbt Fusion engine, which ships no Python modules: the
same parsing of dbt's JSON events (chosen by the CLI version, which LerDbtCliResource gives as the
installed dbt-core's), with dbt's node types and statuses as string enums of the same values.

`ler run` keeps the block for the whole run, so an import of dbt-core in its process fails at once
(the message names this module) instead of mixing dbt-core's types with those stand-ins. `dagster
dev` and the scheduler's runs import the definitions with dbt-core: subsets chosen in the UI need
its selector. dbt's own processes (the build, `dbt parse`, the warm dbt) are not affected.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import sys
from collections.abc import Iterator

BLOCKED = ("dbt", "dbt_common")


class _DbtCoreBlocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.split(".", 1)[0] in BLOCKED:
            raise ModuleNotFoundError(
                f"No module named {name!r}: `ler run` imports no dbt-core in its own process "
                "(dagster_project/without_dbt_core.py)",
                name=name,
            )
        return None


@contextlib.contextmanager
def dbt_core_blocked() -> Iterator[bool]:
    """Inside the block, dbt-core cannot be imported; yields False (and blocks nothing) when this
    process has imported it already (the suite's in-process runs), or dagster-dbt with it."""
    if any(name.split(".", 1)[0] in BLOCKED for name in sys.modules) or "dagster_dbt" in sys.modules:
        yield False
        return
    finder = _DbtCoreBlocked()
    sys.meta_path.insert(0, finder)
    try:
        yield True
    finally:
        sys.meta_path.remove(finder)
