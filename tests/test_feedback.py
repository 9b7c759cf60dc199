"""Feedback to each provider (docs/feedback.md, issue 11 item 5).

Two layers. The rules (which files are whose, rejected rows by field and reason with their lines,
learners without a valid SSN, the change against the previous submission, escaping, spreadsheet-safe
cells, bad input) run on a small hand-made warehouse of two providers whose every number is counted
by hand here: no pipeline run. The end-to-end tests read the feedback that the `feedback` asset wrote
during the session's `ler run` of the worked example v2 (five providers, a quarantined transcript
file), scan it for personal data, and check no provider's folder mentions another's files.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import main
from dagster_project.feedback.write import PAGE, UNATTRIBUTED, feedback_root, provider_folder
from dagster_project.project_paths import PROJECT_DIR
from tests.support.pipeline import ler_command, ler_environ
from tests.support.scenarios import Scenario, copy_scenario

RUN1 = ("run-1", datetime(2025, 9, 1, 3, 0, tzinfo=UTC))
SSN, NAME, BIRTH = "219-09-9999", "Zebulon", "1990-04-01"  # in rejected records: must never show
A_FILES = {
    "TRN_A_2024_20250101.csv": ("transcripts", "LOADED_WITH_REJECTS", 10, 8, 2, 0, "2 row(s) rejected, "
                                "see audit.rejected_rows"),
    "nc_fall_20250102.csv": ("noncredit", "LOADED", 4, 4, 0, 0, ""),
    "TRN_A_extra_20250103.csv": ("transcripts", "QUARANTINED", 0, 0, 0, 0,
                                 "line 1: missing required column(s): program_id"),
    "nc_fall_copy_20250104.csv": ("noncredit", "DUPLICATE", 0, 0, 0, 0,
                                  "same content (SHA-256) as nc_fall_20250102.csv, already loaded"),
    "=HYPERLINK(x)_20250105.csv": ("transcripts", "QUARANTINED", 3, 0, 3, 0,
                                   "3 of 3 rows rejected (100.0%), more than the 10% allowed"),
}
B_FILES = {
    "TRN_B_2024_20250101.csv": ("transcripts", "LOADED", 5, 5, 0, 0, ""),
    "<b>B</b>_20250106.csv": ("transcripts", "QUARANTINED", 0, 0, 0, 0, "empty file: no header row"),
}
OTHER_FILES = {
    "mystery_20250107.csv": ("transcripts", "QUARANTINED", 0, 0, 0, 0, "binary content (NUL bytes)"),
    "A_B_joint_20250108.csv": ("noncredit", "QUARANTINED", 0, 0, 0, 0, "no data rows"),  # names both
    "wages_2024Q4_20250110.csv": ("wages", "LOADED", 7, 7, 0, 0, ""),  # not a provider's folder
}


def record(provider: str) -> str:
    return json.dumps({"provider_id": provider, "ssn": SSN, "first_name": NAME, "birth_date": BIRTH})


def build_warehouse(folder: Path, *, run: tuple[str, datetime] = RUN1, a_files: dict | None = None,
                    a_records: list | None = None) -> Path:
    """A warehouse with just the tables the feedback reads, for providers A and B (hand-counted)."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "warehouse.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    for schema in ("audit", "intermediate", "marts"):
        con.execute(f"create schema {schema}")
    con.execute("""create table audit.load_manifest (file_name varchar, file_path varchar, sha256 varchar,
        source_kind varchar, file_format varchar, status varchar, rows_read bigint, rows_loaded bigint,
        rows_rejected bigint, rows_duplicate bigint, received_at timestamptz, message varchar,
        file_seq integer, layout varchar)""")
    files = {**(A_FILES if a_files is None else a_files), **B_FILES, **OTHER_FILES}
    for seq, (name, (kind, status, read, loaded, rejected, dup, message)) in enumerate(files.items(), 1):
        digest = "same-as-fall" if name.startswith("nc_fall") else f"sha-{name}"
        con.execute("insert into audit.load_manifest values (?, ?, ?, ?, 'csv', ?, ?, ?, ?, ?, ?, ?, ?, "
                    "'transcript_csv')", [name, f"/landing/{kind}/{name}", digest, kind, status, read, loaded,
                                          rejected, dup, datetime(2025, 1, seq, tzinfo=UTC), message, seq])
    con.execute("create table audit.rejected_rows (file_name varchar, line_number bigint, field varchar, "
                "reason varchar, record varchar)")
    con.executemany("insert into audit.rejected_rows values (?, ?, ?, ?, ?)", [
        ("TRN_A_2024_20250101.csv", 4, "sex", "sex: not in the code list; birth_date: not a date",
         record("A")),
        ("TRN_A_2024_20250101.csv", 9, "sex", "sex: not in the code list", record("A")),
        # its name names nobody: the one rejected row naming a known provider (A) decides
        ("=HYPERLINK(x)_20250105.csv", 2, "provider_id", "provider_id: not in providers.csv", record("A")),
        ("=HYPERLINK(x)_20250105.csv", 3, "provider_id", "provider_id: not in providers.csv", record("AX")),
        ("=HYPERLINK(x)_20250105.csv", 4, "provider_id", "provider_id: not in providers.csv", record("AX")),
    ])
    con.execute("create table intermediate.int_education__records (file_name varchar, provider_id varchar, "
                "person_key varchar, is_ssn_key boolean)")
    a_rows = a_records if a_records is not None else (
        [("TRN_A_2024_20250101.csv", "A", f"k{i}", i not in (3, 5)) for i in range(8)]  # 8 learners, 2 no SSN
        + [("nc_fall_20250102.csv", "A", k, True) for k in ("k0", "k1", "n1", "n2")]  # 3 new learners
    )
    con.executemany("insert into intermediate.int_education__records values (?, ?, ?, ?)", a_rows + [
        ("TRN_B_2024_20250101.csv", "B", f"b{i}", i != 0) for i in range(5)
    ] + [("TRN_B_2024_20250101.csv", "A", "k0", True)])  # one A row inside B's file: B still sent it
    con.execute("create table marts.dim_providers (provider_id varchar, provider_name varchar)")
    con.executemany("insert into marts.dim_providers values (?, ?)",
                    [("A", "Alpha <College> & Sons"), ("B", "Beta Institute")])
    con.execute("create table marts.dq_unmapped_codes (code_system varchar, source_code varchar, "
                "provider_id varchar, n_records bigint, first_file_name varchar)")
    con.executemany("insert into marts.dq_unmapped_codes values (?, ?, ?, ?, ?)", [
        ("IPEDS_AWARD_LEVEL", "=1+1", "A", 3, "TRN_A_2024_20250101.csv"),
        ("PESC_AWARD_LEVEL", "ZZ", "B", 1, "TRN_B_2024_20250101.csv"),
    ])
    con.execute("create table marts.dq_issues (error_code varchar, severity varchar, message varchar, "
                "provider_id varchar, file_name varchar, n_records bigint)")
    con.executemany("insert into marts.dq_issues values (?, ?, ?, ?, ?, ?)", [
        ("NO_CATALOG_MATCH", "WARNING", "credential matches no program", "A", "nc_fall_20250102.csv", 2),
        ("NO_PROOF", "INFO", "no proof", "B", "TRN_B_2024_20250101.csv", 5),
    ])
    con.execute("create table marts.run_metadata (run_id varchar, finished_at timestamptz)")
    con.execute("insert into marts.run_metadata values (?, ?)", list(run))
    con.close()
    return folder


@pytest.fixture
def run_feedback(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """`ler feedback ...` in this process: (exit code, stdout + stderr)."""
    for name in [n for n in os.environ if n.startswith("LER_")]:
        monkeypatch.delenv(name)

    def run(*argv: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(["feedback", *argv])
        out = capsys.readouterr()
        return code, out.out + out.err

    return run


def read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def folder_text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file())


def all_written(warehouse: Path) -> None:
    from dagster_project.feedback.write import write_all

    con = duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True)
    try:
        write_all(con, warehouse)
    finally:
        con.close()


# -- the rules, on a hand-made warehouse ------------------------------------------------------------
def test_files_are_attributed_by_rows_content_and_name(tmp_path: Path) -> None:
    wh = build_warehouse(tmp_path / "wh")
    all_written(wh)
    a = {r["file_name"]: r for r in read_csv(provider_folder(feedback_root(wh), "A") / "files.csv")}
    assert {n: r["attributed_by"] for n, r in a.items()} == {
        "TRN_A_2024_20250101.csv": "ROWS",
        "nc_fall_20250102.csv": "ROWS",
        "TRN_A_extra_20250103.csv": "FILE_NAME",  # quarantined whole: no rows, the code in its name
        "nc_fall_copy_20250104.csv": "SAME_CONTENT",  # a duplicate of A's loaded file
        "'=HYPERLINK(x)_20250105.csv": "ROWS",  # its one rejected row naming a known provider; neutralized
    }
    b = [r["file_name"] for r in read_csv(provider_folder(feedback_root(wh), "B") / "files.csv")]
    assert b == ["TRN_B_2024_20250101.csv", "<b>B</b>_20250106.csv"]  # B's own; the A row inside stays B's
    # nobody's: no rows, no twin, and a name with no provider code or with two; wage files are not providers'
    office = read_csv(feedback_root(wh) / UNATTRIBUTED)
    assert [r["file_name"] for r in office] == ["mystery_20250107.csv", "A_B_joint_20250108.csv"]


def test_statuses_why_and_no_pointer_to_restricted_tables(tmp_path: Path) -> None:
    wh = build_warehouse(tmp_path / "wh")
    all_written(wh)
    folder = provider_folder(feedback_root(wh), "A")
    files = {r["file_name"]: r for r in read_csv(folder / "files.csv")}
    assert files["TRN_A_2024_20250101.csv"]["message"] == "2 row(s) rejected"
    assert files["TRN_A_extra_20250103.csv"]["message"] == "line 1: missing required column(s): program_id"
    loaded = files["TRN_A_2024_20250101.csv"]
    assert (loaded["status"], loaded["rows_rejected"]) == ("LOADED_WITH_REJECTS", "2")
    assert "audit." not in folder_text(folder)


def test_rejected_rows_by_field_and_reason_with_lines_never_values(tmp_path: Path) -> None:
    wh = build_warehouse(tmp_path / "wh")
    all_written(wh)
    folder = provider_folder(feedback_root(wh), "A")
    rejected = [(r["file_name"], r["line_number"], r["field"], r["reason"])
                for r in read_csv(folder / "rejected_rows.csv")]
    assert rejected == [
        ("'=HYPERLINK(x)_20250105.csv", "2", "provider_id", "not in providers.csv"),
        ("'=HYPERLINK(x)_20250105.csv", "3", "provider_id", "not in providers.csv"),
        ("'=HYPERLINK(x)_20250105.csv", "4", "provider_id", "not in providers.csv"),
        ("TRN_A_2024_20250101.csv", "4", "sex", "not in the code list"),
        ("TRN_A_2024_20250101.csv", "4", "birth_date", "not a date"),
        ("TRN_A_2024_20250101.csv", "9", "sex", "not in the code list"),
    ]
    by_reason = [(r["file_name"], r["field"], r["reason"], r["n_rows"], r["lines"])
                 for r in read_csv(folder / "rejections_by_reason.csv")]
    assert by_reason == [
        ("'=HYPERLINK(x)_20250105.csv", "provider_id", "not in providers.csv", "3", "2, 3, 4"),
        ("TRN_A_2024_20250101.csv", "birth_date", "not a date", "1", "4"),
        ("TRN_A_2024_20250101.csv", "sex", "not in the code list", "2", "4, 9"),
    ]
    text = folder_text(folder)
    for value in (SSN, SSN.replace("-", ""), NAME, BIRTH, "AX"):
        assert value not in text


def test_learners_without_valid_ssn_unmapped_codes_and_notes(tmp_path: Path) -> None:
    wh = build_warehouse(tmp_path / "wh")
    all_written(wh)
    folder = provider_folder(feedback_root(wh), "A")
    summary = {r["measure"]: r for r in read_csv(folder / "summary.csv")}
    # A's learners: k0..k7 (k3, k5 without SSN) + n1, n2; k0 again in B's file is A's record too
    assert (summary["learners"]["now"], summary["learners_without_valid_ssn"]["now"]) == ("10.0", "2.0")
    assert summary["share_without_valid_ssn"]["now"] == "0.2"
    assert summary["files_received"]["now"] == "5.0" and summary["files_quarantined"]["now"] == "2.0"
    assert summary["rows_rejected"]["now"] == "5.0" and summary["data_quality_warnings"]["now"] == "2.0"
    assert summary["learners"]["previous_submission"] == "" and summary["learners"]["change"] == ""
    codes = read_csv(folder / "unmapped_codes.csv")
    assert [(c["code_system"], c["source_code"], c["n_records"]) for c in codes] == [
        ("IPEDS_AWARD_LEVEL", "'=1+1", "3")]  # a code that is a formula is shown as text
    assert [i["error_code"] for i in read_csv(folder / "data_quality.csv")] == ["NO_CATALOG_MATCH"]
    assert "ZZ" not in folder_text(folder) and "NO_PROOF" not in folder_text(folder)  # B's


def test_provider_a_holds_nothing_of_provider_b(tmp_path: Path) -> None:
    wh = build_warehouse(tmp_path / "wh")
    all_written(wh)
    a = folder_text(provider_folder(feedback_root(wh), "A"))
    b = folder_text(provider_folder(feedback_root(wh), "B"))
    for of_b in ("TRN_B_2024", "&lt;b&gt;B", "<b>B</b>", "Beta Institute", "ZZ", "NO_PROOF", "empty file"):
        assert of_b not in a, of_b
    for of_a in ("TRN_A_", "nc_fall", "HYPERLINK", "Alpha", "NO_CATALOG_MATCH", "program_id"):
        assert of_a not in b, of_a
    for office_only in ("mystery", "A_B_joint", "wages_2024Q4"):
        assert office_only not in a and office_only not in b


def test_html_is_self_contained_and_escaped(tmp_path: Path) -> None:
    wh = build_warehouse(tmp_path / "wh")
    all_written(wh)
    page = (provider_folder(feedback_root(wh), "A") / PAGE).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<title>" in page
    assert "Alpha &lt;College&gt; &amp; Sons (A)" in page and "<College>" not in page
    lowered = page.lower()
    for fetched in ("<script", "src=", "href=", "http://", "https://", "@import", "url("):
        assert fetched not in lowered, fetched
    assert "2 of your 10 learners (20.0 %) have no valid SSN" in page
    assert "4, 9" in page and "not in the code list" in page
    b_page = (provider_folder(feedback_root(wh), "B") / PAGE).read_text(encoding="utf-8")
    assert "&lt;b&gt;B&lt;/b&gt;_20250106.csv" in b_page and "<b>B</b>" not in b_page


def test_change_against_the_previous_submission(tmp_path: Path, run_feedback) -> None:
    """Run 1; run 2 with the same files (a rerun: nothing to compare yet, history not grown); run 3
    with a corrected file and a new one: compared with run 2's submission; run 4, the same files
    again: still compared with the submission before run 3's, never with itself."""
    wh = tmp_path / "wh"
    folder = provider_folder(feedback_root(wh), "A")
    build_warehouse(wh)
    assert run_feedback("A", "--warehouse", str(wh))[0] == 0
    build_warehouse(wh, run=("run-2", datetime(2025, 9, 2, tzinfo=UTC)))
    code, out = run_feedback("A", "--warehouse", str(wh))
    assert code == 0 and "first submission on record" in out, out
    assert len(list((folder / "history").glob("*.json"))) == 1

    corrected = dict(A_FILES)
    corrected["TRN_A_2024_20250201.csv"] = ("transcripts", "LOADED", 10, 10, 0, 0, "")
    corrected["nc_spring_20250202.csv"] = ("noncredit", "LOADED", 2, 2, 0, 0, "")
    del corrected["TRN_A_2024_20250101.csv"]
    records = [("TRN_A_2024_20250201.csv", "A", f"k{i}", i != 3) for i in range(8)] + [
        ("nc_fall_20250102.csv", "A", k, True) for k in ("k0", "k1", "n1", "n2")] + [
        ("nc_spring_20250202.csv", "A", "k1", True), ("nc_spring_20250202.csv", "A", "n1", True)]
    for run in (("run-3", datetime(2025, 10, 1, tzinfo=UTC)), ("run-4", datetime(2025, 10, 2, tzinfo=UTC))):
        build_warehouse(wh, run=run, a_files=corrected, a_records=records)
        code, out = run_feedback("A", "--warehouse", str(wh))
        assert code == 0 and "compared with the submission as of 2025-09-02" in out, out
        summary = {r["measure"]: r for r in read_csv(folder / "summary.csv")}
        assert (summary["rows_rejected"]["now"], summary["rows_rejected"]["previous_submission"],
                summary["rows_rejected"]["change"]) == ("3.0", "5.0", "-2.0")  # a number, not text
        assert (summary["learners"]["now"], summary["learners"]["previous_submission"],
                summary["learners"]["change"]) == ("10.0", "10.0", "0.0")
        assert summary["learners_without_valid_ssn"]["now"] == "1.0"
        assert summary["share_without_valid_ssn"]["change"] == "-0.1"
        assert summary["files_received"]["change"] == "1.0"
        page = (folder / PAGE).read_text(encoding="utf-8")
        assert "Files new or changed since then:</p><ul><li>TRN_A_2024_20250201.csv</li>" \
               "<li>nc_spring_20250202.csv</li></ul>" in page
        assert "Files no longer sent:</p><ul><li>TRN_A_2024_20250101.csv</li></ul>" in page
    assert len(list((folder / "history").glob("*.json"))) == 2  # one summary per submission


def test_a_provider_code_cannot_point_outside_the_feedback_area(tmp_path: Path) -> None:
    root = tmp_path / "feedback"
    assert provider_folder(root, "PVCC") == root / "PVCC"
    for odd in ("../etc", "a/b", ".", "..", "x y", "é"):
        folder = provider_folder(root, odd)
        assert folder.parent == root and folder.name.startswith("provider-"), odd


# -- `ler feedback`: bad input gets one plain line ----------------------------------------------------
def test_unknown_provider_and_missing_warehouse_exit_2(tmp_path: Path, run_feedback) -> None:
    wh = build_warehouse(tmp_path / "wh")
    code, out = run_feedback("NOPE", "--warehouse", str(wh))
    assert (code, out) == (2, "ler feedback: unknown provider 'NOPE': the last run's providers.csv lists "
                              "A, B\n")
    code, out = run_feedback("A", "--warehouse", str(tmp_path / "none"))
    assert code == 2 and out.count("\n") == 1 and "run `ler run` first" in out, out
    old = tmp_path / "old"
    old.mkdir()
    duckdb.connect(str(old / "warehouse.duckdb")).close()
    code, out = run_feedback("A", "--warehouse", str(old))
    assert code == 2 and out.count("\n") == 1 and "run `ler run` first" in out, out
    assert not (feedback_root(wh) / "NOPE").exists()


def test_a_busy_warehouse_exits_1(tmp_path: Path, run_feedback) -> None:
    wh = build_warehouse(tmp_path / "wh")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from dagster_project.run_lock import holding\n"
         f"with holding(Path({str(wh)!r}), 'other-run'):\n    print('held', flush=True); time.sleep(60)"],
        cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        code, out = run_feedback("A", "--warehouse", str(wh))
    finally:
        holder.kill()
        holder.wait()
    assert code == 1 and out.count("\n") == 1 and "in use by another run" in out and "other-run" in out, out


def test_the_feedback_is_written_owner_only(tmp_path: Path) -> None:
    """The installed command, started with a permissive umask: the feedback is restricted."""
    wh = build_warehouse(tmp_path / "wh")
    proc = subprocess.run(ler_command("feedback", "A", "--warehouse", str(wh)), env=ler_environ(),
                          capture_output=True, text=True, timeout=120, preexec_fn=lambda: os.umask(0o022))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    root = feedback_root(wh)
    assert root.stat().st_mode & 0o077 == 0
    for path in root.rglob("*"):
        assert path.stat().st_mode & 0o077 == 0, path


# -- end to end: the feedback every run writes (worked example v2) ------------------------------------
@pytest.mark.e2e
def test_every_run_writes_each_providers_feedback(example_v2_run: Scenario) -> None:
    root = feedback_root(example_v2_run.warehouse)
    con = duckdb.connect(str(example_v2_run.db), read_only=True)
    try:
        providers = [r[0] for r in con.execute("select provider_id from marts.dim_providers").fetchall()]
        by_provider = dict(con.execute(
            "select provider_id, count(*) from audit.load_manifest m join (select distinct file_name, "
            "provider_id from intermediate.int_education__records) using (file_name) group by all"
        ).fetchall())
    finally:
        con.close()
    assert sorted(providers) == ["MWTC", "PVCC", "RBTC", "SUN", "TCAA"]
    for pid in providers:
        folder = root / pid
        assert (folder / PAGE).is_file() and len(list((folder / "history").glob("*.json"))) == 1
        files = read_csv(folder / "files.csv")
        assert sum(1 for f in files if f["attributed_by"] == "ROWS") == by_provider[pid]
    pvcc = {f["file_name"]: f for f in read_csv(root / "PVCC" / "files.csv")}
    extra = pvcc["TRN_PVCC_extra_20250901.csv"]  # quarantined: a required column is missing
    assert (extra["status"], extra["attributed_by"], extra["message"]) == (
        "QUARANTINED", "FILE_NAME", "line 1: missing required column(s): program_id")
    assert read_csv(root / UNATTRIBUTED) == []
    # no wage file reaches any provider's feedback (the UI agency is not a provider)
    sent = [f["file_name"] for pid in providers for f in read_csv(root / pid / "files.csv")]
    assert sent and not [name for name in sent if "wage" in name.lower()]


@pytest.mark.e2e
def test_the_feedback_holds_no_personal_data_and_nothing_of_other_providers(example_v2_run: Scenario) -> None:
    from tests.support.pii import collect_person_data, scan_outputs

    root = feedback_root(example_v2_run.warehouse)
    assert scan_outputs(root, collect_person_data(example_v2_run.landing)) == []
    folders = {p.name: p for p in root.iterdir() if p.is_dir()}
    files = {pid: {f["file_name"] for f in read_csv(folder / "files.csv")} for pid, folder in folders.items()}
    for pid, folder in folders.items():
        text = folder_text(folder)
        for other, names in files.items():
            if other != pid:
                assert not [n for n in names if n in text], (pid, other)
                assert other not in text, (pid, other)


@pytest.mark.e2e
def test_ler_feedback_rewrites_one_provider_from_the_last_run(example_v2_run: Scenario, tmp_path: Path,
                                                               run_feedback) -> None:
    copy = copy_scenario(example_v2_run, tmp_path / "copy")
    folder = feedback_root(copy.warehouse) / "PVCC"
    before = {p.name: p.read_bytes() for p in folder.glob("*.csv")}
    started = time.monotonic()
    code, out = run_feedback("PVCC", "--warehouse", str(copy.warehouse))
    assert code == 0 and out.startswith(f"ler feedback: PVCC: {folder / PAGE} and its CSV files (10 file(s), "
                                        "1 quarantined, 0 row(s) rejected; first submission on record)"), out
    assert time.monotonic() - started < 30
    assert {p.name: p.read_bytes() for p in folder.glob("*.csv")} == before  # the same run, the same feedback
    assert len(list((folder / "history").glob("*.json"))) == 1
