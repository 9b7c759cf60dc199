"""A provider's earlier submissions, kept, so its feedback says what changed (docs/feedback.md).

A submission is the set of the provider's files, by name and SHA-256. `feedback/<provider>/history/`
holds one small JSON summary per submission (file names, digests, statuses and the measures of
`data.metrics`: counts only, nothing row-level). A run that sees the same files again (a nightly
rerun, new wage data, a corrected catalog) refreshes that submission's summary; a run with a new,
changed or withdrawn file adds one. The feedback compares with the previous submission: the newest
summary of a different set of files. So the comparison is always with what the provider sent
before, not with last night's rerun of the same files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from dagster_project.atomic_write import write_text
from dagster_project.feedback.data import ProviderFeedback

HISTORY_DIR = "history"
SCHEMA_VERSION = 1
# The measures compared with the previous submission, with the words the feedback uses for them.
MEASURES = (
    ("files_received", "files received"),
    ("files_loaded", "files loaded"),
    ("files_loaded_with_rejects", "files loaded with rejected rows"),
    ("files_quarantined", "files quarantined (nothing loaded)"),
    ("files_duplicate", "files that repeat an earlier file"),
    ("rows_read", "rows read"),
    ("rows_loaded", "rows loaded"),
    ("rows_rejected", "rows rejected"),
    ("rows_duplicate", "rows repeated within a file"),
    ("learners", "learners"),
    ("learners_without_valid_ssn", "learners without a valid SSN"),
    ("share_without_valid_ssn", "share of learners without a valid SSN"),
    ("unmapped_codes", "codes no crosswalk knows"),
    ("unmapped_code_records", "records with such a code"),
    ("data_quality_warnings", "records with a data-quality warning"),
)


def submission_id(fb: ProviderFeedback) -> str:
    return hashlib.sha256(json.dumps(fb.submission).encode()).hexdigest()


def summary(fb: ProviderFeedback) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "provider_id": fb.provider_id,
        "run_id": fb.run_id,
        "run_finished_at": fb.run_finished_at,
        "submission_id": submission_id(fb),
        "files": [
            {"file_name": f["file_name"], "sha256": f["sha256"], "status": f["status"]}
            for f in fb.tables["files"].dicts()
        ],
        "metrics": fb.metrics,
    }


def read_history(folder: Path) -> list[tuple[Path, dict]]:
    """The kept summaries, oldest first (an unreadable file is left out, never fatal)."""
    found = []
    for path in sorted((folder / HISTORY_DIR).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and isinstance(data.get("metrics"), dict):
            found.append((path, data))
    return sorted(found, key=lambda item: (str(item[1].get("run_finished_at", "")), item[0].name))


def previous_submission(history: list[tuple[Path, dict]], current: dict) -> dict | None:
    """The newest kept summary of another set of files than `current`'s."""
    others = [s for _, s in history if s.get("submission_id") != current["submission_id"]]
    return others[-1] if others else None


def remember(folder: Path, history: list[tuple[Path, dict]], current: dict) -> Path:
    """Keep `current`: refresh the newest summary when it is the same submission, else add one."""
    if history and history[-1][1].get("submission_id") == current["submission_id"]:
        path = history[-1][0]
    else:
        stamp = "".join(ch for ch in current["run_finished_at"] if ch.isdigit())[:14] or "0"
        path = folder / HISTORY_DIR / f"{stamp}_{current['run_id']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, json.dumps(current, indent=2, sort_keys=True) + "\n")
    return path


def changes(current: dict, previous: dict | None) -> list[tuple[str, str, float, float | None, float | None]]:
    """(measure, words, now, before, change) for every measure; before and change None without a
    previous submission."""
    rows = []
    for key, words in MEASURES:
        now = current["metrics"].get(key, 0)
        before = previous["metrics"].get(key) if previous else None
        change = None if before is None else round(now - before, 4)
        rows.append((key, words, now, before, change))
    return rows


def file_changes(current: dict, previous: dict | None) -> dict[str, list[str]]:
    """Files new in this submission (or sent again with other content), and files no longer in it."""
    if previous is None:
        return {"new": [], "gone": []}
    before = {(f["file_name"], f["sha256"]) for f in previous.get("files", [])}
    now = {(f["file_name"], f["sha256"]) for f in current["files"]}
    names_now = {name for name, _ in now}
    return {
        "new": sorted(name for name, digest in now - before),
        "gone": sorted({name for name, _ in before - now} - names_now),
    }


