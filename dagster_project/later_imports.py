"""What the steps after a run's dbt build import, imported while dbt starts instead.

The report and its PDF (matplotlib, reportlab), the learner records, the feedback files and pandas
cost a `ler run` about 0.7 s of imports in its last steps (measured after the definitions were
imported, 2026-12-03). The dbt step imports them right after it starts dbt, in the 1.4 to 3 s
before dbt's first event, when the run's process has nothing else to do: dbt's start-up keeps one
core busy, the import takes the other. The suite's warm `ler` (tests/support/ler_server.py) imports
the same list once for all its runs.
"""

from __future__ import annotations

import importlib

LATER_MODULES = (
    "dagster_project.report.document",
    "dagster_project.report.pdf",
    "dagster_project.credentials.proofs",
    "dagster_project.credentials.warehouse",
    "dagster_project.feedback.write",
    "pandas",
    "upath",
)


def import_later_steps() -> None:
    for name in LATER_MODULES:
        importlib.import_module(name)
