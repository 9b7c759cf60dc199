"""`ler validate` on every submission format, not only CSV (issue: each format in `ler validate`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

LER = str(Path(sys.executable).parent / "ler")


def validate(path: Path, reference: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LER, "validate", str(path), "--reference", str(reference)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("folder", "name", "layout"),
    [
        ("transcripts", "pesc_SUN_00000.xml", "pesc_xml"),
        ("noncredit", "tcaa_badges_batch_20250815.json", "ob3_json"),
        ("wages", "UIWAGE_2024Q4_20250216.txt", "icesa"),
        ("transcripts", "TRN_RBTC_2019-20_20250815.csv", "transcript_csv"),
    ],
)
def test_each_format_validates(example_dir: Path, folder: str, name: str, layout: str) -> None:
    proc = validate(example_dir / "landing" / folder / name, example_dir / "landing" / "reference")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith(f"{name}: LOADED ({layout})")


def test_broken_xml_would_be_quarantined(example_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "transcripts" / "broken.xml"
    bad.parent.mkdir()
    bad.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "boom">]><CollegeTranscript>&a;</CollegeTranscript>'
    )
    proc = validate(bad, example_dir / "landing" / "reference")
    assert proc.returncode == 1 and "QUARANTINED" in proc.stdout and "DTD or entities" in proc.stdout
    assert "boom" not in proc.stdout


def test_ctdl_reference_file_validates(realdata_dir: Path, example_dir: Path, tmp_path: Path) -> None:
    source = realdata_dir / "ctdl" / "CredentialRegistry-fixtures" / "credential" / "2_valid.json"
    target = tmp_path / "reference" / "2_valid.json"
    target.parent.mkdir()
    target.write_bytes(source.read_bytes())
    proc = validate(target, example_dir / "landing" / "reference")
    assert proc.returncode == 0 and "LOADED (ctdl_json)" in proc.stdout
