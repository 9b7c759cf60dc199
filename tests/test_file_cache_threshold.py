"""Which files the file cache keeps (ingest.CACHE_MIN_BYTES): a quarterly wage file of a small
state's learners (a megabyte or two) is judged once and reused; a file of a couple of hundred rows
(under 64 KiB) is cheap to judge again and is not kept."""

from __future__ import annotations

from pathlib import Path

from dagster_project.landing import ingest
from dagster_project.landing.ingest import ingest_kind
from dagster_project.settings import Settings
from tests.support.landing import LandingBuilder
from tests.support.pipeline import TEST_KEY


def test_a_megabyte_wage_file_is_cached_and_a_small_one_is_not(tmp_path: Path) -> None:
    b = LandingBuilder(tmp_path / "landing")
    b.provider("P1")
    people = [b.person() for _ in range(16_000)]
    for p in people:
        b.wage("ui_wages_2024Q1_20240515.csv", p, 2024, 1, 1000)
    for p in people[:200]:
        b.wage("ui_wages_2024Q2_20240815.csv", p, 2024, 2, 1000)
    land = b.write()
    names = ("ui_wages_2024Q1_20240515.csv", "ui_wages_2024Q2_20240815.csv")
    large, small = (land / "wages" / n for n in names)
    assert large.stat().st_size >= ingest.CACHE_MIN_BYTES > small.stat().st_size
    assert large.stat().st_size < 2 * 1024 * 1024  # the size of a small state's quarterly file
    s = Settings.load(
        {"landing_dir": land, "warehouse_dir": tmp_path / "wh", "hash_key": TEST_KEY}, environ={}
    )
    for _ in range(2):
        report = ingest_kind("wages", s, warn=lambda _m: None)
    assert {r.file.name: r.counts.rows_loaded for r in report.files} == {large.name: 16_000, small.name: 200}
    entries = list((tmp_path / "wh" / "lake" / "_cache" / "wages").iterdir())
    assert len(entries) == 1  # the large file's; the small one is judged again each run
