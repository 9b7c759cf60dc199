"""The legislative report (issue 11 item 4; docs/reporting_rules.md §9): one self-contained HTML
page and a PDF, built only from a publication's `published.duckdb`.

    data.py      the published rows, read-only (null cells: suppressed or not computable)
    charts.py    matplotlib (Agg) charts as PNG
    document.py  the sections, tables, charts and definitions, as one document
    html.py      the document as HTML (inline CSS, data-URI images, a CSP that fetches nothing)
    pdf.py       the same document as PDF (reportlab), with the same images

Every run writes it into its publication (`publication/files.py`: `report/report.html` and
`report/report.pdf`); `ler report --out DIR` writes it again from the current publication.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HTML_NAME, PDF_NAME = "report.html", "report.pdf"


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    pdf: Path


def write_report(published_db: Path, out_dir: Path, codebook: Sequence[dict[str, Any]] = ()) -> ReportFiles:
    """Build the report of `published_db` into `out_dir` (created); `codebook` is the publication's
    codebook rows (the suppression text of each column shown). Each file is written under a
    temporary name and renamed, so a reader never sees half a report."""
    from dagster_project.report import data, document, html, pdf

    doc = document.build(data.load(published_db), codebook)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(out_dir / HTML_NAME, out_dir / PDF_NAME)
    tmp_html, tmp_pdf = (p.with_name(f".{p.name}.tmp-{os.getpid()}") for p in (files.html, files.pdf))
    try:
        tmp_html.write_text(html.render(doc), encoding="utf-8")
        pdf.render(doc, tmp_pdf)
        os.replace(tmp_html, files.html)
        os.replace(tmp_pdf, files.pdf)
    finally:
        tmp_html.unlink(missing_ok=True)
        tmp_pdf.unlink(missing_ok=True)
    return files
