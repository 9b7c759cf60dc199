"""The pure judge of a file's counts (docs/submission_manual.md §5): status, manifest counts, message."""

from __future__ import annotations

import pytest

from dagster_project.landing.judge import (
    DUPLICATE,
    LOADED,
    LOADED_WITH_REJECTS,
    NO_ROWS,
    QUARANTINED,
    duplicate_of,
    judge_counts,
    quarantined,
)
from dagster_project.landing.validate import Counts


def test_a_clean_file_loads_with_its_warnings_as_the_message() -> None:
    v = judge_counts(Counts(5, 5, 0, 0), ["file is UTF-16"], 0.10)
    assert (v.status, v.counts, v.message, v.loads) == (LOADED, Counts(5, 5, 0, 0), "file is UTF-16", True)
    assert judge_counts(Counts(5, 5, 0, 0), [], 0.10).message == ""


def test_rejects_and_duplicates_are_named_first_and_last() -> None:
    v = judge_counts(Counts(20, 17, 2, 1), ["ignored unknown column(s): x"], 0.10)
    assert v.status == LOADED_WITH_REJECTS and v.loads
    assert v.message == (
        "2 row(s) rejected, see audit.rejected_rows; ignored unknown column(s): x; "
        "1 exact duplicate line(s) loaded once"
    )


@pytest.mark.parametrize(("rejected", "status"), [(1, LOADED_WITH_REJECTS), (2, QUARANTINED)])
def test_the_reject_rate_boundary_is_exclusive(rejected: int, status: str) -> None:
    """10 % rejected still loads; more than 10 % is quarantined (rejected / read > 0.10)."""
    assert judge_counts(Counts(10, 10 - rejected, rejected, 0), [], 0.10).status == status


def test_a_quarantined_file_loads_nothing_and_keeps_the_row_identity() -> None:
    v = judge_counts(Counts(10, 5, 4, 1), ["w"], 0.10)
    assert v.status == QUARANTINED and not v.loads
    c = v.counts
    assert (c.rows_read, c.rows_loaded, c.rows_rejected, c.rows_duplicate) == (10, 0, 9, 1)
    assert c.rows_read == c.rows_loaded + c.rows_rejected + c.rows_duplicate
    assert v.reason == "4 of 10 rows rejected (40.0%), more than the 10% allowed"
    assert v.message == v.reason + "; w" and v.warnings == ("w",)


def test_the_reject_rate_is_the_setting() -> None:
    assert judge_counts(Counts(10, 6, 4, 0), [], 0.5).status == LOADED_WITH_REJECTS
    assert judge_counts(Counts(10, 9, 1, 0), [], 0.0).status == QUARANTINED


def test_structural_quarantine_and_duplicates() -> None:
    v = quarantined(NO_ROWS, ["not valid UTF-8; read as Windows-1252"])
    assert (v.status, v.counts, v.reason) == (QUARANTINED, Counts(0, 0, 0, 0), NO_ROWS)
    assert v.message == f"{NO_ROWS}; not valid UTF-8; read as Windows-1252"
    d = duplicate_of("w_20240101.csv")
    assert (d.status, d.loads) == (DUPLICATE, False)
    assert d.message == "same content (SHA-256) as w_20240101.csv, already loaded"
