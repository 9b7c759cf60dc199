"""The legislative report (issue 11 item 4; dagster_project/report): written into every publication,
HTML and PDF, from the published tables only.

The issue's test: the HTML renders in headless Chromium (the screenshot is not blank, the console
is silent) and the PDF has pages with the charts. Chromium is Debian's `chromium`, installed by the
set-up (`make chromium`, which `make test` runs first); without it this test fails, it never skips.
`ler report` itself runs in README's walkthrough (tests/test_readme_walkthrough.py), which checks that
the page it builds again is byte for byte the publication's.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from pypdf import PdfReader

from dagster_project.report import HTML_NAME, PDF_NAME, write_report
from dagster_project.report.document import OUTCOME_COLUMNS, kind_of
from tests.support.pipeline import rows_as_dicts
from tests.support.scenarios import Scenario

# the flags headless Chromium needs on these machines (no sandbox as root, no network, no GPU)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
)
PROBE = '<img src="http://example.invalid/probe.png" alt="probe">'
_TABLE = re.compile(r"<table><caption>(.*?)</caption>(.*?)</table>", re.S)
_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
_CELL = re.compile(r'<td class="(\w+)">(.*?)</td>', re.S)


@pytest.fixture(scope="module")
def report_dir(example_v2_run: Scenario) -> Path:
    return (example_v2_run.warehouse / "publications" / "current" / "report").resolve()


def _tables(page: str) -> dict[str, list[list[tuple[str, str]]]]:
    return {
        html.unescape(caption): [
            [(kind, html.unescape(text)) for kind, text in _CELL.findall(row)] for row in _ROW.findall(body)
        ][1:]
        for caption, body in _TABLE.findall(page)
    }


def _shown(column: str, value: object) -> str:
    kind = kind_of(column)
    if kind == "rate":
        return f"{float(value) * 100:.1f} %"
    if kind == "money":
        return f"${float(value):,.0f}"
    if kind == "count":
        return f"{int(value):,}"
    return str(value)


@pytest.mark.e2e
def test_every_run_publishes_the_report(example_v2_run: Scenario, report_dir: Path) -> None:
    import json

    manifest = json.loads((report_dir.parent / "publication.json").read_text())
    assert {f"report/{HTML_NAME}", f"report/{PDF_NAME}"} <= set(manifest["files"])
    page = (report_dir / HTML_NAME).read_text(encoding="utf-8")
    # self-contained: a CSP that fetches nothing, no script, no link, every image a data URI
    assert "default-src 'none'; img-src data:; style-src 'unsafe-inline'" in page
    assert "<script" not in page and "<link" not in page
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) >= 8 and all(s.startswith("data:image/png;base64,") for s in sources)
    for heading in (
        "Workforce Pell eligibility by program",
        "By credential level",
        "By program",
        "Trends by completion year",
        "Equity breakdown",
        "By sex",
        "Definitions, thresholds and suppression",
    ):
        assert f">{heading}</h" in page, heading


@pytest.mark.e2e
def test_suppressed_cells_are_shown_as_published_never_recomputed(
    example_v2_run: Scenario, report_dir: Path
) -> None:
    page = (report_dir / HTML_NAME).read_text(encoding="utf-8")
    tables = _tables(page)
    (caption,) = [c for c in tables if c.startswith("Statewide outcomes, completion year ")]
    year = caption.rsplit(" ", 1)[1]
    published = rows_as_dicts(
        example_v2_run.published,
        "select * from reporting.statewide_outcomes where completion_year = ? order by credit_type, "
        "credential_level",
        [year],
    )
    assert len(tables[caption]) == len(published) > 3
    hidden = 0
    for row, cells in zip(published, tables[caption], strict=True):
        listed = set((row["suppressed_columns"] or "").split(";"))
        for (column, _header), (kind, text) in zip(OUTCOME_COLUMNS, cells[2:], strict=True):
            if row[column] is None and column in listed:
                assert (kind, text) == ("suppressed", "suppressed"), (row["credential_level"], column)
                hidden += 1
            elif row[column] is None:
                assert (kind, text) == ("na", "n/a"), (row["credential_level"], column)
            else:
                assert (kind, text) == ("num", _shown(column, row[column])), (row["credential_level"], column)
    assert hidden > 0
    # the equity tables show the published groups of the same year, each dimension's table complete
    (sex,) = [c for c in tables if c.startswith("SEX, completion year ")]
    groups = rows_as_dicts(
        example_v2_run.published,
        "select count(*) as n from reporting.statewide_outcomes_by_group where group_dimension = 'SEX' "
        "and completion_year = ?",
        [year],
    )
    assert len(tables[sex]) == groups[0]["n"]


@pytest.mark.e2e
def test_definitions_and_thresholds_come_from_the_publication(
    example_v2_run: Scenario, report_dir: Path
) -> None:
    page = html.unescape((report_dir / HTML_NAME).read_text(encoding="utf-8"))
    comments = dict(
        ((t, c), text)
        for t, c, text in (
            tuple(r.values())
            for r in rows_as_dicts(
                example_v2_run.published,
                "select table_name, column_name, comment from duckdb_columns() "
                "where schema_name = 'reporting'",
            )
        )
    )
    for table, column in (
        ("statewide_outcomes", "employment_rate_q4"),
        ("wpell_program_outcomes", "status"),
        ("statewide_outcomes_by_group", "group_value"),
    ):
        assert f"{table}.{column}" in page and comments[(table, column)] in page, (table, column)
    (run,) = rows_as_dicts(example_v2_run.published, "select * from reporting.run_metadata")
    assert f"minimum cell K (LER_MIN_CELL)</dt><dd>{run['min_cell']}</dd>" in page
    assert f"wage data through</dt><dd>{run['wage_data_through']}</dd>" in page
    assert "Workforce Pell completion threshold (LER_WPELL_COMPLETION_THRESHOLD)</dt><dd>70%</dd>" in page
    assert "Statistic: null when its denominator n_observed_q4 is below LER_MIN_CELL (rule 2)" in page


@pytest.mark.e2e
def test_the_pdf_has_pages_with_the_charts(report_dir: Path) -> None:
    page = (report_dir / HTML_NAME).read_text(encoding="utf-8")
    charts = page.count('src="data:image/png;base64,')
    reader = PdfReader(report_dir / PDF_NAME)
    images = [len(p.images) for p in reader.pages]
    assert len(reader.pages) >= 3 and sum(images) == charts >= 8
    assert sum(1 for n in images if n) >= 3
    text = " ".join(p.extract_text() for p in reader.pages[:2])
    assert "Workforce Pell eligibility by program" in text


def _chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("headless Chromium is not installed: run `make chromium` (Debian's chromium package)")
    return path


@pytest.mark.e2e
def test_the_html_renders_in_headless_chromium(report_dir: Path, tmp_path: Path) -> None:
    """One browser start: the report with a probe image from the network appended. The probe must be
    the only console message (the CSP blocks it, which shows that console messages are captured and
    that the page can fetch nothing), and the screenshot must show the page."""
    page = (report_dir / HTML_NAME).read_text(encoding="utf-8").replace("</body>", PROBE + "</body>")
    probed = tmp_path / "report.html"
    probed.write_text(page, encoding="utf-8")
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [
            _chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1280,2400",
            probed.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    assert len(console) == 1 and "example.invalid/probe.png" in console[0], console
    assert "Content Security Policy" in console[0]
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 2400)
    colors = image.getcolors(maxcolors=1 << 20) or []
    assert len(colors) > 100 and max(ImageStat.Stat(image).stddev) > 20  # charts and text, not a blank page


def test_a_publication_without_the_report_tables_still_gets_a_report(tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "published.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema reporting")
    con.execute("create table reporting.run_metadata as select 'r1' as run_id, 10 as min_cell")
    con.close()
    files = write_report(db, tmp_path / "report")
    page = files.html.read_text(encoding="utf-8")
    for table in ("wpell_program_outcomes", "statewide_outcomes", "statewide_outcomes_by_group"):
        assert f"The table reporting.{table} is not in this publication" in page
    assert "minimum cell K (LER_MIN_CELL)</dt><dd>10</dd>" in page
    assert len(PdfReader(files.pdf).pages) >= 1
    assert sorted(p.name for p in files.html.parent.iterdir()) == [HTML_NAME, PDF_NAME]  # no temporaries
