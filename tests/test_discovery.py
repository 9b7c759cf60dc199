"""The landing-zone timeline (LER_SPEC.md §1): stamp, else mtime, ties by name; accepted file types."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from dagster_project.landing.discovery import classify, discover, file_time


def _touch(path: Path, mtime: datetime) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    os.utime(path, (mtime.timestamp(), mtime.timestamp()))


def test_stamp_wins_over_mtime_and_ties_go_by_name(tmp_path: Path) -> None:
    old = datetime(2020, 1, 1, tzinfo=UTC)
    _touch(tmp_path / "wages" / "b_20240101.csv", datetime(2026, 1, 1, tzinfo=UTC))
    _touch(tmp_path / "wages" / "a_20240101.csv", datetime(2026, 1, 1, tzinfo=UTC))
    _touch(tmp_path / "wages" / "late_stamp_20250101.csv", old)
    _touch(tmp_path / "wages" / "no_stamp.csv", datetime(2024, 6, 1, tzinfo=UTC))
    _touch(tmp_path / "wages" / "bad_stamp_20241399.csv", datetime(2023, 1, 1, tzinfo=UTC))
    names = [f.name for f in discover(tmp_path)]
    assert names == [
        "bad_stamp_20241399.csv",
        "a_20240101.csv",
        "b_20240101.csv",
        "no_stamp.csv",
        "late_stamp_20250101.csv",
    ]
    assert file_time(tmp_path / "wages" / "a_20240101.csv") == datetime(2024, 1, 1, tzinfo=UTC)


def test_sequence_is_one_timeline_over_all_kinds(tmp_path: Path) -> None:
    _touch(tmp_path / "wages" / "w_20200101.csv", datetime(2026, 1, 1, tzinfo=UTC))
    _touch(tmp_path / "transcripts" / "t_20190101.csv", datetime(2026, 1, 1, tzinfo=UTC))
    seqs = {f.name: f.seq for f in discover(tmp_path)}
    only_wages = {f.name: f.seq for f in discover(tmp_path, kinds=("wages",))}
    assert seqs == {"t_20190101.csv": 1, "w_20200101.csv": 2} and only_wages == {"w_20200101.csv": 2}


def test_uploads_in_progress_and_hidden_files_are_left_alone(tmp_path: Path) -> None:
    for name in ("x.csv.part", ".DS_Store", "~lock.csv", "y.csv.tmp", "good.csv"):
        _touch(tmp_path / "noncredit" / name, datetime(2024, 1, 1, tzinfo=UTC))
    assert [f.name for f in discover(tmp_path)] == ["good.csv"]


def test_classification_by_folder_and_extension() -> None:
    assert classify("transcripts", Path("a.XML")) == ("pesc_xml", "pesc_xml")
    assert classify("transcripts", Path("a.json")) == ("clr_json", "clr_json")
    assert classify("noncredit", Path("a.json")) == ("ob3_json", "ob3_json")
    assert classify("wages", Path("a.dat")) == ("icesa", "icesa")
    assert classify("reference", Path("programs_2025.csv")) == ("programs", "csv")
    assert classify("reference", Path("ctdl.json")) == ("ctdl_json", "ctdl_json")
    assert classify("reference", Path("other.csv"))[0] is None
    assert classify("wages", Path("a.xlsx")) == (None, "xlsx")
