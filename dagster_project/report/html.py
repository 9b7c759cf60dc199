"""The report as one self-contained HTML page: inline CSS, charts as data-URI PNGs, no script, and a
Content-Security-Policy that forbids fetching anything, so the page looks the same offline, in a mail
attachment or years later (issue 11 item 4)."""

from __future__ import annotations

import base64
from html import escape

from dagster_project.report.document import Document, Figure, Grid, Heading, Terms, Text

# nothing may be fetched when the page is viewed: images only from data: URIs, styles only inline
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
STYLE = """
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; margin: 2em auto; max-width: 70em;
       color: #222; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
h3 { margin-top: 1.4em; } .subtitle { color: #555; margin-top: 0; }
p.note { color: #555; font-style: italic; }
table { border-collapse: collapse; margin: 0.8em 0 1.6em; font-size: 0.85em; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; } th { background: #eef2f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.suppressed { color: #777; font-style: italic; background: #f3f3f3; text-align: right; }
td.na { color: #999; text-align: right; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.85em; }
dl dt { font-weight: bold; margin-top: 0.6em; } dl dd { margin-left: 1.5em; }
nav a { margin-right: 1em; }
"""


def _block(block: object) -> str:
    if isinstance(block, Heading):
        anchor = f' id="{escape(block.anchor)}"' if block.anchor else ""
        return f"<h{block.level}{anchor}>{escape(block.text)}</h{block.level}>"
    if isinstance(block, Text):
        css = ' class="note"' if block.note else ""
        return f"<p{css}>{escape(block.text)}</p>"
    if isinstance(block, Figure):
        data = base64.b64encode(block.chart.png).decode("ascii")
        return (
            f'<figure><img src="data:image/png;base64,{data}" alt="{escape(block.chart.alt)}" '
            f'width="{block.chart.width_px}" height="{block.chart.height_px}">'
            f"<figcaption>{escape(block.caption)}</figcaption></figure>"
        )
    if isinstance(block, Grid):
        head = "".join(f"<th>{escape(h)}</th>" for h in block.header)
        body = "".join(
            "<tr>" + "".join(f'<td class="{c.kind}">{escape(c.text)}</td>' for c in row) + "</tr>"
            for row in block.rows
        )
        return f"<table><caption>{escape(block.caption)}</caption><tr>{head}</tr>{body}</table>"
    if isinstance(block, Terms):
        items = "".join(f"<dt>{escape(t)}</dt><dd>{escape(d)}</dd>" for t, d in block.items)
        return f"<dl>{items}</dl>"
    raise TypeError(f"unknown block {type(block).__name__}")


def render(doc: Document) -> str:
    nav = "".join(
        f'<a href="#{escape(b.anchor)}">{escape(b.text)}</a>'
        for b in doc.blocks
        if isinstance(b, Heading) and b.anchor
    )
    body = "\n".join(_block(b) for b in doc.blocks)
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(doc.title)}</title><style>{STYLE}</style></head>\n"
        f'<body><h1>{escape(doc.title)}</h1><p class="subtitle">{escape(doc.subtitle)}</p>'
        f"<nav>{nav}</nav>\n{body}\n</body></html>\n"
    )
