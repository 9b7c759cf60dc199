"""The DuckDB fast path for large CSV files yields exactly the slow path's raw records."""

from __future__ import annotations

import codecs
from pathlib import Path

import duckdb
import pytest

from dagster_project.landing.batch import create_raw
from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import contract
from dagster_project.landing.formats import csv_fast
from dagster_project.landing.formats.csv_layout import read_csv_layout
from dagster_project.landing.records import StructuralError

HEADER = (
    "SSN, Last_Name ,first_name,employer_account,employer_fein,year,quarter,wages,naics_code,county_fips,"
    "hours,extra"
)
LINES = [
    "123456789,DOE,JANE,1000000001,123456789,2024,1,1000.50,541511,12345,,x",
    '123456788,"O\'BRIEN, JR",SAM,1000000002,,2024,1,"2,000.00",541511,12345,40,y',
    "",
    "123456787,SHORT,ROW,1000000003",
    '123456786,"SAYS ""HI""",ANA,1000000004,,2024,1,5,,,,z',
    "   ",
    "123456785,DOE,JOHN,1000000005,123456789,2024,5,-3,541511,12345,,w",
    # simply quoted (split in SQL): every field quoted, empty quoted fields, spaces and a tab inside
    '"123456784","SMITH","AL","1000000006","","2024","1","10","","","",""',
    '123456783,LEE,BO,1000000007,,2024,1,7,541511,12345,"",""',
    '123456782,"VAN DER\tBERG",ZOË,1000000008,,2024,1,"",,,"x",""',
    '""',
    # oddly quoted (split by Python): a doubled quote, a comma inside quotes, a quote mid-field
    '123456781,"A""B",C,1000000009,,2024,1,1,,,,""',
    '123456780,"LEE, JR",D,1000000010,,2024,1,1,,,,""',
]


def records(path: Path, fast: bool) -> list[tuple]:
    c = contract("wage_csv")
    con = duckdb.connect()
    create_raw(con, "raw", c)
    ctx = ReadContext()
    if fast:
        assert csv_fast.load_csv_fast(con, "raw", 7, path, c, ctx) is not None
    else:
        for batch in read_csv_layout(path, c, ctx):
            con.register("b", batch)
            con.execute("insert into raw select 7, * from b")
    rows = con.execute("select * exclude (_problem_field) from raw order by _line").fetchall()
    return rows + [("warnings", tuple(ctx.warnings))]


@pytest.fixture(autouse=True)
def small_files_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_fast, "MIN_FAST_BYTES", 0)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_fast_path_equals_slow_path(tmp_path: Path, newline: str, bom: bytes) -> None:
    path = tmp_path / "w.csv"
    path.write_bytes(bom + newline.join([HEADER, *LINES]).encode() + newline.encode())
    assert records(path, fast=True) == records(path, fast=False)
    lines = [r[1] for r in records(path, fast=True)[:-1]]
    assert lines == [2, 3, *range(5, 15)]  # physical line numbers; the empty line 4 is not a record


def test_simply_quoted_lines_are_split_in_sql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines whose quoted fields hold no comma, quote or line break never reach Python's csv module,
    and give what it gives; an oddly quoted line still does."""
    plain = [line for line in LINES if '"' not in line]
    simple = LINES[7:11]
    path = tmp_path / "w.csv"
    path.write_bytes("\n".join([HEADER, *plain, *simple]).encode() + b"\n")
    expected = records(path, fast=False)

    def no_python_split(_con: object) -> None:
        raise AssertionError("a simply quoted line was split by Python")

    monkeypatch.setattr(csv_fast, "_quoted_fields", no_python_split)
    assert records(path, fast=True) == expected
    assert [r[4] for r in expected[:-1] if r[1] > len(plain) + 1][:3] == ["SMITH", "LEE", "VAN DER\tBERG"]
    odd = tmp_path / "odd.csv"
    odd.write_bytes("\n".join([HEADER, *LINES]).encode() + b"\n")
    with pytest.raises(AssertionError, match="split by Python"):
        records(odd, fast=True)


def test_fast_path_declines_what_it_cannot_promise(tmp_path: Path) -> None:
    c, con = contract("wage_csv"), duckdb.connect()
    multi = tmp_path / "multi.csv"
    multi.write_text(HEADER + '\n1,"two\nlines",x\n')
    cp1252 = tmp_path / "cp.csv"
    cp1252.write_bytes((HEADER + "\n123456789,JOS\xc9,X,1,,2024,1,1,,,,\n").encode("cp1252"))
    unit_sep = tmp_path / "us.csv"
    unit_sep.write_text(HEADER + "\n1,2\x1f3\n")
    nul = tmp_path / "nul.csv"
    nul.write_bytes((HEADER + "\n" + LINES[0] + "\n" * 5000 + "1,\x002\n").encode())  # past the sniffed head
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes((HEADER + "\n" + LINES[0] + "\n").encode("utf-16"))
    late_cp1252 = tmp_path / "late.csv"  # the first 64 KiB are plain ASCII
    late_cp1252.write_bytes((HEADER + "\n" + (LINES[0] + "\n") * 2000 + "1,JOS\xc9\n").encode("cp1252"))
    for path in (multi, cp1252, unit_sep, nul, utf16, late_cp1252):
        assert csv_fast.load_csv_fast(con, "nowhere", 1, path, c, ReadContext()) is None, path.name


def test_fast_path_raises_the_same_structural_errors(tmp_path: Path) -> None:
    path = tmp_path / "missing.csv"
    path.write_text("ssn,year\n1,2\n")
    with pytest.raises(StructuralError, match="line 1: missing required column"):
        csv_fast.load_csv_fast(duckdb.connect(), "nowhere", 1, path, contract("wage_csv"), ReadContext())


def test_the_text_is_decoded_once_by_duckdb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The DuckDB path reads only the header line in Python: no whole-file decoding before DuckDB."""
    from dagster_project.landing import encoding

    def no_full_decode(*_a: object) -> None:
        raise AssertionError("the whole file was decoded in Python")

    monkeypatch.setattr(encoding, "_decodes", no_full_decode)
    path = tmp_path / "w.csv"
    path.write_bytes("\n".join([HEADER, *LINES]).encode() + b"\n")
    assert len(records(path, fast=True)) == len(LINES)  # the empty line is no record; + the warnings


def _batch_records(files: list[Path]) -> tuple[dict[int, int], list[tuple]]:
    """The files read in one batch read (file indexes 1, 2, ...): rows by file, and the records."""
    c = contract("wage_csv")
    con = duckdb.connect()
    create_raw(con, "raw", c)
    accepted = [csv_fast.load_csv_fast.accept(i, p, c, []) for i, p in enumerate(files, start=1)]
    assert all(accepted), accepted
    taken = csv_fast.load_csv_fast.load(con, "raw", accepted, c)
    rows = con.execute("select * exclude (_problem_field) from raw order by _file_idx, _line").fetchall()
    return taken, rows


def _alone(path: Path, idx: int) -> list[tuple]:
    return [(idx, *r[1:]) for r in records(path, fast=True)[:-1]]


def test_a_batch_read_gives_each_file_what_it_reads_alone(tmp_path: Path) -> None:
    """One read of several files: each file's records, line numbers and splitting as when read alone,
    with its own header order."""
    odd = tmp_path / "a_odd.csv"
    odd.write_bytes("\n".join([HEADER, *LINES]).encode() + b"\n")
    names = [h.strip() for h in HEADER.split(",")]
    order = list(reversed(range(len(names))))  # the same columns, the other way round
    permuted = tmp_path / "b_permuted.csv"
    permuted.write_text(
        "\n".join(
            [",".join(names[i] for i in order)]
            + [",".join(line.split(",")[i] for i in order) for line in [LINES[0], LINES[6], LINES[8]]]
        )
        + "\n"
    )
    plain = tmp_path / "c_plain.csv"
    plain.write_text("\n".join([HEADER] + [LINES[0]] * 3 + [LINES[3]]) + "\n")
    files = [odd, permuted, plain]
    taken, rows = _batch_records(files)
    expected = [r for i, f in enumerate(files, start=1) for r in _alone(f, i)]
    assert rows == expected
    assert taken == {1: len(LINES) - 1, 2: 3, 3: 4}  # the empty line is no record
    assert [r[1] for r in rows if r[0] == 3] == [2, 3, 4, 5]
    assert [r[6] for r in rows if r[0] == 2] == ["1000000001", "1000000005", "1000000007"]  # employer_account


def test_a_batch_read_declines_only_the_files_it_cannot_promise(tmp_path: Path) -> None:
    """A file with a NUL byte is left out of the read; one whose invalid byte stops the read of
    all makes each file be read alone, so only it is declined; the others keep their records."""
    good = tmp_path / "a_good.csv"
    good.write_bytes("\n".join([HEADER, *LINES]).encode() + b"\n")
    nul = tmp_path / "b_nul.csv"
    nul.write_bytes((HEADER + "\n" + (LINES[0] + "\n") * 2000 + "1,\x002\n").encode())  # past the head
    cp1252 = tmp_path / "c_cp1252.csv"
    cp1252.write_bytes((HEADER + "\n" + (LINES[0] + "\n") * 2000 + "1,JOS\xc9\n").encode("cp1252"))
    other = tmp_path / "d_other.csv"
    other.write_text(HEADER + "\n" + LINES[6] + "\n")
    taken, rows = _batch_records([good, nul, other])
    assert taken == {1: len(LINES) - 1, 3: 1}
    assert rows == _alone(good, 1) + _alone(other, 3)
    taken, rows = _batch_records([good, cp1252, other])
    assert taken == {1: len(LINES) - 1, 3: 1}
    assert rows == _alone(good, 1) + _alone(other, 3)


def test_a_batch_read_that_fails_half_way_leaves_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files of one header are in when the next header's insert fails: they are taken out
    again before each file is read alone, so no file's records are appended twice."""
    one, two = tmp_path / "a.csv", tmp_path / "b.csv"
    one.write_text(HEADER + "\n" + LINES[0] + "\n")
    names = [h.strip() for h in HEADER.split(",")]
    two.write_text(",".join(reversed(names)) + "\n" + ",".join(reversed(LINES[0].split(","))) + "\n")
    insert, calls = csv_fast._insert, []

    def failing_second_insert(*args: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise duckdb.InvalidInputException("stopped half way")
        insert(*args)

    monkeypatch.setattr(csv_fast, "_insert", failing_second_insert)
    taken, rows = _batch_records([one, two])
    assert len(calls) == 4  # two groups together (the second failed), then each file alone
    assert taken == {1: 1, 2: 1}
    assert [r[0] for r in rows] == [1, 2]
