"""The landing-zone timeline (docs/submission_manual.md §1): stamp, else mtime, ties by name; accepted file
types,
which come from the layout registry (every layout fact in its contract, `landing/registry.py`)."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import main
from dagster_project.landing import ingest
from dagster_project.landing.contracts import KINDS, ContractError
from dagster_project.landing.discovery import classify, discover, file_time
from dagster_project.landing.hash_memo import HashMemo
from dagster_project.landing.ingest import ingest_kind
from dagster_project.landing.readers import fast_reader_for, reader_for, resolve
from dagster_project.landing.registry import load_registry
from dagster_project.project_paths import CONTRACTS_DIR
from dagster_project.settings import Settings
from tests.support.landing import NONCREDIT_COLUMNS, LandingBuilder
from tests.support.pipeline import TEST_KEY


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


def test_each_file_gets_its_own_content_hash(tmp_path: Path) -> None:
    """The files are hashed on several threads (discovery._content_hashes): each hash still belongs
    to its file, with and without the memo."""
    for i in range(40):
        path = tmp_path / "wages" / f"w{i:02d}_2020{1 + i % 12:02d}01.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(1 + (i * 7919) % 300_000))
    memo = HashMemo(tmp_path / "memo.json")
    runs = [discover(tmp_path), discover(tmp_path, hashes=memo)]
    memo.save()
    runs.append(discover(tmp_path, hashes=HashMemo(tmp_path / "memo.json")))  # every hash from the memo
    for files in runs:
        assert len(files) == 40
        assert all(f.sha256 == hashlib.sha256(f.path.read_bytes()).hexdigest() for f in files)


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


def test_unaccepted_files_name_what_the_folder_accepts(tmp_path: Path) -> None:
    """The message is derived from the registry's `files` facts."""
    _touch(tmp_path / "wages" / "a.xlsx", datetime(2024, 1, 1, tzinfo=UTC))
    _touch(tmp_path / "reference" / "other.csv", datetime(2024, 1, 1, tzinfo=UTC))
    rejections = {f.name: f.rejection for f in discover(tmp_path)}
    assert rejections == {
        "a.xlsx": "not an accepted file type for wages/ (*.txt, *.dat, *.csv)",
        "other.csv": "not an accepted file type for reference/ (providers*.csv, programs*.csv, "
        "in_demand_occupations*.csv, *.json, consent*.csv)",
    }


# -- the layout registry ----------------------------------------------------------------------------


def test_readme_layout_table_is_the_registry() -> None:
    """data_contracts/README.md shows the table the registry derives from the contracts."""
    readme = (CONTRACTS_DIR / "README.md").read_text(encoding="utf-8")
    assert load_registry().readme_section() in readme, (
        "data_contracts/README.md is out of date: replace its layout table with the output of "
        "`.venv/bin/python -m dagster_project.landing.registry`"
    )


def test_every_reader_of_the_project_resolves() -> None:
    registry = load_registry()
    assert registry.kinds == KINDS
    for c in registry.layouts.values():
        assert callable(reader_for(c)), c.layout
        assert c.fast_reader is None or callable(fast_reader_for(c)), c.layout
    with pytest.raises(ContractError, match="cannot be found"):
        resolve("dagster_project.landing.formats.csv_layout:no_such_reader")


def _contracts_copy(tmp_path: Path, **edits: dict) -> Path:
    """The project's contracts in a temp folder, `meta.ler` of some layouts changed (None: removed)."""
    folder = tmp_path / "contracts"
    folder.mkdir()
    for path in CONTRACTS_DIR.glob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        layout = doc.get("meta", {}).get("ler", {}).get("layout")
        if layout in edits:
            for key, value in edits[layout].items():
                if value is None:
                    doc["meta"]["ler"].pop(key, None)
                else:
                    doc["meta"]["ler"][key] = value
        (folder / path.name).write_text(json.dumps(doc), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        (
            {"wage_csv": {"files": {"suffixes": [".txt"]}}},
            "icesa.json and wage_csv.json both accept some wages/",
        ),
        (
            {"programs": {"files": {"suffixes": [".csv"], "name_prefix": "prov"}}},
            "both accept some reference/",
        ),
        ({"programs": {"load_order": 1}}, "programs.json: looks up providers, which must load first"),
        ({"ob3_json": {"cacheable": True}}, "depends on rosters \\(other files\\) cannot be cacheable"),
        ({"icesa": {"depends_on": ["icesa_layout", "weather"]}}, "depends_on must be a list of"),
        (
            {"pesc_xml": {"reader": "dagster_project.landing.formats.pesc.read_pesc"}},
            "reader must be a dotted",
        ),
        ({"pesc_xml": {"kind": "xml"}}, "kind must be one of"),
        ({"pesc_xml": {"files": {"suffixes": ["XML"]}}}, "files.suffixes must be"),
        ({"pesc_xml": {"load_order": 0}}, "load_order must be"),
        ({"transcript_csv": {"depends_on": ["providers"]}}, "a roster source is read without a context"),
        (
            {"transcript_csv": {"roster_role": None}, "noncredit_csv": {"roster_role": None}},
            "depends on rosters, but no layout is a roster source",
        ),
        ({"ctdl_json": {"layout": "providers"}}, "layout 'providers' is also defined in"),
    ],
)
def test_broken_registry_facts_are_refused(tmp_path: Path, edits: dict, message: str) -> None:
    with pytest.raises(ContractError, match=message):
        load_registry(_contracts_copy(tmp_path, **edits))


TSV_READER = '''
"""A tiny reader for a hypothetical tab-separated noncredit layout (tests only)."""
from dagster_project.landing.records import BatchBuilder

CALLS = []


def read_tsv(path, contract, ctx):
    CALLS.append(path.name)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\\t")
    builder = BatchBuilder(contract.column_names)
    for number, line in enumerate(lines[1:], start=2):
        builder.add(number, dict(zip(header, line.split("\\t"))))
    yield from builder.finish()
'''


def test_a_new_layout_is_its_contract_its_reader_and_its_tests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 8: adding a layout changes three places. Here a tab-separated noncredit extract gets a
    contract (in a temporary contracts folder) and a reader module, and discovery, the readers'
    dispatch, the file cache and `ler validate --kind` take it up with no other change."""
    contracts = _contracts_copy(tmp_path)
    doc = json.loads((CONTRACTS_DIR / "noncredit_csv.json").read_text(encoding="utf-8"))
    doc["name"] = "noncredit_tsv"
    ler = doc["meta"]["ler"]
    ler.update(
        layout="noncredit_tsv",
        file_format="noncredit_tsv",
        files={"suffixes": [".tsv"]},
        reader="h2_tsv_layout_reader:read_tsv",
        roster_role=None,
        cacheable=True,
    )
    ler.pop("fast_reader")
    (contracts / "noncredit_tsv.json").write_text(json.dumps(doc), encoding="utf-8")
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "h2_tsv_layout_reader.py").write_text(TSV_READER, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "modules"))
    registry = load_registry(contracts)

    b = LandingBuilder(tmp_path / "landing")
    b.provider("P1")
    b.program("P1", "W1")
    for p in [b.person() for _ in range(20)]:
        b.noncredit("spells.csv", p, "P1", "W1", date(2024, 1, 8))
    rows = b.files.pop(("noncredit", "spells.csv"))
    land = b.write()
    lines = ["\t".join(NONCREDIT_COLUMNS)] + ["\t".join(r[c] for c in NONCREDIT_COLUMNS) for r in rows]
    tsv = land / "noncredit" / "spells_20240301.tsv"
    tsv.write_text("\n".join(lines) + "\n", encoding="utf-8")

    # discovery: the file is the new layout; the project's own registry does not accept it
    [found] = discover(land, kinds=("noncredit",), registry=registry)
    assert (found.layout, found.file_format, found.rejection) == ("noncredit_tsv", "noncredit_tsv", None)
    assert discover(land, kinds=("noncredit",))[0].layout is None

    # dispatch and the cache: ingestion reads it with its reader, caches it, and reuses the entry
    import h2_tsv_layout_reader

    monkeypatch.setattr(ingest, "CACHE_MIN_BYTES", 0)
    settings = Settings.load(
        {"landing_dir": land, "warehouse_dir": tmp_path / "wh", "hash_key": TEST_KEY}, environ={}
    )
    for run in (1, 2):
        ingest_kind("reference", settings, warn=lambda _m: None, registry=registry)
        [result] = ingest_kind("noncredit", settings, warn=lambda _m: None, registry=registry).files
        c = result.counts
        assert (result.status, c.rows_read, c.rows_loaded) == ("LOADED", 20, 20), result.message
        assert h2_tsv_layout_reader.CALLS == ["spells_20240301.tsv"], run  # the second run: cached
    assert len(list((tmp_path / "wh" / "lake" / "_cache" / "noncredit").iterdir())) == 1
    con = duckdb.connect()
    loaded = con.execute(
        f"select source_format, count(*), count(person_key) from read_parquet('{tmp_path}/wh/lake/noncredit/"
        "*.parquet') where file_name = 'spells_20240301.tsv' group by 1"
    ).fetchall()
    assert loaded == [("noncredit_tsv", 20, 20)]

    # ler validate --kind: the same registry detects the layout of a file outside the landing zone
    outside = tmp_path / "outbox" / "spells.tsv"
    outside.parent.mkdir()
    outside.write_bytes(tsv.read_bytes())
    for name in [n for n in os.environ if n.startswith("LER_")]:
        monkeypatch.delenv(name)
    argv = ["validate", str(outside), "--kind", "noncredit", "--reference", str(land / "reference")]
    assert main(argv, registry=registry) == 0
    assert capsys.readouterr().out.startswith("spells.tsv: would be LOADED (noncredit_tsv)")
    assert main(argv) == 1  # the project's registry: not an accepted file type
    assert "spells.tsv: would be QUARANTINED (unsupported type)" in capsys.readouterr().out
