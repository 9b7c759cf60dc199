"""`ler validate` on every submission format, not only CSV (issue: each format in `ler validate`).

Each case calls `dagster_project.cli.main` in this process; `tests/test_cli_validate.py` runs the
installed command.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from dagster_project.cli import main


@dataclass
class Validated:
    code: int
    out: str
    err: str


@pytest.fixture
def validate(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """`ler validate FILE --reference DIR`, with no LER_* variable of this process in the way."""
    for name in [n for n in os.environ if n.startswith("LER_")]:
        monkeypatch.delenv(name)

    def run(path: Path, reference: Path) -> Validated:
        capsys.readouterr()
        code = main(["validate", str(path), "--reference", str(reference)])
        captured = capsys.readouterr()
        return Validated(code, captured.out, captured.err)

    return run


@pytest.mark.parametrize(
    ("folder", "name", "layout"),
    [
        ("transcripts", "pesc_SUN_00000.xml", "pesc_xml"),
        ("noncredit", "tcaa_badges_batch_20250815.json", "ob3_json"),
        ("wages", "UIWAGE_2024Q4_20250216.txt", "icesa"),
        ("transcripts", "TRN_RBTC_2019-20_20250815.csv", "transcript_csv"),
    ],
)
def test_each_format_validates(validate, example_dir: Path, folder: str, name: str, layout: str) -> None:
    v = validate(example_dir / "landing" / folder / name, example_dir / "landing" / "reference")
    assert v.code == 0, v.out + v.err
    assert v.out.startswith(f"{name}: would be LOADED ({layout})")


def test_broken_xml_would_be_quarantined(validate, example_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "transcripts" / "broken.xml"
    bad.parent.mkdir()
    bad.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "boom">]><CollegeTranscript>&a;</CollegeTranscript>'
    )
    v = validate(bad, example_dir / "landing" / "reference")
    assert v.code == 1 and "QUARANTINED" in v.out and "DTD or entities" in v.out
    assert "boom" not in v.out + v.err


def test_ctdl_reference_file_validates(
    validate, realdata_dir: Path, example_dir: Path, tmp_path: Path
) -> None:
    source = realdata_dir / "ctdl" / "CredentialRegistry-fixtures" / "credential" / "2_valid.json"
    target = tmp_path / "reference" / "2_valid.json"
    target.parent.mkdir()
    target.write_bytes(source.read_bytes())
    v = validate(target, example_dir / "landing" / "reference")
    assert v.code == 0 and "would be LOADED (ctdl_json)" in v.out
