"""The dbt step imports what the later steps import (dagster_project/later_imports.py): every module
of the list exists, and the heavy ones the report and its PDF need are among what it imports."""

import subprocess
import sys

SCRIPT = """
import sys
from dagster_project.later_imports import import_later_steps
before = set(sys.modules)
import_later_steps()
new = set(sys.modules) - before
for name in ("matplotlib", "reportlab", "pandas", "dagster_project.report.document",
             "dagster_project.report.pdf"):
    assert name in new, name
print("ok")
"""


def test_the_later_steps_modules_import_and_include_the_reports() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok"
