"""The feedback as one self-contained HTML page (docs/feedback.md): inline style, no script, nothing
fetched when it is opened, every value escaped (file names and codes come from the provider's own
files and could hold markup)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from dagster_project.feedback.data import ProviderFeedback

# A long list of line numbers is cut here on the page; rejected_rows.csv has every line.
MAX_LINES_SHOWN = 100
PERCENT_MEASURES = {"share_without_valid_ssn", "change:share_without_valid_ssn"}
STATUS_WORDS = {
    "LOADED": "loaded: every row counts",
    "LOADED_WITH_REJECTS": "loaded, except the rejected rows listed below",
    "QUARANTINED": "quarantined: nothing from this file was loaded; fix it and send it again",
    "DUPLICATE": "the same content as a file already loaded: nothing new loaded",
}
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 75rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #bbb; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #eee; } td.n { text-align: right; }
.QUARANTINED { color: #a00; font-weight: bold; } .LOADED_WITH_REJECTS { color: #a60; }
p.note { color: #555; }
"""


def _e(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return escape(f"{value:,.4f}".rstrip("0").rstrip("."))
    if isinstance(value, int):
        return escape(f"{value:,}")
    return escape(str(value), quote=True)


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            css = ' class="n"' if i in numeric else (f' class="{_e(v)}"' if v in STATUS_WORDS else "")
            cells.append(f"<td{css}>{_e(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _shown(key: str, value: float | None) -> object:
    """A measure as the page shows it: shares as percentages."""
    if value is None or key not in PERCENT_MEASURES:
        return value
    return f"{value * 100:+.1f} %" if key.startswith("change:") else f"{value * 100:.1f} %"


def _lines(text: str | None) -> str:
    numbers = (text or "").split(", ")
    if len(numbers) <= MAX_LINES_SHOWN:
        return text or ""
    shown = ", ".join(numbers[:MAX_LINES_SHOWN])
    return f"{shown} … and {len(numbers) - MAX_LINES_SHOWN} more (every line is in rejected_rows.csv)"


def render(
    fb: ProviderFeedback,
    changes: list[tuple[str, str, float, float | None, float | None]],
    previous: dict | None,
    file_changes: dict[str, list[str]],
) -> str:
    t = fb.tables
    who = f"{fb.provider_name} ({fb.provider_id})" if fb.provider_name else fb.provider_id
    parts = [
        f"<h1>Submission feedback: {_e(who)}</h1>",
        f"<p>From the state's LER data office, after the run {_e(fb.run_id)} finished "
        f"{_e(fb.run_finished_at)}. This page holds only your own files and records and no personal "
        "data: each problem is named by file, line and field, never by its value. The same tables are "
        "in the CSV files next to this page.</p>",
        "<h2>Summary</h2>",
    ]
    if previous is None:
        parts.append("<p>This is the first submission of yours on record here, so there is nothing to "
                     "compare with yet.</p>")
        parts.append(_table(["measure", "now"], [(w, _shown(k, now)) for k, w, now, _, _ in changes], {1}))
    else:
        parts.append(f"<p>Compared with your previous submission (as of the run that finished "
                     f"{_e(previous.get('run_finished_at'))}).</p>")
        parts.append(_table(["measure", "now", "previous submission", "change"],
                            [(w, _shown(k, now), _shown(k, before), _shown(f"change:{k}", change))
                             for k, w, now, before, change in changes], {1, 2, 3}))
        for key, words in (("new", "Files new or changed since then"), ("gone", "Files no longer sent")):
            if file_changes[key]:
                items = "".join(f"<li>{_e(name)}</li>" for name in file_changes[key])
                parts.append(f"<p>{words}:</p><ul>{items}</ul>")
    share = fb.metrics["share_without_valid_ssn"]
    parts += [
        "<h2>Learners without a valid SSN</h2>",
        f"<p>{_e(fb.learners_without_valid_ssn)} of your {_e(fb.learners)} learners "
        f"({share * 100:.1f} %) have no valid SSN in any of your records. They cannot be "
        "matched to wage records, so they are counted as unmatchable and left out of every employment "
        "and earnings measure of your programs. Sending their SSNs (9 digits) fixes that.</p>",
        "<h2>Files received</h2>",
    ]
    files = t["files"].dicts()
    if files:
        parts.append(_table(
            ["file", "folder", "format", "received", "status", "rows read", "loaded", "rejected",
             "repeated lines", "why"],
            [(f["file_name"], f["source_kind"], f["file_format"], f["received_at"], f["status"],
              f["rows_read"], f["rows_loaded"], f["rows_rejected"], f["rows_duplicate"], f["message"])
             for f in files],
            {5, 6, 7, 8},
        ))
        parts.append("<p class='note'>" + "; ".join(f"{_e(s)}: {_e(w)}" for s, w in STATUS_WORDS.items())
                     + ".</p>")
    else:
        parts.append("<p>No file of yours was in this run.</p>")
    reasons = t["rejections_by_reason"].dicts()
    parts.append("<h2>Rows rejected, by field and reason</h2>")
    if reasons:
        parts.append(_table(["file", "field", "reason", "rows", "lines"],
                            [(r["file_name"], r["field"], r["reason"], r["n_rows"], _lines(r["lines"]))
                             for r in reasons], {3}))
    else:
        parts.append("<p>None.</p>")
    unmapped = t["unmapped_codes"].dicts()
    parts.append("<h2>Codes no crosswalk knows</h2>")
    if unmapped:
        parts.append("<p>These records are kept, but cannot count as awards until the code is one of the "
                     "data dictionary's (docs/submission_manual.md §3).</p>")
        parts.append(_table(["code system", "code", "records", "first file"],
                            [(u["code_system"], u["source_code"], u["n_records"], u["first_file_name"])
                             for u in unmapped], {2}))
    else:
        parts.append("<p>None.</p>")
    issues = t["data_quality"].dicts()
    parts.append("<h2>Data-quality notes</h2>")
    if issues:
        parts.append(_table(["code", "severity", "what it means", "file", "records"],
                            [(i["error_code"], i["severity"], i["message"], i["file_name"], i["n_records"])
                             for i in issues], {4}))
    else:
        parts.append("<p>None.</p>")
    title = f"Submission feedback: {who}"
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{_e(title)}</title>"
            f"<style>{_STYLE}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n")
