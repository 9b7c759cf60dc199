"""README's "For analysts" walkthrough, command by command (issue 11 item 7).

Every line of the section's shell blocks runs: the `ler` commands exactly as written, from a folder
whose `warehouse/` is the worked example v2 warehouse (what `make run` leaves in the checkout), and
the `make` targets as `make -n` (they build the sample warehouse and serve the UI: the pipeline runs
are the session scenarios, the UI's code location is tests/test_definitions.py). Every
`warehouse/...` path the section names must exist in that warehouse.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dagster_project.project_paths import PROJECT_DIR
from tests.support.pipeline import ler_environ, rows_as_dicts
from tests.support.scenarios import Scenario

README = PROJECT_DIR / "README.md"
SECTION = "## For analysts"


def analyst_section() -> str:
    text = README.read_text(encoding="utf-8")
    assert SECTION in text, "README has no 'For analysts' section"
    return text.split(SECTION, 1)[1].split("\n## ", 1)[0]


def commands() -> list[str]:
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", analyst_section(), re.S):
        for line in block.splitlines():
            command = re.sub(r"\s+#\s.*$", "", line).strip()  # a trailing comment (the SQL has no '#')
            if command:
                lines.append(command)
    return lines


def test_the_section_walks_from_make_run_to_the_report() -> None:
    found = commands()
    assert found[0] == "make run" and any(c.startswith("make dev") for c in found)
    kinds = {c.split()[1] for c in found if c.startswith(".venv/bin/ler ")}
    assert {"query", "export", "report"} <= kinds
    assert all(c.startswith(("make ", ".venv/bin/ler ")) for c in found), found


def test_the_make_targets_exist() -> None:
    for command in (c for c in commands() if c.startswith("make ")):
        proc = subprocess.run(
            ["make", "-n", *command.split()[1:]], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 0, (command, proc.stderr)


@pytest.mark.e2e
def test_every_ler_command_of_the_section_runs(example_v2_run: Scenario, tmp_path: Path) -> None:
    (tmp_path / "warehouse").symlink_to(example_v2_run.warehouse, target_is_directory=True)
    venv_bin = str(Path(sys.executable).parent) + "/"
    outputs = {}
    for command in (c for c in commands() if c.startswith(".venv/bin/ler ")):
        proc = subprocess.run(
            command.replace(".venv/bin/", venv_bin, 1),
            shell=True,
            cwd=tmp_path,
            env=ler_environ(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, (command, proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr
        outputs[command] = proc.stdout
    # the question of the issue: the answer is the published rows, one per sex
    (question,) = [c for c in outputs if "group_dimension = 'SEX'" in c]
    sql = re.search(r'query "(.*)"', question).group(1)
    expected = rows_as_dicts(example_v2_run.published, sql)
    lines = outputs[question].splitlines()
    assert lines[-1] == f"({len(expected)} rows)" and {r["sex"] for r in expected} >= {"F", "M"}
    for row, line in zip(expected, lines[2:-1], strict=True):
        cells = [c.strip() for c in line.split("|")]
        assert cells[0] == row["sex"]
        assert cells[4] == (
            "NULL" if row["employment_rate_q4"] is None else f"{row['employment_rate_q4']:.10g}"
        )
    # the files the commands write
    assert (tmp_path / "programs_2022-23.csv").read_text(encoding="utf-8").startswith('"provider_id",')
    assert load_workbook(tmp_path / "program_outcomes.xlsx").sheetnames == ["program_outcomes", "codebook"]
    (report,) = [c for c in outputs if c.split()[1] == "report"]
    assert outputs[report].splitlines() == [
        f"ler report: report/{name}" for name in ("report.html", "report.pdf")
    ]
    # one pipeline: the page `ler report` builds again is the page every run put in its publication
    published_page = example_v2_run.warehouse / "publications" / "current" / "report" / "report.html"
    assert (tmp_path / "report" / "report.html").read_bytes() == published_page.read_bytes()
    assert (tmp_path / "report" / "report.pdf").stat().st_size > 10_000
    # and every warehouse path the section names
    for path in sorted(set(re.findall(r"`(warehouse/[^`]+)`", analyst_section()))):
        assert (tmp_path / path).exists(), path
