"""Local learner ids are personal data (docs/submission_manual.md §4, issue 9 item 2).

Colleges still use SSNs as student ids. `student_id`, `learner_id` and a badge's `studentId` /
`sisSourcedId` are kept only as `local_id_key` (HMAC of "LID:" + provider_id + "|" + id), rosters
match on that key, and natural keys keep their meaning through it. The contract rules and the
ingestion are checked here directly; the end-to-end checks read the bad-input scenarios
(tests/support/bad_files.py), whose every learner id is an SSN: a transcript CSV, a noncredit CSV, a
PESC transcript and an Open Badge whose subject is known only by studentId, plus the corpus's
rejected rows and quarantined files. No new pipeline run is built for this module.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from dagster_project.identity import is_valid_ssn, local_id_key, person_key, ssn_digits
from dagster_project.landing.context import ProviderDirectory, ReadContext
from dagster_project.landing.contracts import ContractError, contracts, load_contract
from dagster_project.landing.discovery import discover
from dagster_project.landing.ingest import ingest_kind
from dagster_project.landing.readers import reader_for
from dagster_project.landing.registry import load_registry
from dagster_project.project_paths import CONTRACTS_DIR
from dagster_project.settings import Settings
from tests.support.bad_files import (
    BADGE_FILE,
    BASELINE_SCENARIO,
    CORPUS_SCENARIO,
    NONCREDIT_FILE,
    PESC_FILE,
    TRANSCRIPTS_FILE,
    Baseline,
    baseline,
    build_baseline_run,
    build_corpus_run,
    corpus,
)
from tests.support.landing import LandingBuilder
from tests.support.pii import collect_person_data, scan_outputs
from tests.support.pipeline import TEST_KEY, rows_as_dicts
from tests.support.scenarios import Scenario, build_once

LOCAL_ID_LAYOUTS = {
    "transcript_csv": "student_id",
    "noncredit_csv": "learner_id",
    "pesc_xml": "student_id",
    "clr_json": "student_id",
    "ob3_json": "learner_id",
}


# -- the contracts ------------------------------------------------------------------------------------


def test_every_local_id_is_a_pii_column_and_never_a_lake_column() -> None:
    found = {
        c.layout: c.identity.local_id for c in contracts().values() if c.identity and c.identity.local_id
    }
    assert found == LOCAL_ID_LAYOUTS
    registry = load_registry()
    for layout, column in LOCAL_ID_LAYOUTS.items():
        c = registry.contract(layout)
        assert column in c.pii_columns
        lake = [name for name, _type in registry.lake_schema(c.table)]
        assert "local_id_key" in lake and not {"student_id", "learner_id"} & set(lake), layout
    roster = {c.layout for c in contracts().values() if c.identity and c.identity.roster_match}
    assert roster == {"clr_json", "ob3_json"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda ler: ler["columns"][1].update(pii=False), 'must name a column with "pii": true'),
        (lambda ler: ler["identity"].update(local_id="no_such_column"), "must name a column"),
        (lambda ler: ler["identity"].update(local_id=None), "roster_match needs a local_id"),
        (lambda ler: ler["identity"].update(roster_column="learner_id"), "roster_column"),
    ],
)
def test_a_contract_that_would_let_a_local_id_reach_the_lake_is_refused(
    tmp_path: Path,
    change,
    message: str,  # noqa: ANN001 - a function of the meta.ler block
) -> None:
    doc = json.loads((CONTRACTS_DIR / "ob3_json.json").read_text(encoding="utf-8"))
    assert doc["meta"]["ler"]["columns"][1]["name"] == "learner_id"
    change(doc["meta"]["ler"])
    path = tmp_path / "ob3_json.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ContractError, match=message):
        load_contract(path)


# -- ingestion ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Baseline, Path]:
    """The bad-input baseline (every learner id an SSN) through ingestion only."""
    root = tmp_path_factory.mktemp("local_ids")
    base = baseline(root / "landing")
    s = Settings.load(
        {"landing_dir": root / "landing", "warehouse_dir": root / "wh", "hash_key": TEST_KEY}, environ={}
    )
    for kind in ("reference", "transcripts", "noncredit"):
        results = ingest_kind(kind, s, warn=lambda _m: None).files
        assert all(r.status == "LOADED" for r in results), [(r.file.name, r.message) for r in results]
    return base, root


def lake(root: Path, table: str) -> list[dict]:
    folder = (root / "wh" / "lake" / table).as_posix()
    sql = f"select * from read_parquet('{folder}/*.parquet') order by file_seq, line_number"
    return rows_as_dicts(None, sql)


def landed_ids(landing: Path) -> dict[str, list[tuple[str | None, str]]]:
    """(provider_id, local id) of every record, by file, read with the pipeline's own readers."""
    found: dict[str, list[tuple[str | None, str]]] = {}
    registry = load_registry()
    directory = _providers(landing)
    for f in discover(landing, kinds=("transcripts", "noncredit"), registry=registry):
        c = registry.contract(f.layout or "")
        column = LOCAL_ID_LAYOUTS[c.layout]
        for batch in reader_for(c)(f.path, c, ReadContext(providers=directory)):
            table = batch.to_pydict()
            found.setdefault(f.path.name, []).extend(
                (pid, lid) for pid, lid in zip(table["provider_id"], table[column], strict=True)
            )
    return found


def _providers(landing: Path) -> ProviderDirectory:
    with (landing / "reference" / "providers.csv").open(encoding="utf-8") as f:
        return ProviderDirectory.from_rows(csv.DictReader(f))


def test_the_scenario_sends_ssns_as_learner_ids_in_every_format(ingested: tuple[Baseline, Path]) -> None:
    base, root = ingested
    ids = landed_ids(root / "landing")
    assert set(ids) == {TRANSCRIPTS_FILE, PESC_FILE, NONCREDIT_FILE, BADGE_FILE}
    ssns = {p.ssn9 for p in base.people}
    for name, rows in ids.items():
        assert rows and all(is_valid_ssn(lid) and ssn_digits(lid) in ssns for _pid, lid in rows), name
    assert any("-" in lid for _pid, lid in ids[TRANSCRIPTS_FILE])  # dashed ones too


def test_the_lake_holds_each_id_only_as_its_local_id_key(ingested: tuple[Baseline, Path]) -> None:
    """The SQL recipe at ingestion equals identity.local_id_key, for every format; no id in clear."""
    base, root = ingested
    ids = landed_ids(root / "landing")
    tables = {"transcripts": (TRANSCRIPTS_FILE, PESC_FILE), "noncredit": (NONCREDIT_FILE, BADGE_FILE)}
    for table, files in tables.items():
        rows = lake(root, table)
        assert not {"student_id", "learner_id"} & set(rows[0])
        for name in files:
            got = [r["local_id_key"] for r in rows if r["file_name"] == name]
            assert got == [local_id_key(TEST_KEY, pid, lid) for pid, lid in ids[name]], name
    assert scan_outputs(root / "wh", collect_person_data(root / "landing")) == []


def test_a_badge_subject_known_only_by_student_id_is_keyed_by_the_lid_recipe(
    ingested: tuple[Baseline, Path],
) -> None:
    """Its person key is its local_id_key until dbt matches it to the roster (ROSTER_ID): the same
    key its provider's CSV row of that id has, whatever the layout's column is called."""
    base, root = ingested
    (badge,) = [r for r in lake(root, "noncredit") if r["file_name"] == BADGE_FILE]
    learner = base.badge_learner
    expected = local_id_key(TEST_KEY, "P1", learner.ssn9)
    assert (badge["identity_source"], badge["is_ssn_key"]) == ("ROSTER_ID", False)
    assert badge["person_key"] == badge["local_id_key"] == expected
    (csv_row,) = [r for r in lake(root, "noncredit") if r["person_key"] == _ssn_key(learner.ssn9)]
    assert csv_row["local_id_key"] == expected


def _ssn_key(ssn: str | None) -> str | None:
    return person_key(TEST_KEY, ssn, None, None, None)[0]


# -- end to end, on the bad-input scenarios ---------------------------------------------------------------


@pytest.fixture(scope="module")
def description(tmp_path_factory: pytest.TempPathFactory) -> tuple[Baseline, Path]:
    landing = tmp_path_factory.mktemp("local_ids_description") / "landing"
    return baseline(landing), landing


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build_once(tmp_path_factory, BASELINE_SCENARIO, build_baseline_run)


@pytest.fixture(scope="module")
def corpus_run(
    baseline_run: Scenario, description: tuple[Baseline, Path], tmp_path_factory: pytest.TempPathFactory
) -> Scenario:
    files = corpus(description[0])
    return build_once(
        tmp_path_factory, CORPUS_SCENARIO, lambda s: build_corpus_run(s, baseline_run.landing, files)
    )


@pytest.mark.e2e
def test_the_badge_matches_the_roster_and_the_pesc_spell_replaces_the_csv_one(
    baseline_run: Scenario, description: tuple[Baseline, Path]
) -> None:
    base = description[0]
    db = baseline_run.db
    spells = rows_as_dicts(db, "select * from marts.fct_enrollment_spells")
    (badge,) = [s for s in spells if s["source_format"] == "ob3_json"]
    badge_key = _ssn_key(base.badge_learner.ssn9)
    assert (badge["program_id"], badge["identity_source"], badge["is_ssn_key"]) == (
        "CNA",
        "ROSTER_MATCHED",
        True,
    )
    assert badge["person_key"] == badge_key
    assert badge["local_id_key"] == local_id_key(TEST_KEY, "P1", base.badge_learner.ssn9)
    # matched, the badge is the same completer as the CSV credential: nobody unmatchable, 4 completers
    cna = rows_as_dicts(
        db, "select n_completers, n_unmatchable from marts.program_outcomes where program_id = 'CNA'"
    )
    assert cna == [{"n_completers": 4, "n_unmatchable": 0}]
    # the PESC resubmission has the CSV spell's natural key through local_id_key: one spell, PESC's
    weld = [s for s in spells if s["program_id"] == "WELD"]
    assert len(weld) == 12 and len({s["person_key"] for s in weld}) == 12
    (pesc,) = [s for s in weld if s["person_key"] == _ssn_key(base.pesc_learner.ssn9)]
    assert pesc["source_format"] == "pesc_xml"
    wpell = rows_as_dicts(db, "select n_cohort, n_completers_150 from marts.wpell_program_outcomes")
    assert wpell == [{"n_cohort": 12, "n_completers_150": 11}]


@pytest.mark.e2e
def test_ssns_sent_as_learner_ids_are_nowhere_in_the_outputs(corpus_run: Scenario) -> None:
    """Lake, warehouse, published database, exports, logs, quarantine reports, rejected rows, and
    what the run printed: no SSN (nor name, birth date or local id) of any input, in any form."""
    wh = corpus_run.warehouse
    data = collect_person_data(corpus_run.landing)
    ids_as_ssns = {ssn_digits(v) for v in data.local_ids} - {None}
    assert len(ids_as_ssns) >= 20  # the baseline's 16 learners and the corpus's strangers
    # every kind of output exists, so the scan below looks at something
    assert (wh / "published.duckdb").is_file() and list((wh / "exports").glob("*.csv"))
    assert list((wh / "lake" / "transcripts").glob("*.parquet")) and list((wh / "logs").glob("*.log"))
    assert list((wh / "quarantine").rglob("*.errors.txt"))
    rejected = rows_as_dicts(corpus_run.db, "select record from audit.rejected_rows")
    records = [json.loads(r["record"]) for r in rejected]
    assert records and all(
        r.get("student_id", r.get("learner_id")) == "<redacted>"
        for r in records
        if "student_id" in r or "learner_id" in r
    )
    assert any("student_id" in r for r in records)
    output = corpus_run.output
    assert scan_outputs(wh, data, extra_text=output["stdout"] + output["stderr"]) == []


def test_the_finder_sees_local_ids_in_logs_tables_and_parquet(tmp_path: Path) -> None:
    """The scan above is only as good as its finder: a plain local id (not an SSN) and the other
    written form of an SSN sent as a student id are found in a log, a DuckDB table and a Parquet file."""
    import duckdb

    b = LandingBuilder(tmp_path / "landing")
    b.provider("P1")
    b.program("P1", "WELD")
    plain, as_ssn = b.person(), b.person()
    b.transcript("t.csv", plain, "P1", "WELD", date(2021, 9, 1), student_id="PV0000017", ssn="")
    b.transcript("t.csv", as_ssn, "P1", "WELD", date(2021, 9, 1), student_id="521-43-8765", ssn="")
    b.write()
    data = collect_person_data(tmp_path / "landing")
    assert {"PV0000017", "521-43-8765"} <= data.local_ids and "521438765" in data.ssns
    for where in ("log", "table", "parquet"):
        out = tmp_path / where
        out.mkdir()
        con = duckdb.connect(str(out / "w.duckdb") if where == "table" else ":memory:")
        if where == "log":
            (out / "run.log").write_text("matched PV0000017 on line 3\n", encoding="utf-8")
        elif where == "table":
            con.execute("create table t as select ? as record", [json.dumps({"student_id": "PV0000017"})])
        else:
            con.execute(f"copy (select 'key 521438765' as v) to '{(out / 'p.parquet').as_posix()}'")
        con.close()
        assert scan_outputs(out, data), where
