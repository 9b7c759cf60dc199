"""The report as a PDF: the same document and the same chart images as the HTML page, laid out by
reportlab (pure Python, so a nightly run needs no browser). Landscape US Letter; long tables
continue on the next page with their header row repeated."""

from __future__ import annotations

import io
from html import escape
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dagster_project.report.charts import DPI
from dagster_project.report.document import Document, Figure, Grid, Heading, Terms, Text

PAGE = landscape(letter)
MARGIN = 0.5 * inch
_BACKGROUND = {"suppressed": colors.HexColor("#f3f3f3")}
_WRAP = 24  # characters: a longer cell is a Paragraph that wraps in its column


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": base["Title"],
        "subtitle": ParagraphStyle("subtitle", parent=base["Normal"], textColor=colors.HexColor("#555555")),
        "h2": base["Heading2"],
        "h3": base["Heading3"],
        "body": base["BodyText"],
        "note": ParagraphStyle(
            "note",
            parent=base["BodyText"],
            textColor=colors.HexColor("#555555"),
            fontName="Helvetica-Oblique",
        ),
        "caption": ParagraphStyle(
            "caption", parent=base["BodyText"], fontSize=8, textColor=colors.HexColor("#555555")
        ),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontSize=7, leading=8.5),
        "term": ParagraphStyle("term", parent=base["BodyText"], fontName="Helvetica-Bold", spaceAfter=0),
        "definition": ParagraphStyle("definition", parent=base["BodyText"], leftIndent=14, fontSize=8.5),
    }


def _grid(block: Grid, styles: dict[str, ParagraphStyle], width: float) -> list:
    data = [[Paragraph(f"<b>{escape(h)}</b>", styles["cell"]) for h in block.header]]
    # a short cell as plain text (a Paragraph per cell is most of the PDF's cost); a long one wraps
    data += [
        [Paragraph(escape(c.text), styles["cell"]) if len(c.text) > _WRAP else c.text for c in row]
        for row in block.rows
    ]
    table = Table(data, repeatRows=1, colWidths=[width / max(len(block.header), 1)] * len(block.header))
    commands = [
        ("FONTSIZE", (0, 1), (-1, -1), 7),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for r, row in enumerate(block.rows, start=1):
        for c, cell in enumerate(row):
            if cell.kind in _BACKGROUND:
                commands.append(("BACKGROUND", (c, r), (c, r), _BACKGROUND[cell.kind]))
    table.setStyle(TableStyle(commands))
    return [Paragraph(f"<b>{escape(block.caption)}</b>", styles["caption"]), table, Spacer(1, 10)]


def _figure(block: Figure, styles: dict[str, ParagraphStyle], width: float, height: float) -> list:
    w, h = block.chart.width_px, block.chart.height_px
    scale = min(width / w, (height - 40) / h, 72 / DPI)  # points per pixel at the chart's own size
    image = Image(io.BytesIO(block.chart.png), width=w * scale, height=h * scale)
    return [image, Paragraph(escape(block.caption), styles["caption"]), Spacer(1, 8)]


def render(doc: Document, path: Path) -> None:
    styles = _styles()
    width, height = PAGE[0] - 2 * MARGIN, PAGE[1] - 2 * MARGIN
    story: list = [
        Paragraph(escape(doc.title), styles["title"]),
        Paragraph(escape(doc.subtitle), styles["subtitle"]),
    ]
    for block in doc.blocks:
        if isinstance(block, Heading):
            story.append(Paragraph(escape(block.text), styles["h2" if block.level <= 2 else "h3"]))
        elif isinstance(block, Text):
            story.append(Paragraph(escape(block.text), styles["note" if block.note else "body"]))
        elif isinstance(block, Figure):
            story += _figure(block, styles, width, height)
        elif isinstance(block, Grid):
            story += _grid(block, styles, width)
        elif isinstance(block, Terms):
            for term, definition in block.items:
                story += [
                    Paragraph(escape(term), styles["term"]),
                    Paragraph(escape(definition), styles["definition"]),
                ]
    pdf = SimpleDocTemplate(
        str(path),
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=doc.title,
        author="State LER warehouse",
        subject=doc.subtitle,
    )
    pdf.build(story)
