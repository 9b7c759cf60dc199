"""The judge of one file's counts: its load status and its manifest message (docs/submission_manual.md §5).

A pure function of the counts the judging pass found, the warnings its reader recorded and the
reject-rate setting, so the 10 % rule and the wording of every manifest message are decided (and
unit-tested) in one place, apart from reading and writing files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dagster_project.landing.validate import Counts

LOADED = "LOADED"
LOADED_WITH_REJECTS = "LOADED_WITH_REJECTS"
QUARANTINED = "QUARANTINED"
DUPLICATE = "DUPLICATE"


ZERO = Counts(0, 0, 0, 0)


@dataclass(frozen=True)
class Verdict:
    status: str
    counts: Counts  # as recorded in the manifest (a quarantined file loads nothing)
    message: str
    reason: str | None = None  # why a quarantined file was kept out (its error report's first line)
    warnings: tuple[str, ...] = ()  # what its reader noted (the error report lists them)

    @property
    def loads(self) -> bool:
        return self.status in (LOADED, LOADED_WITH_REJECTS)


def judge_counts(counts: Counts, warnings: Sequence[str], max_reject_rate: float) -> Verdict:
    """LOADED, LOADED_WITH_REJECTS, or QUARANTINED when rejected / read > `max_reject_rate`.

    A quarantined file's rows all count as rejected (nothing loads) except its exact duplicates, so
    `rows_read = rows_loaded + rows_rejected + rows_duplicate` still holds. A file with no rows
    never reaches here (`quarantined` says why).
    """
    share = counts.rows_rejected / counts.rows_read
    if share > max_reject_rate:
        reason = (
            f"{counts.rows_rejected} of {counts.rows_read} rows rejected ({share:.1%}), "
            f"more than the {max_reject_rate:.0%} allowed"
        )
        kept_out = Counts(
            counts.rows_read, 0, counts.rows_read - counts.rows_duplicate, counts.rows_duplicate
        )
        return quarantined(reason, warnings, kept_out)
    notes = list(warnings)
    if counts.rows_rejected:
        notes.insert(0, f"{counts.rows_rejected} row(s) rejected, see audit.rejected_rows")
    if counts.rows_duplicate:
        notes.append(f"{counts.rows_duplicate} exact duplicate line(s) loaded once")
    status = LOADED_WITH_REJECTS if counts.rows_rejected else LOADED
    return Verdict(status, counts, "; ".join(notes))


def quarantined(reason: str, warnings: Sequence[str] = (), counts: Counts = ZERO) -> Verdict:
    """A file kept out whole: its reason first, then its reader's warnings."""
    return Verdict(QUARANTINED, counts, "; ".join([reason, *warnings]), reason, tuple(warnings))


def duplicate_of(first_name: str) -> Verdict:
    return Verdict(DUPLICATE, ZERO, f"same content (SHA-256) as {first_name}, already loaded")


NO_ROWS = "no data rows (empty file or header only)"
