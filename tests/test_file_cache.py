"""Large files judged once are reused by later runs, and only while nothing they depend on changed:
the key is derived from what each layout's contract declares (`depends_on`, `cacheable`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.landing import ingest
from dagster_project.landing.context import ProviderDirectory, ReadContext
from dagster_project.landing.contracts import READ_CONTEXT_INPUTS
from dagster_project.landing.file_cache import reader_inputs
from dagster_project.landing.ingest import ingest_kind
from dagster_project.landing.readers import reader_for
from dagster_project.landing.registry import load_registry
from dagster_project.project_paths import DEFAULT_ICESA_LAYOUT
from dagster_project.settings import Settings
from tests import pesc_samples as pesc
from tests.badge_samples import ISSUER, clr_credential, identity_object, ob3_credential, write_json
from tests.icesa_samples import Employee, Employer, icesa_lines, write_lines
from tests.support.landing import LandingBuilder
from tests.support.pipeline import TEST_KEY


@pytest.fixture(autouse=True)
def every_file_is_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "CACHE_MIN_BYTES", 0)


def landing(root: Path) -> Path:
    b = LandingBuilder(root)
    b.provider("P1")
    b.program("P1", "W1")
    people = [b.person() for _ in range(30)]
    for p in people:
        b.wage("ui_wages_2024Q1_20240515.csv", p, 2024, 1, 1000)
        b.transcript("TRN_P1_20240801.csv", p, "P1", "W1", date(2023, 9, 1))
    b.wage("ui_wages_2024Q1_20240515.csv", people[0], 2024, 7, 5)  # one reject
    return b.write()


def lake_rows(wh: Path, table: str) -> list[tuple]:
    con = duckdb.connect()
    try:
        return con.execute(
            f"select * from read_parquet('{wh}/lake/{table}/*.parquet') order by all"
        ).fetchall()
    finally:
        con.close()


KINDS = ("reference", "transcripts", "wages")


def run(land: Path, wh: Path, key: str = TEST_KEY, kinds: tuple[str, ...] = KINDS,
        **settings: object) -> dict[str, ingest.KindReport]:
    s = Settings.load({"landing_dir": land, "warehouse_dir": wh, "hash_key": key, **settings}, environ={})
    return {k: ingest_kind(k, s, warn=lambda _m: None) for k in kinds}


def status(report: ingest.KindReport, name: str) -> tuple[str, str]:
    [r] = [r for r in report.files if r.file.name == name]
    return r.status, r.message


def cache_entries(wh: Path, kind: str) -> set[str]:
    return {p.name for p in (wh / "lake" / "_cache" / kind).iterdir()}


def test_second_run_reuses_the_judged_rows(tmp_path: Path) -> None:
    land, wh = landing(tmp_path / "landing"), tmp_path / "wh"
    first = run(land, wh)
    rows, rejects = lake_rows(wh, "wages"), first["wages"].files[0].counts
    entries = cache_entries(wh, "wages")
    assert len(entries) == 1 and rejects.rows_rejected == 1
    second = run(land, wh)
    assert lake_rows(wh, "wages") == rows and second["wages"].files[0].counts == rejects
    assert second["wages"].files[0].status == "LOADED_WITH_REJECTS"
    assert cache_entries(wh, "wages") == entries
    con = duckdb.connect()
    n = con.execute(f"select count(*) from '{wh}/lake/_audit/rejected_rows__wages.parquet'").fetchall()[0][0]
    assert n == 1


def test_a_new_key_or_reference_judges_again_and_prunes(tmp_path: Path) -> None:
    land, wh = landing(tmp_path / "landing"), tmp_path / "wh"
    run(land, wh)
    wages, transcripts = cache_entries(wh, "wages"), cache_entries(wh, "transcripts")
    run(land, wh, key="another-secret-of-at-least-32-characters")
    assert cache_entries(wh, "wages").isdisjoint(wages)  # old entries pruned, new ones written
    programs = land / "reference" / "programs.csv"
    programs.write_text(programs.read_text().replace("W1 program", "Welding"))
    run(land, wh, key="another-secret-of-at-least-32-characters")
    assert cache_entries(wh, "transcripts") != transcripts


def test_a_file_moved_on_the_timeline_keeps_its_new_name_and_sequence(tmp_path: Path) -> None:
    land, wh = landing(tmp_path / "landing"), tmp_path / "wh"
    run(land, wh)
    os.replace(land / "wages" / "ui_wages_2024Q1_20240515.csv", land / "wages" / "renamed_20240601.csv")
    run(land, wh)
    names = {
        r[0]
        for r in duckdb.connect()
        .execute(f"select distinct file_name from read_parquet('{wh}/lake/wages/*.parquet')")
        .fetchall()
    }
    assert names == {"renamed_20240601.csv"}


def test_a_new_json_depth_judges_a_cached_ctdl_file_again(tmp_path: Path) -> None:
    """CTDL's reader reads LER_MAX_JSON_DEPTH (its contract says so), so the setting is in the key."""
    land, wh = landing(tmp_path / "landing"), tmp_path / "wh"
    nested: object = "deep"
    for _ in range(8):
        nested = [nested]
    doc = {"@type": "ceterms:Certificate", "ceterms:ctid": "ce-00000000-0000-4000-8000-000000000001",
           "ceterms:name": "Welding", "ceterms:keyword": nested}
    write_json(land / "reference", "ctdl_20240101.json", doc)
    assert status(run(land, wh)["reference"], "ctdl_20240101.json") == ("LOADED", "")
    ctdl_entries = cache_entries(wh, "reference")
    shallow = run(land, wh, max_json_depth=5)["reference"]
    assert status(shallow, "ctdl_20240101.json") == ("QUARANTINED", "JSON nested deeper than 5 levels")
    assert cache_entries(wh, "reference") < ctdl_entries  # the entry judged at depth 64 is not used
    assert status(run(land, wh)["reference"], "ctdl_20240101.json") == ("LOADED", "")


def test_layouts_that_depend_on_other_files_are_never_cached(tmp_path: Path) -> None:
    """Open Badges identities are matched against the CSV rosters: `cacheable: false` in the contract."""
    b = LandingBuilder(tmp_path / "landing")
    b.provider("P1", badge_issuer_id=ISSUER)
    b.program("P1", "W1")
    for p in [b.person() for _ in range(12)]:
        b.noncredit("NC_P1_20240801.csv", p, "P1", "W1", date(2023, 9, 1))
    land = b.write()
    ssn = [identity_object("nationalIdentityNumber", "123-45-6789")]
    write_json(land / "noncredit", "badge_20240901.json", ob3_credential(identifiers=ssn))
    reports = run(land, tmp_path / "wh", kinds=("reference", "noncredit"))
    assert [(r.file.name, r.status) for r in reports["noncredit"].files] == [
        ("NC_P1_20240801.csv", "LOADED"), ("badge_20240901.json", "LOADED")]
    assert len(cache_entries(tmp_path / "wh", "noncredit")) == 1  # the CSV only
    assert not load_registry().contract("ob3_json").cacheable


@dataclass
class WatchedContext(ReadContext):
    """A ReadContext that records which of its inputs a reader reads."""

    reads: set[str] = field(default_factory=set)

    def __getattribute__(self, name: str):
        if name in READ_CONTEXT_INPUTS:
            object.__getattribute__(self, "reads").add(name)
        return object.__getattribute__(self, name)


def _samples(folder: Path) -> dict[str, Path]:
    """One small, valid file per layout of the project."""
    b = LandingBuilder(folder)
    b.provider("P1", fice="001234", badge_issuer_id=ISSUER)
    b.program("P1", "W1")
    b.demand("51-4121")
    person = b.person()
    b.transcript("t.csv", person, "P1", "W1", date(2023, 9, 1))
    b.noncredit("n.csv", person, "P1", "W1", date(2023, 9, 1))
    b.wage("w.csv", person, 2024, 1, 1000)
    b.write()
    ssn = [identity_object("nationalIdentityNumber", "123-45-6789")]
    record = pesc.Record(school=pesc.Org(fice="001234"), awards=[pesc.Award(level="2.4")])
    learner = pesc.Learner(records=[record])
    (folder / "transcripts" / "p.xml").write_bytes(pesc.encode(pesc.transcript([learner])))
    employers = [Employer("581111111", "ACCT1", "518210", [Employee("201456789", "L", "F", 100)])]
    return {
        "providers": folder / "reference" / "providers.csv",
        "programs": folder / "reference" / "programs.csv",
        "in_demand_occupations": folder / "reference" / "in_demand_occupations.csv",
        "ctdl_json": write_json(folder / "reference", "c.json", {"@type": "ceterms:Certificate"}),
        "consent_csv": write_lines(
            folder / "reference" / "consent.csv",
            ["ssn,scope,status,effective_date", "123-45-6789,LER_EXPORT,GRANTED,2024-01-01"],
        ),
        "transcript_csv": folder / "transcripts" / "t.csv",
        "pesc_xml": folder / "transcripts" / "p.xml",
        "clr_json": write_json(folder / "transcripts", "clr.json",
                               clr_credential([ob3_credential(identifiers=ssn, expires="2020-01-01")])),
        "noncredit_csv": folder / "noncredit" / "n.csv",
        "ob3_json": write_json(folder / "noncredit", "b.json", ob3_credential(identifiers=ssn)),
        "wage_csv": folder / "wages" / "w.csv",
        "icesa": write_lines(folder / "wages" / "i.txt", icesa_lines(employers)),
    }


def test_each_reader_reads_exactly_the_context_its_contract_declares(tmp_path: Path) -> None:
    """`depends_on` is what the cache keys on, so it must be what the reader really reads."""
    registry = load_registry()
    samples = _samples(tmp_path / "samples")
    assert set(samples) == set(registry.layouts), "a new layout needs a sample file here"
    sender = {"provider_id": "P1", "fice": "001234", "badge_issuer_id": ISSUER}
    directory = ProviderDirectory.from_rows([sender])
    for layout, path in samples.items():
        c = registry.contract(layout)
        ctx = WatchedContext(providers=directory, icesa_layout=DEFAULT_ICESA_LAYOUT)
        rows = sum(batch.num_rows for batch in reader_for(c)(path, c, ctx))
        assert rows >= 1, layout
        assert ctx.reads == set(c.reader_inputs), layout


def test_every_declared_input_is_in_the_key(tmp_path: Path) -> None:
    """reader_inputs(c, ctx) changes when any ReadContext field the layout declares changes."""
    layout_copy = tmp_path / "layout.json"
    layout_copy.write_bytes(DEFAULT_ICESA_LAYOUT.read_bytes())
    base = ReadContext(icesa_layout=layout_copy, max_json_depth=64, run_date=date(2025, 1, 1))
    other = ProviderDirectory.from_rows([{"provider_id": "P", "fice": "7"}])
    changed = {
        "providers": replace(base, providers=other),
        "max_json_depth": replace(base, max_json_depth=65),
        "run_date": replace(base, run_date=date(2025, 1, 2)),
    }
    assert set(changed) | {"icesa_layout"} == set(READ_CONTEXT_INPUTS)
    for c in load_registry().layouts.values():
        before = reader_inputs(c, base)
        for name, ctx in changed.items():
            assert (reader_inputs(c, ctx) != before) == (name in c.depends_on), (c.layout, name)
    icesa = load_registry().contract("icesa")
    before = reader_inputs(icesa, base)
    layout_copy.write_text(layout_copy.read_text().replace('"description"', '"description" ', 1))
    assert reader_inputs(icesa, base) != before  # the layout file's content, not its name
