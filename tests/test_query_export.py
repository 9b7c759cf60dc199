"""`ler query` and `ler export` (issue 11 item 1; dagster_project/cli/query.py, export.py).

The statement check (DuckDB's parser) and the connection (read-only, no external access, locked
configuration) are tested apart, so either lock alone keeps a query away from the restricted
warehouse; the commands run on the worked example v2 publication, in process (exit codes and the one
plain line on stderr) and once each through the real `ler` entry point.
"""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from dagster_project.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from dagster_project.cli.query import refusal, run_query
from dagster_project.publication import publish
from tests.support.pipeline import ler_command, ler_environ, query, rows_as_dicts
from tests.support.scenarios import Scenario

REFUSED = {
    "delete from reporting.program_outcomes": "not DELETE",
    "insert into reporting.run_metadata default values": "not INSERT",
    "create table t as select 1": "not CREATE",
    "copy reporting.program_outcomes to '/tmp/x.csv'": "not COPY",
    "attach 'warehouse.duckdb' as w": "not ATTACH",
    "install httpfs": "not LOAD",
    "load httpfs": "not LOAD",
    "pragma version": "not PRAGMA",
    "set threads = 1": "not SET",
    "select 1; select 2": "exactly one statement (found 2)",
    "select * from marts.program_outcomes": "marts is a restricted schema",
    "select * from warehouse.audit.load_manifest": "audit is a restricted schema",
    "select * from staging.stg_lake__wages": "staging is a restricted schema",
    "select * from wh.reporting.program_outcomes": "wh is not the publication",
    "select * from read_csv('warehouse/lake/wages/x.parquet')": "read_csv() reads files",
    "select * from read_parquet('lake/*.parquet')": "read_parquet() reads files",
    "with x as (select * from glob('/etc/*')) select * from x": "glob() reads files",
    "select * from query('select 1')": "query() reads files",
    "select * from 'warehouse.duckdb'": "not files",
    "select * from (select 1) where 1 in (select * from marts.dim_programs)": "marts is a restricted",
    "selec 1": "not valid SQL",
}
ALLOWED = (
    "select * from reporting.program_outcomes",
    "with a as (select 1 as x) select * from a",
    "from reporting.statewide_outcomes",
    "describe reporting.run_metadata",
    "show tables",
    "summarize reporting.run_metadata",
    "select * from program_outcomes",
)
SEX_QUERY = (
    "select group_value as sex, n_completers, n_observed_q4, n_employed_q4, employment_rate_q4, "
    "suppressed_columns from reporting.statewide_outcomes_by_group where credential_level = 'CERT_LT1' "
    "and completion_year = '2022-23' and group_dimension = 'SEX' order by sex"
)


@pytest.mark.parametrize("sql", sorted(REFUSED))
def test_the_check_refuses_what_is_not_one_read_of_the_publication(sql: str) -> None:
    why = refusal(sql)
    assert why is not None and REFUSED[sql] in why, why


@pytest.mark.parametrize("sql", ALLOWED)
def test_the_check_lets_read_statements_through(sql: str) -> None:
    assert refusal(sql) is None


@pytest.fixture(scope="module")
def publication(example_v2_run: Scenario) -> Path:
    return (example_v2_run.warehouse / "publications" / "current").resolve()


def _ler(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.e2e
@pytest.mark.parametrize(
    "sql",
    [
        "select * from read_csv('/etc/passwd')",
        "select * from read_parquet('{lake}/wages/*.parquet')",
        "select * from '{db}'",
        "attach '{db}' as w",
        "set enable_external_access = true",
        "create table reporting.x as select 1",
        "select * from marts.program_outcomes",
    ],
)
def test_the_connection_alone_keeps_the_warehouse_out_of_reach(
    publication: Path, example_v2_run: Scenario, sql: str
) -> None:
    """Even a statement the parser check let through cannot reach the warehouse, the lake or a file,
    nor write (the second lock: cli/published.py connect)."""
    text = sql.format(db=example_v2_run.db, lake=example_v2_run.warehouse / "lake")
    with pytest.raises(duckdb.Error):
        run_query(publication, text)


@pytest.mark.e2e
def test_the_question_of_the_issue_in_one_command(example_v2_run: Scenario, capsys) -> None:
    wh = str(example_v2_run.warehouse)
    code, out, err = _ler(capsys, "query", SEX_QUERY, "--warehouse", wh, "--format", "json")
    assert code == EXIT_OK and err == ""
    rows = json.loads(out)
    expected = rows_as_dicts(example_v2_run.published, SEX_QUERY)
    assert rows == expected and {r["sex"] for r in rows} >= {"F", "M"}
    assert all(isinstance(r["employment_rate_q4"], float | None) for r in rows)
    assert all(isinstance(r["n_completers"], int | None) for r in rows)
    code, out, _ = _ler(capsys, "query", SEX_QUERY, "--warehouse", wh)
    lines = out.splitlines()
    assert (
        code == EXIT_OK and lines[0].split(" | ")[0].strip() == "sex" and lines[-1] == f"({len(rows)} rows)"
    )
    female = next(line for line in lines[2:] if line.startswith("F "))
    assert str(next(r for r in rows if r["sex"] == "F")["employment_rate_q4"]) in female


@pytest.mark.e2e
def test_query_csv_is_spreadsheet_safe_and_json_keeps_codes_as_text(example_v2_run: Scenario, capsys) -> None:
    wh = str(example_v2_run.warehouse)
    sql = (
        "select '=1+1' as formula, cip_code, cip_family, n_completers, employment_rate_q4 "
        "from reporting.program_outcomes order by provider_id, program_id, completion_year limit 3"
    )
    code, out, _ = _ler(capsys, "query", sql, "--warehouse", wh, "--format", "csv")
    assert code == EXIT_OK
    rows = list(csv.reader(out.splitlines()))
    assert rows[0] == ["formula", "cip_code", "cip_family", "n_completers", "employment_rate_q4"]
    assert rows[1][0] == "'=1+1" and out.splitlines()[1].startswith('"\'=1+1","')  # quoted, neutralized
    code, out, _ = _ler(capsys, "query", sql, "--warehouse", wh, "--format", "json")
    first = json.loads(out)[0]
    assert isinstance(first["cip_code"], str) and isinstance(first["cip_family"], str)
    assert first["formula"] == "=1+1"  # JSON is for scripts: values as published


@pytest.mark.e2e
def test_bad_input_gets_one_plain_line(example_v2_run: Scenario, tmp_path: Path, capsys) -> None:
    wh = str(example_v2_run.warehouse)
    cases = [
        (("query", "drop table reporting.program_outcomes", "--warehouse", wh), EXIT_USAGE, "not DROP"),
        (("query", "select * from marts.dim_programs", "--warehouse", wh), EXIT_USAGE, "restricted schema"),
        (("query", "select * from nowhere", "--warehouse", wh), EXIT_USAGE, "nowhere"),
        (("query", "select 1", "--warehouse", wh, "--format", "xml"), EXIT_USAGE, "unknown format 'xml'"),
        (("query", "select 1", "--warehouse", str(tmp_path)), EXIT_FAILED, "nothing is published yet"),
        (("query", "select 1", "--warehouse", str(tmp_path / "none")), EXIT_FAILED, "no warehouse folder"),
        (
            ("export", "dim_programs", "--format", "csv", "--warehouse", wh),
            EXIT_USAGE,
            "not a published table",
        ),
        (("export", "program_outcomes", "--format", "xls", "--warehouse", wh), EXIT_USAGE, "unknown format"),
        (
            (
                "export",
                "program_outcomes",
                "--format",
                "csv",
                "--warehouse",
                wh,
                "--out",
                str(tmp_path / "no" / "x.csv"),
            ),
            EXIT_USAGE,
            "does not exist",
        ),
        (
            ("export", "program_outcomes", "--format", "csv", "--warehouse", str(tmp_path)),
            EXIT_FAILED,
            "nothing is published yet",
        ),
        (("report", "--warehouse", str(tmp_path)), EXIT_FAILED, "nothing is published yet"),
    ]
    for argv, code, words in cases:
        got, out, err = _ler(capsys, *argv)
        assert (got, out) == (code, ""), argv
        assert err.count("\n") == 1 and err.startswith(f"ler {argv[0]}: ") and words in err, (argv, err)
        assert "Traceback" not in err
    assert not list(tmp_path.iterdir())  # nothing written by a refused command


@pytest.mark.e2e
def test_the_real_entry_point_refuses_with_one_line(example_v2_run: Scenario) -> None:
    proc = subprocess.run(
        ler_command(
            "query", "copy reporting.run_metadata to 'x.csv'", "--warehouse", str(example_v2_run.warehouse)
        ),
        env=ler_environ(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == EXIT_USAGE and proc.stdout == ""
    assert proc.stderr.splitlines() == [proc.stderr.strip()] and "not COPY" in proc.stderr


@pytest.mark.e2e
def test_csv_and_parquet_exports_are_the_published_files(
    example_v2_run: Scenario, publication: Path, tmp_path: Path, capsys
) -> None:
    wh = str(example_v2_run.warehouse)
    for fmt in ("csv", "parquet"):
        code, out, _ = _ler(
            capsys, "export", "program_outcomes", "--format", fmt, "--warehouse", wh, "--out", str(tmp_path)
        )
        target = tmp_path / f"program_outcomes.{fmt}"
        assert code == EXIT_OK and out.strip() == f"ler export: wrote {target}"
        assert target.read_bytes() == (publication / "exports" / target.name).read_bytes()
    text = (tmp_path / "program_outcomes.csv").read_text(encoding="utf-8")
    exact = rows_as_dicts(example_v2_run.published, "select * from reporting.program_outcomes")
    assert f'"{exact[0]["cip_code"]}"' in text  # codes are written as the text they are
    # pandas' defaults: numbers come back as numbers; codes that look like numbers need the dtype tip
    # of the analyst guide (quoting does not stop pandas' type inference)
    frame = pd.read_csv(tmp_path / "program_outcomes.csv")
    assert pd.api.types.is_numeric_dtype(frame["n_completers"]) and len(frame) == len(exact)
    assert pd.api.types.is_float_dtype(frame["cip_code"])
    typed = pd.read_csv(tmp_path / "program_outcomes.csv", dtype={"cip_code": str, "cip_family": str})
    assert sorted(typed["cip_code"]) == sorted(r["cip_code"] for r in exact)
    assert pd.read_parquet(tmp_path / "program_outcomes.parquet")["cip_code"].tolist() == [
        r["cip_code"]
        for r in rows_as_dicts(
            publication / "published.duckdb", "select cip_code from reporting.program_outcomes"
        )
    ]


@pytest.mark.e2e
def test_xlsx_export_of_a_real_publication(example_v2_run: Scenario, tmp_path: Path, capsys) -> None:
    wh = str(example_v2_run.warehouse)
    out = tmp_path / "run.xlsx"
    assert (
        _ler(capsys, "export", "run_metadata", "--format", "xlsx", "--warehouse", wh, "--out", str(out))[0]
        == 0
    )
    book = load_workbook(out)
    assert book.sheetnames == ["run_metadata", "codebook"]
    sheet = book["run_metadata"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))
    (published,) = rows_as_dicts(example_v2_run.published, "select * from reporting.run_metadata")
    assert row["started_at"].is_date and row["started_at"].number_format == "yyyy-mm-dd hh:mm:ss"
    utc = published["started_at"].astimezone(__import__("datetime").UTC).replace(tzinfo=None)
    assert abs((row["started_at"].value - utc).total_seconds()) < 0.001
    assert row["files_loaded"].data_type == "n" and row["files_loaded"].value == published["files_loaded"]
    assert row["wage_data_through"].data_type == "s" and row["wage_data_through"].number_format == "@"
    codebook = [[c.value for c in r] for r in book["codebook"].iter_rows()]
    assert codebook[0] == ["table", "column", "type", "description", "suppression"]
    assert [r[1] for r in codebook[1:]] == header and all(r[3] for r in codebook[1:])


def test_xlsx_keeps_codes_as_text_types_and_no_formula(tmp_path: Path, capsys) -> None:
    """A CIP `01.0000` stays text, a name that starts with `=` is not a formula, numbers and booleans
    keep their type: on a publication of a small hand-made warehouse."""
    wh = tmp_path / "wh"
    wh.mkdir()
    con = duckdb.connect(str(wh / "warehouse.duckdb"))
    con.execute("create schema reporting")
    con.execute(
        "create table reporting.program_outcomes as select * from (values "
        "('01.0000', '=HYPERLINK(\"http://example.invalid\")', 12::bigint, 0.7312::double, true, "
        "date '2024-06-30'), ('52.0201', '-2+3', null, null, false, null)) "
        "v(cip_code, program_name, n_completers, employment_rate_q4, suppressed, completion_date)"
    )
    con.close()
    publish(wh, "run-1")
    out = tmp_path / "po.xlsx"
    code, _, err = _ler(
        capsys, "export", "program_outcomes", "--format", "xlsx", "--warehouse", str(wh), "--out", str(out)
    )
    assert code == EXIT_OK, err
    sheet = load_workbook(out)["program_outcomes"]
    first, second = ({c.column_letter: c for c in row} for row in sheet.iter_rows(min_row=2))
    assert (first["A"].value, first["A"].data_type, first["A"].number_format) == ("01.0000", "s", "@")
    assert first["B"].data_type == "s" and first["B"].value == '\'=HYPERLINK("http://example.invalid")'
    assert second["B"].value == "'-2+3"
    assert (first["C"].value, first["C"].data_type) == (12, "n") and second["C"].value is None
    assert (first["D"].value, first["E"].value, second["E"].value) == (0.7312, True, False)
    assert first["F"].is_date and first["F"].value.date().isoformat() == "2024-06-30"
    assert sheet.freeze_panes == "A2"
    # the CSV export of the same publication keeps the code as written
    assert '"01.0000"' in (wh / "exports" / "program_outcomes.csv").read_text(encoding="utf-8")
    assert query(wh / "published.duckdb", "select cip_code from reporting.program_outcomes")[0] == (
        "01.0000",
    )
