"""`ler validate FILE` (docs/submission_manual.md §5, issue 11 item 6): checks one submission the way
the pipeline would, prints every problem with its line number ("would load" wording, no pointer to
restricted tables), warns about what loads but costs a learner later (invalid SSNs, dates out of
order), names a wrong delimiter, a typo in the header and a file of another layout, prints the same
report as JSON with `--json`, exits 1 when the file would be quarantined, echoes no PII, and never
touches the file or the landing zone.

The cases call `dagster_project.cli.main` in this process (one Python for many calls); two tests run
the installed `ler` command itself, for its exit codes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from dagster_project.cli import main
from dagster_project.cli.validate import NO_REFERENCE
from dagster_project.landing.ingest import ingest_kind
from dagster_project.settings import Settings
from tests.support.bad_files import csv_bytes, csv_pii_values, needles
from tests.support.landing import TRANSCRIPT_COLUMNS, WAGE_COLUMNS, LandingBuilder, Person
from tests.support.pipeline import TEST_KEY

LER = Path(sys.executable).parent / "ler"


@dataclass
class Validated:
    code: int
    out: str  # stdout + stderr

    def lines(self) -> list[str]:
        return [line.strip() for line in self.out.splitlines()]


def tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"", p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


@dataclass
class Zone:
    root: Path
    landing: Path
    people: list[Person]
    builder: LandingBuilder
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]

    def run(self, path: Path, *args: str, landing_env: bool = False, installed: bool = False) -> Validated:
        """`ler validate` as an institution would run it (in this process, or the installed command);
        checks the file and the landing zone are untouched and nothing is written to the working
        directory."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("LER_")}
        if landing_env:
            env["LER_LANDING_DIR"] = str(self.landing)
        cwd = self.root / "cwd"
        cwd.mkdir(exist_ok=True)
        before_file, before_zone = (path.read_bytes(), path.stat().st_mtime_ns), tree(self.landing)
        argv = ["validate", str(path), *args]
        if installed:
            proc = subprocess.run([str(LER), *argv], env=env, cwd=cwd, capture_output=True, text=True,
                                  timeout=300)
            result = Validated(proc.returncode, proc.stdout + proc.stderr)
        else:
            result = self._in_process(argv, env, cwd)
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before_file, "the file was modified"
        assert tree(self.landing) == before_zone, "the landing zone was modified"
        assert list(cwd.iterdir()) == [], "ler validate wrote to the working directory"
        leaked = [v for v in self.pii(path) if v in result.out]
        assert not leaked, (leaked, result.out)
        return result

    def _in_process(self, argv: list[str], env: dict[str, str], cwd: Path) -> Validated:
        with self.monkeypatch.context() as m:
            for name in [n for n in os.environ if n.startswith("LER_")]:
                m.delenv(name)
            for name, value in env.items():
                if name.startswith("LER_"):
                    m.setenv(name, value)
            m.chdir(cwd)
            self.capsys.readouterr()
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse's usage errors
                code = int(exc.code or 0)
            captured = self.capsys.readouterr()
        return Validated(code, captured.out + captured.err)

    def pii(self, path: Path) -> set[str]:
        return needles(self.people) | csv_pii_values(path.read_bytes())

    def transcripts(self, name: str, rows: list[dict], columns: list[str] = TRANSCRIPT_COLUMNS) -> Path:
        path = self.landing / "transcripts" / name
        path.write_bytes(csv_bytes(columns, rows))
        return path


@pytest.fixture
def zone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Zone:
    landing = tmp_path / "landing"
    b = LandingBuilder(landing)
    b.provider("P1")
    b.program("P1", "WELD")
    people = [b.person() for _ in range(20)]
    for p in people:
        b.transcript("base.csv", p, "P1", "WELD", date(2021, 9, 1), award=date(2021, 11, 10))
    b.write()
    return Zone(tmp_path, landing, people, b, monkeypatch, capsys)


def rows(zone: Zone, **bad_by_line: dict[str, str]) -> list[dict]:
    """The 20 base rows, with some values replaced on the given lines (`line_5={"sex": "Q"}`)."""
    out = [dict(r) for r in zone.builder.files[("transcripts", "base.csv")]]
    for key, values in bad_by_line.items():
        out[int(key.removeprefix("line_")) - 2].update(values)
    return out


def test_good_file_exits_0(zone: Zone) -> None:
    """The installed command, as an institution runs it."""
    path = zone.transcripts("good_20240101.csv", rows(zone))
    v = zone.run(path, "--reference", str(zone.landing / "reference"), installed=True)
    assert v.code == 0, v.out
    assert "good_20240101.csv: would be LOADED (transcript_csv): every row would load" in v.out
    assert "would load 20, rejected 0" in v.out
    assert not [line for line in v.lines() if line.startswith("line ")]


def test_a_few_bad_rows_are_each_printed_with_line_number(zone: Zone) -> None:
    path = zone.transcripts("few_bad.csv", rows(zone, line_5={"birth_date": "1980-02-31"},
                                                line_9={"sex": "Q"}))
    v = zone.run(path, "--reference", str(zone.landing / "reference"))
    assert v.code == 0, v.out
    assert "LOADED_WITH_REJECTS" in v.out and "would load 18, rejected 2" in v.out
    problems = [line for line in v.lines() if line.startswith("line ")]
    assert len(problems) == 2, v.out
    assert problems[0].startswith("line 5: birth_date:") and "not a date" in problems[0]
    assert problems[1].startswith("line 9: sex:")
    assert "1980-02-31" not in v.out  # the bad birth date is PII too
    assert "audit." not in v.out and "see " not in v.out  # no pointer to tables a clerk cannot open


def test_file_that_would_be_quarantined_exits_1_listing_every_line(zone: Zone) -> None:
    bad = {"line_3": {"race_ethnicity": "NOPE"}, "line_7": {"award_level": "99"},
           "line_12": {"enrollment_start_date": "2021-02-30"}}
    path = zone.transcripts("mostly_bad.csv", rows(zone, **bad))
    v = zone.run(path, "--reference", str(zone.landing / "reference"))
    assert v.code == 1, v.out
    assert "QUARANTINED" in v.out and "3 of 20 rows rejected" in v.out
    problems = [line for line in v.lines() if line.startswith("line ")]
    assert [p.split(":")[0] for p in problems] == ["line 3", "line 7", "line 12"]
    assert "race_ethnicity" in problems[0] and "award_level" in problems[1]
    assert "enrollment_start_date" in problems[2]


def test_missing_required_column_exits_1_naming_it(zone: Zone) -> None:
    columns = [c for c in TRANSCRIPT_COLUMNS if c != "award_level"]
    path = zone.transcripts("no_level.csv", rows(zone), columns)
    v = zone.run(path)
    assert v.code == 1, v.out
    assert "QUARANTINED" in v.out and "missing required column" in v.out and "award_level" in v.out


def test_structural_problem_is_printed_with_its_line_number(zone: Zone) -> None:
    """§9: 'prints each problem with its line number' - a header problem is on line 1."""
    columns = [c for c in TRANSCRIPT_COLUMNS if c != "award_level"]
    path = zone.transcripts("no_level_header.csv", rows(zone), columns)
    v = zone.run(path)
    assert v.code == 1, v.out
    assert any(line.startswith("line 1") and "award_level" in line for line in v.lines()), v.out


def test_short_row_and_binary_file(zone: Zone) -> None:
    good = csv_bytes(TRANSCRIPT_COLUMNS, rows(zone))
    p = zone.people[0]
    short = zone.landing / "transcripts" / "short.csv"
    short.write_bytes(good + f"P1,S9,{p.ssn},{p.first_name},{p.last_name}\n".encode())
    v = zone.run(short)
    assert v.code == 0, v.out  # 1 of 21 rejected: loads with rejects
    assert any(line.startswith("line 22:") and "fields" in line for line in v.lines()), v.out

    binary = zone.landing / "transcripts" / "binary.csv"
    binary.write_bytes(b"\x00\xff\x00" * 50)
    v = zone.run(binary)
    assert v.code == 1 and "binary" in v.out, v.out


def test_reference_codes_checked_only_with_reference(zone: Zone) -> None:
    path = zone.transcripts("unknown_program.csv", rows(zone, line_4={"program_id": "NOSUCH"}))
    without = zone.run(path)
    assert without.code == 0 and "not checked" in without.out, without.out
    assert not [line for line in without.lines() if line.startswith("line ")]

    with_ref = zone.run(path, "--reference", str(zone.landing / "reference"))
    assert with_ref.code == 0, with_ref.out
    assert any(line.startswith("line 4: program_id:") for line in with_ref.lines()), with_ref.out

    from_env = zone.run(path, landing_env=True)  # default: LER_LANDING_DIR/reference
    assert any(line.startswith("line 4: program_id:") for line in from_env.lines()), from_env.out


def test_kind_flag_for_a_file_outside_the_landing_zone(zone: Zone) -> None:
    p = zone.people[1]
    outside = zone.root / "outbox" / "q3_report.csv"
    outside.parent.mkdir()
    wage_rows = [
        {"ssn": p.ssn, "last_name": p.last_name, "first_name": p.first_name, "employer_account": "E1",
         "year": "2023", "quarter": str(q), "wages": "1000.00"} for q in (1, 2, 3, 4)
    ] * 3
    wage_rows[5] = dict(wage_rows[5], ssn="666-01-2345", year="2024")  # an invalid SSN: a wage reject
    outside.write_bytes(csv_bytes(WAGE_COLUMNS, wage_rows))

    no_kind = zone.run(outside, installed=True)  # the installed command's usage exit code
    assert no_kind.code == 2 and "--kind" in no_kind.out, no_kind.out
    bad_kind = zone.run(outside, "--kind", "payroll")
    assert bad_kind.code == 2 and "invalid choice" in bad_kind.out, bad_kind.out

    v = zone.run(outside, "--kind", "wages")
    assert v.code == 0, v.out
    assert "rejected 1, exact duplicates 7" in v.out  # 12 lines: 4 distinct + 7 repeats + 1 reject
    assert any(line.startswith("line 7: ssn:") for line in v.lines()), v.out
    assert "666-01-2345" not in v.out and "666012345" not in v.out
    assert not (outside.parent / "warehouse").exists()


def test_validate_agrees_with_the_pipeline(zone: Zone, tmp_path: Path) -> None:
    """The status `ler validate` announces is the one ingestion gives the same file."""
    files = {
        "ok.csv": rows(zone, line_2={"credits_attempted": "11"}),  # not a byte copy of base.csv
        "some_bad.csv": rows(zone, line_2={"sex": "?"}),
        "too_bad.csv": rows(zone, line_2={"sex": "?"}, line_3={"sex": "?"}, line_4={"sex": "?"}),
    }
    announced = {}
    for name, content in files.items():
        path = zone.transcripts(name, content)
        v = zone.run(path, "--reference", str(zone.landing / "reference"))
        announced[name] = v.out.splitlines()[0].split(": would be ")[1].split(" ")[0]
    overrides = {"landing_dir": zone.landing, "warehouse_dir": tmp_path / "wh", "hash_key": TEST_KEY}
    settings = Settings.load(overrides, environ={})
    ingest_kind("reference", settings, warn=lambda _m: None)
    report = ingest_kind("transcripts", settings, warn=lambda _m: None)
    statuses = {r.file.name: r.status for r in report.files}
    assert announced == {name: statuses[name] for name in files}
    assert announced == {"ok.csv": "LOADED", "some_bad.csv": "LOADED_WITH_REJECTS",
                         "too_bad.csv": "QUARANTINED"}


# -- what a registrar's clerk needs (issue 11 item 6) ---------------------------------------------
def problem_lines(v: Validated) -> list[str]:
    return [line for line in v.lines() if line.startswith(("line ", "error: ", "warning: "))]


def test_invalid_ssn_is_a_warning_with_its_line_and_no_value(zone: Zone) -> None:
    """An education row with an invalid SSN loads (the SSN counts as unknown, §5) and the learner
    becomes unmatchable: a warning on its line, the SSN never printed."""
    path = zone.transcripts("bad_ssn.csv", rows(zone, line_4={"ssn": "666-12-3456"},
                                                line_11={"ssn": "12345"}, line_13={"ssn": ""}))
    v = zone.run(path, "--reference", str(zone.landing / "reference"))
    assert v.code == 0, v.out
    assert "would be LOADED (transcript_csv)" in v.out and "would load 20, rejected 0" in v.out
    warned = [line for line in problem_lines(v) if "not a valid SSN" in line]
    assert [w.split(":")[0] for w in warned] == ["line 4", "line 11"], v.out
    assert all(w.startswith(f"{w.split(':')[0]}: warning: ssn: ") and "unmatchable" in w for w in warned)
    assert "warning: ssn: 1 row(s) without an SSN" in v.out  # blank is allowed, but counted
    assert "666-12-3456" not in v.out and "666123456" not in v.out and "12345 " not in v.out


def test_award_before_start_and_end_before_start_are_flagged(zone: Zone) -> None:
    path = zone.transcripts("dates.csv", rows(zone, line_3={"award_date": "2021-08-31"},
                                              line_6={"enrollment_end_date": "2021-08-01"},
                                              line_8={"award_date": "2021-09-01"}))  # the same day is fine
    v = zone.run(path, "--reference", str(zone.landing / "reference"))
    assert v.code == 0 and "would load 20, rejected 0" in v.out, v.out
    assert problem_lines(v) == [
        "line 3: warning: award_date: before enrollment_start_date: award dated before the enrollment "
        "started",
        "line 6: warning: enrollment_end_date: before enrollment_start_date: enrollment ends before it "
        "starts",
    ], v.out


def test_noncredit_dates_out_of_order_are_flagged(zone: Zone) -> None:
    from tests.support.landing import NONCREDIT_COLUMNS

    p = zone.people[0]
    base = {"provider_id": "P1", "learner_id": "L1", "ssn": p.ssn, "first_name": p.first_name,
            "last_name": p.last_name, "birth_date": p.birth_date, "program_id": "WELD",
            "cip_code": "48.0508", "start_date": "2022-03-01"}
    nc = [dict(base, learner_id=f"L{i}") for i in range(12)]
    nc[2].update(credential_date="2022-02-01", credential_type="IND_CERT")
    nc[5].update(end_date="2022-01-15")
    path = zone.landing / "noncredit" / "nc.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(csv_bytes(NONCREDIT_COLUMNS, nc))
    v = zone.run(path)
    assert v.code == 0, v.out
    dated = [line for line in problem_lines(v) if line.startswith("line ")]
    assert dated == [
        "line 4: warning: credential_date: before start_date: credential dated before the program started",
        "line 7: warning: end_date: before start_date: program ends before it starts",
    ], v.out


@pytest.mark.parametrize(("delimiter", "named"), [(";", "semicolons (;)"), ("\t", "tabs")])
def test_a_wrong_delimiter_is_named(zone: Zone, delimiter: str, named: str) -> None:
    text = csv_bytes(TRANSCRIPT_COLUMNS, rows(zone)).decode().replace(",", delimiter)
    path = zone.landing / "transcripts" / "export.csv"
    path.write_text(text, encoding="utf-8")
    v = zone.run(path)
    assert v.code == 1 and "would be QUARANTINED" in v.out, v.out
    assert f"line 1: warning: the header is split by {named}, not commas" in v.out, v.out


def test_unknown_columns_are_listed_next_to_missing_ones_with_the_closest(zone: Zone) -> None:
    columns = [{"award_level": "award_levl", "cip_code": "cip code"}.get(c, c) for c in TRANSCRIPT_COLUMNS]
    data = [{{"award_level": "award_levl", "cip_code": "cip code"}.get(k, k): v for k, v in r.items()}
            for r in rows(zone)]
    path = zone.transcripts("typo.csv", data, columns)
    v = zone.run(path)
    assert v.code == 1, v.out
    assert "line 1: missing required column(s): cip_code, award_level" in v.out, v.out
    assert ("line 1: warning: unknown column(s) next to the missing ones: cip code (did you mean "
            "cip_code?), award_levl (did you mean award_level?)") in v.out, v.out


def test_an_ignored_column_close_to_an_optional_one_is_flagged(zone: Zone) -> None:
    """A typo in an optional column loses its values silently: the clerk hears about it."""
    columns = ["race_ethnicty" if c == "race_ethnicity" else c for c in TRANSCRIPT_COLUMNS]
    data = [{("race_ethnicty" if k == "race_ethnicity" else k): v for k, v in r.items()} for r in rows(zone)]
    v = zone.run(zone.transcripts("optional_typo.csv", data, columns))
    assert v.code == 0, v.out
    assert ("line 1: warning: race_ethnicty: unknown column, ignored (its values would not load): did "
            "you mean race_ethnicity?") in v.out, v.out


def test_a_file_of_another_layout_is_named(zone: Zone) -> None:
    p = zone.people[2]
    wage_rows = [{"ssn": p.ssn, "employer_account": "E1", "year": "2023", "quarter": "1", "wages": "10"}]
    wages_here = zone.transcripts("q1_wages.csv", wage_rows, WAGE_COLUMNS)
    v = zone.run(wages_here)
    assert v.code == 1, v.out
    assert "warning: this looks like a UI Wage Extract file: it belongs in wages/ (wages/*.csv)" in v.out

    icesa = zone.landing / "transcripts" / "UIWAGE_2024Q4.txt"
    icesa.write_bytes(b"A" + b" " * 274 + b"\n")
    v = zone.run(icesa)
    assert v.code == 1 and "would be QUARANTINED (unsupported type)" in v.out, v.out
    assert "error: not an accepted file type for transcripts/" in v.out
    assert "this looks like an ICESA 275-byte wage report file: it belongs in wages/" in v.out


def test_the_valid_kinds_are_listed_in_the_help_and_the_errors(zone: Zone) -> None:
    from dagster_project.landing.registry import load_registry

    kinds = load_registry().kinds
    assert kinds == ("reference", "transcripts", "noncredit", "wages")
    helped = zone._in_process(["validate", "--help"], {}, zone.root)
    assert helped.code == 0
    assert "one of: reference, transcripts, noncredit, wages" in " ".join(helped.out.split()), helped.out

    outside = zone.root / "outbox" / "file.csv"
    outside.parent.mkdir()
    outside.write_bytes(csv_bytes(TRANSCRIPT_COLUMNS, rows(zone)))
    v = zone.run(outside)
    assert v.code == 2 and v.lines() == [
        "ler validate: cannot tell the kind from the folder name 'outbox'; pass --kind, one of: "
        "reference, transcripts, noncredit, wages"
    ], v.out
    bad = zone.run(outside, "--kind", "payroll")
    assert bad.code == 2 and all(f"'{k}'" in bad.out for k in kinds), bad.out


def test_bad_arguments_get_one_plain_line_and_exit_2(zone: Zone) -> None:
    path = zone.transcripts("ok.csv", rows(zone))
    missing = zone.root / "no_such_folder"
    v = zone.run(path, "--reference", str(missing))
    assert v.code == 2 and v.lines() == [f"ler validate: --reference {missing} is not a folder"], v.out
    folder = zone._in_process(["validate", str(zone.landing / "transcripts")], {}, zone.root)
    assert folder.code == 2 and len(folder.lines()) == 1 and "is not a file" in folder.out, folder.out


def render(problem: dict) -> str:
    """docs/submission_manual.md §5: how a `--json` problem reads in the text output."""
    what = f"{problem['field']}: {problem['reason']}" if problem["field"] else problem["reason"]
    if problem["line"] is None:
        return f"{problem['severity']}: {what}"
    if problem["severity"] == "error":
        return f"line {problem['line']}: {what}"
    return f"line {problem['line']}: warning: {what}"


def test_json_output_is_the_text_report_as_data(zone: Zone) -> None:
    """`--json` for submission portals: a documented, stable shape that says what the text says."""
    path = zone.transcripts("mixed.csv", rows(zone, line_3={"sex": "Q", "birth_date": "1980-13-01"},
                                              line_5={"ssn": "000-12-3456"},
                                              line_9={"award_date": "2021-01-01"}))
    text = zone.run(path)
    as_json = zone.run(path, "--json")
    assert text.code == as_json.code == 0
    report = json.loads(as_json.out)
    assert set(report) == {"schema_version", "file", "kind", "layout", "status", "would_load",
                           "references_checked", "counts", "problems"}
    assert report["schema_version"] == 1
    assert (report["file"], report["kind"], report["layout"]) == (
        "mixed.csv", "transcripts", "transcript_csv")
    assert (report["status"], report["would_load"], report["references_checked"]) == (
        "LOADED_WITH_REJECTS", True, False)
    assert report["counts"] == {"rows_read": 20, "rows_loaded": 19, "rows_rejected": 1, "rows_duplicate": 0}
    assert all(set(p) == {"line", "field", "reason", "severity"} for p in report["problems"])
    assert {p["severity"] for p in report["problems"]} == {"error", "warning"}
    got = [(p["line"], p["field"], p["severity"]) for p in report["problems"]]
    assert got == [
        (None, None, "warning"),  # provider and program codes not checked
        (3, "birth_date", "error"),
        (3, "sex", "error"),
        (5, "ssn", "warning"),
        (9, "award_date", "warning"),
    ], report["problems"]
    # the text report is the same report: its header, counts and one line per problem, in order
    lines = text.lines()
    assert lines[0] == "mixed.csv: would be LOADED_WITH_REJECTS (transcript_csv): the rows listed as " \
                       "errors would not load, the others would"
    assert lines[1] == "rows read 20, would load 19, rejected 1, exact duplicates 0"
    assert lines[2:] == [render(p) for p in report["problems"]]


def test_json_of_a_quarantined_file(zone: Zone) -> None:
    columns = [c for c in TRANSCRIPT_COLUMNS if c != "program_id"]
    v = zone.run(zone.transcripts("no_program.csv", rows(zone), columns), "--json")
    assert v.code == 1
    report = json.loads(v.out)
    assert (report["status"], report["would_load"]) == ("QUARANTINED", False)
    assert report["problems"] == [
        {"line": None, "field": None, "severity": "warning", "reason": NO_REFERENCE},
        {"line": 1, "field": None, "severity": "error", "reason": "missing required column(s): program_id"},
    ]
