"""ICESA reader (docs/submission_manual.md §2.4, §5): layout as data, record sequence, reconciliation,
privacy."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import pyarrow as pa
import pytest

from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import Column, contract
from dagster_project.landing.formats.icesa import (
    T_MISMATCH,
    T_UNREADABLE,
    IcesaLayoutError,
    load_layout,
    money,
    parse_layout,
    quarter_of_month,
    read_icesa,
)
from dagster_project.landing.records import BOOKKEEPING, StructuralError
from dagster_project.project_paths import DEFAULT_ICESA_LAYOUT
from tests.icesa_samples import (
    DEFAULT_LAYOUT,
    SAMPLE_SECRETS,
    Employee,
    Employer,
    icesa_lines,
    record,
    sample_employers,
    write_lines,
)

CONTRACT = contract("icesa")
COLUMNS = list(BOOKKEEPING) + CONTRACT.column_names


def read(path: Path, ctx: ReadContext | None = None) -> pa.Table:
    ctx = ctx if ctx is not None else ReadContext()
    batches = list(read_icesa(path, CONTRACT, ctx))
    for b in batches:
        assert b.schema.names == COLUMNS
    return pa.Table.from_batches(batches, schema=batches[0].schema) if batches else pa.table({})


def rows(path: Path, ctx: ReadContext | None = None) -> list[dict]:
    return read(path, ctx).to_pylist()


def structural(path: Path, ctx: ReadContext | None = None) -> str:
    with pytest.raises(StructuralError) as info:
        read(path, ctx)
    return str(info.value)


@pytest.fixture
def sample_path(tmp_path: Path) -> Path:
    return write_lines(tmp_path / "UIWAGE_2024Q4.txt", icesa_lines(sample_employers()))


# Line numbers of the sample file: 1 A, 2 B, 3 E, 4-5 S, 6 T, 7 E, 8-10 S, 11 T, 12 E, 13 S, 14 T, 15 F.


# --------------------------------------------------------------------------------------------------
# The spec's example file


def test_example_file(example_dir: Path) -> None:
    path = example_dir / "landing" / "wages" / "UIWAGE_2024Q4_20250216.txt"
    raw = path.read_bytes().decode("ascii").split("\r\n")
    s_lines = [i for i, text in enumerate(raw, start=1) if text.startswith("S")]
    final = next(text for text in raw if text.startswith("F"))
    ctx = ReadContext()
    table = read(path, ctx)
    assert table.schema.names == COLUMNS
    assert table.num_rows == len(s_lines) == int(final[1:11])
    assert sum(text.startswith("E") for text in raw) == int(final[11:21])
    assert table.column("_line").to_pylist() == s_lines
    assert table.column("_problem_reason").null_count == table.num_rows
    assert set(table.column("year").to_pylist()) == {"2024"}
    assert set(table.column("quarter").to_pylist()) == {"4"}
    assert ctx.warnings == []
    by_line = {r["_line"]: r for r in table.to_pylist()}
    # Read by eye from the file: line 3 is the first E record, lines 4-6 its S records.
    assert by_line[4] | {"_problem_field": 0} == {
        "_line": 4, "_problem_field": 0, "_problem_reason": None, "ssn": "074611644", "last_name": "HARRIS",
        "first_name": "MARIA", "employer_account": "1005277123", "employer_fein": "581528040",
        "year": "2024", "quarter": "4", "wages": "9212.11", "naics_code": "518210",
    }
    assert (by_line[5]["ssn"], by_line[5]["last_name"], by_line[5]["first_name"], by_line[5]["wages"]) == (
        "672982721", "MILLER", "THOMAS", "696.30")
    assert (by_line[6]["ssn"], by_line[6]["wages"], by_line[6]["employer_fein"]) == (
        "831528950", "4078.61", "581528040")


# --------------------------------------------------------------------------------------------------
# Good files


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_good_multi_group_file(tmp_path: Path, newline: str) -> None:
    path = write_lines(tmp_path / "w.txt", icesa_lines(sample_employers()), newline=newline)
    ctx = ReadContext()
    got = rows(path, ctx)
    assert ctx.warnings == []
    assert [r["_line"] for r in got] == [4, 5, 8, 9, 10, 13]
    assert all(r["_problem_field"] is None and r["_problem_reason"] is None for r in got)
    assert got[0] == {
        "_line": 4, "_problem_field": None, "_problem_reason": None, "ssn": "201456789",
        "last_name": "QUIXOTEWORTH", "first_name": "ZEBEDIAH", "employer_account": "ACCT0000001",
        "employer_fein": "581111111", "year": "2024", "quarter": "4", "wages": "12345.67",
        "naics_code": "518210",
    }
    assert [r["wages"] for r in got] == ["12345.67", "0.50", "9876.54", "0.00", "314159.26", "7777.77"]
    assert [r["quarter"] for r in got] == ["4", "4", "3", "4", "4", "4"]
    assert [r["employer_fein"] for r in got] == ["581111111"] * 2 + ["582222222"] * 3 + ["583333333"]
    assert [r["naics_code"] for r in got] == ["518210"] * 2 + ["722511"] * 3 + ["611310"]
    assert got[3]["last_name"] == "O'KEEFFE"


def test_default_layout_is_the_spec_layout() -> None:
    lay = load_layout(None)
    assert load_layout(DEFAULT_ICESA_LAYOUT) == lay
    assert lay.record_length == 275
    spans = {(r, n): (f.start, f.end) for r, fields in lay.records.items() for n, f in fields.items()}
    assert spans == {
        ("S", "ssn"): (2, 10), ("S", "last_name"): (11, 30), ("S", "first_name"): (31, 42),
        ("S", "wages"): (64, 77), ("S", "reporting_period"): (136, 141),
        ("S", "employer_account"): (142, 156),
        ("E", "payment_year"): (2, 5), ("E", "employer_fein"): (6, 14),
        ("E", "employer_account"): (177, 191),
        ("E", "naics_code"): (212, 217), ("E", "reporting_quarter"): (271, 272),
        ("T", "employee_count"): (2, 8), ("T", "wages"): (23, 36),
        ("F", "s_record_count"): (2, 11), ("F", "e_record_count"): (12, 21),
    }
    assert lay.field("S", "wages").decimals == 2 and lay.field("T", "wages").decimals == 2
    assert set(lay.records) == {"A", "B", "E", "S", "T", "F"}


def test_sample_writer_uses_spec_positions() -> None:
    s = record(DEFAULT_LAYOUT, "S", {"ssn": "201456789", "wages": 921211, "reporting_period": "122024"})
    assert len(s) == 275 and s[0] == "S" and s[1:10] == "201456789"
    assert s[63:77] == "00000000921211" and s[135:141] == "122024"


@pytest.mark.parametrize(("text", "decimals", "expected"), [
    ("00000000921211", 2, ("9212.11", 921211)),
    ("00000000000000", 2, ("0.00", 0)),
    ("00000000000005", 2, ("0.05", 5)),
    ("12345", 0, ("12345", 12345)),
    ("0001234", 3, ("1.234", 1234)),
    ("0000-1234", 2, ("0000-1234", None)),
    ("12.34", 2, ("12.34", None)),
    ("\u00b2\u00b3", 2, ("\u00b2\u00b3", None)),  # Latin-1 superscripts are not digits here
    (None, 2, (None, None)),
])
def test_money_implied_decimals(text: str | None, decimals: int, expected: tuple) -> None:
    assert money(text, decimals) == expected


@pytest.mark.parametrize(("month", "quarter"), [
    ("03", "1"), ("06", "2"), ("09", "3"), ("12", "4"), ("01", "1"), ("05", "2"), ("07", "3"), ("11", "4"),
    ("13", "13"), ("00", "00"), ("AB", "AB"), (None, None),
])
def test_quarter_of_month(month: str | None, quarter: str | None) -> None:
    assert quarter_of_month(month) == quarter


def test_space_filled_money_keeps_implied_decimals(tmp_path: Path) -> None:
    lines = icesa_lines([Employer("581111111", "A1", "518210", [Employee("201456789", "X", "Y", 1234567)])])
    lines[3] = lines[3][:63] + "       1234567" + lines[3][77:]
    got = rows(write_lines(tmp_path / "w.txt", lines))
    assert got[0]["wages"] == "12345.67" and got[0]["_problem_reason"] is None


def test_non_numeric_wages_pass_through_and_group_does_not_reconcile(tmp_path: Path) -> None:
    employers = [Employer("581111111", "A1", "518210", [
        Employee("201456789", "X", "Y", 1000), Employee("202456789", "X", "Y", "0000000000-500")],
        t_cents=1500)]
    got = rows(write_lines(tmp_path / "w.txt", icesa_lines(employers)))
    assert got[1]["wages"] == "0000000000-500"
    assert {(r["_problem_field"], r["_problem_reason"]) for r in got} == {T_MISMATCH}


def test_blank_s_fields_fall_back_to_the_e_record(tmp_path: Path) -> None:
    employers = [Employer("         ", "EACCOUNT", "      ", [
        Employee("201456789", "", "", 100, period="      "),
        Employee("202456789", "X", "Y", 200, period="032025", account="SACCOUNT"),
    ], payment_year="2024", reporting_quarter="06")]
    got = rows(write_lines(tmp_path / "w.txt", icesa_lines(employers)))
    assert (got[0]["year"], got[0]["quarter"], got[0]["employer_account"]) == ("2024", "2", "EACCOUNT")
    assert (got[1]["year"], got[1]["quarter"], got[1]["employer_account"]) == ("2025", "1", "SACCOUNT")
    assert got[0]["last_name"] is None and got[0]["first_name"] is None
    assert all(r["employer_fein"] is None and r["naics_code"] is None for r in got)


def test_bad_reporting_month_is_passed_for_validation(tmp_path: Path) -> None:
    employers = [Employer("581111111", "A1", "518210", [
        Employee("201456789", "X", "Y", 1, period="132024"),
        Employee("202456789", "X", "Y", 1, period="Q42024"),
        Employee("203456789", "X", "Y", 1, period="12  24")])]
    got = rows(write_lines(tmp_path / "w.txt", icesa_lines(employers)))
    assert [(r["year"], r["quarter"]) for r in got] == [("2024", "13"), ("2024", "Q4"), ("24", "4")]


def test_group_without_s_records_and_several_b_records(tmp_path: Path) -> None:
    employers = [Employer("581111111", "A1", "518210", []), *sample_employers()]
    path = write_lines(tmp_path / "w.txt", icesa_lines(employers, b_records=3))
    got = rows(path)
    assert len(got) == 6 and all(r["_problem_reason"] is None for r in got)


def test_blank_trailing_lines_are_ignored(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "w.txt", icesa_lines(sample_employers()), trailing="\r\n\r\n   \r\n\n")
    assert len(rows(path)) == 6


def test_last_line_without_line_end(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "w.txt", icesa_lines(sample_employers()), trailing="")
    assert len(rows(path)) == 6


def test_utf8_bom_is_dropped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "w.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(icesa_lines(sample_employers())).encode("latin-1"))
    ctx = ReadContext()
    assert len(rows(path, ctx)) == 6
    assert len(ctx.warnings) == 1 and "byte-order mark" in ctx.warnings[0]


def test_latin1_names(tmp_path: Path) -> None:
    employers = [Employer("581111111", "A1", "518210", [Employee("201456789", "MU\u00d1OZ", "JOS\u00c9", 1)])]
    got = rows(write_lines(tmp_path / "w.txt", icesa_lines(employers)))
    assert (got[0]["last_name"], got[0]["first_name"]) == ("MU\u00d1OZ", "JOS\u00c9")


def test_columns_follow_the_contract_order(tmp_path: Path) -> None:
    """Rows are placed by column name, so a contract that reorders or adds columns still lines up."""
    columns = (*reversed(CONTRACT.columns), Column("county_fips", "text", False, False))
    reordered = dataclasses.replace(CONTRACT, columns=columns)
    employers = sample_employers()
    employers[2].t_cents = 1
    path = write_lines(tmp_path / "w.txt", icesa_lines(employers))
    table = pa.Table.from_batches(list(read_icesa(path, reordered, ReadContext())))
    assert table.schema.names == list(BOOKKEEPING) + [c.name for c in columns]
    assert table.to_pylist() == [r | {"county_fips": None} for r in rows(path)]


# --------------------------------------------------------------------------------------------------
# T reconciliation


def test_t_mismatch_marks_only_its_group(tmp_path: Path) -> None:
    employers = sample_employers()
    employers[1].t_cents = 1  # the second group's total is wrong
    got = rows(write_lines(tmp_path / "w.txt", icesa_lines(employers)))
    flagged = {r["_line"] for r in got if (r["_problem_field"], r["_problem_reason"]) == T_MISMATCH}
    assert flagged == {8, 9, 10}
    assert all(r["_problem_field"] is None for r in got if r["_line"] not in flagged)
    assert T_MISMATCH == (
        "wages", "employer group total in the T record does not equal the sum of its S records")
    # The values themselves are still passed (validation reports the row with its redacted record).
    assert [r["wages"] for r in got if r["_line"] in flagged] == ["9876.54", "0.00", "314159.26"]


def test_unreadable_t_total_marks_its_group(tmp_path: Path) -> None:
    employers = sample_employers()
    employers[2].t_cents = "ABC"
    got = rows(write_lines(tmp_path / "w.txt", icesa_lines(employers)))
    assert [(r["_line"], r["_problem_field"], r["_problem_reason"]) for r in got if r["_problem_reason"]] == [
        (13, *T_UNREADABLE)]


def test_t_employee_count_mismatch_is_one_warning(tmp_path: Path) -> None:
    employers = sample_employers()
    employers[0].t_count = 7
    employers[2].t_count = "ABC"
    ctx = ReadContext()
    got = rows(write_lines(tmp_path / "w.txt", icesa_lines(employers)), ctx)
    assert all(r["_problem_reason"] is None for r in got)
    assert len(ctx.warnings) == 1
    assert "2 employer group(s)" in ctx.warnings[0] and "line 6" in ctx.warnings[0]


# --------------------------------------------------------------------------------------------------
# Structure: F counts, sequence, lengths, bytes


@pytest.mark.parametrize(("kwargs", "pattern"), [
    ({"s_count": 7}, r"^line 15: F record says 7 S records, the file has 6$"),
    ({"s_count": 5}, r"^line 15: F record says 5 S records, the file has 6$"),
    ({"e_count": 4}, r"^line 15: F record says 4 E records, the file has 3$"),
    ({"s_count": "ABCDEFGHIJ"}, r"^line 15: F record total S records is not a number$"),
    ({"e_count": "          "}, r"^line 15: F record total E records is not a number$"),
])
def test_f_counts(tmp_path: Path, kwargs: dict, pattern: str) -> None:
    path = write_lines(tmp_path / "w.txt", icesa_lines(sample_employers(), **kwargs))
    with pytest.raises(StructuralError, match=pattern):
        read(path)


def _edit(lines: list[str], case: str) -> list[str]:
    """A broken copy of the sample records (line N is lines[N - 1])."""
    lines = list(lines)
    s_record, e_record = lines[3], lines[2]
    if case == "s_before_e":
        lines.insert(2, s_record)
    elif case == "missing_t":
        del lines[5]
    elif case == "missing_last_t":
        del lines[13]
    elif case == "missing_f":
        del lines[-1]
    elif case == "missing_f_and_t":
        del lines[-2:]
    elif case == "data_after_f":
        lines.append(s_record)
    elif case == "second_f":
        lines.append(lines[-1])
    elif case == "unknown_type":
        lines[3] = "X" + lines[3][1:]
    elif case == "lowercase_type":
        lines[3] = "s" + lines[3][1:]
    elif case == "no_a":
        del lines[0]
    elif case == "second_a":
        lines.insert(2, lines[0])
    elif case == "b_after_e":
        lines.insert(6, lines[1])
    elif case == "t_before_e":
        lines.insert(6, lines[5])
    elif case == "no_groups":
        lines = lines[:2] + lines[-1:]
    elif case == "only_a":
        lines = lines[:1]
    elif case == "e_after_e":
        lines.insert(3, e_record)
    elif case == "blank_line_inside":
        lines.insert(6, "")
    elif case == "blank_line_then_data_after_f":
        lines += ["", s_record]
    return lines


@pytest.mark.parametrize(("case", "pattern"), [
    ("s_before_e", r"^line 3: expected a B or E record, found an S record$"),
    ("missing_t", r"^line 6: expected an S or T record, found an E record \(the employer group from line 3 "
                  r"has no T record\)$"),
    ("missing_last_t", r"^line 14: expected an S or T record, found an F record \(the employer group from "
                       r"line 12 has no T record\)$"),
    ("missing_f", r"^end of file: no F record"),
    ("missing_f_and_t", r"^end of file: the employer group from line 12 has no T record"),
    ("data_after_f", r"^line 16: data after the F record \(line 15\)"),
    ("second_f", r"^line 16: data after the F record \(line 15\)"),
    ("unknown_type", r"^line 4: expected an S or T record, found an unknown record type"),
    ("lowercase_type", r"^line 4: expected an S or T record, found an unknown record type"),
    ("no_a", r"^line 1: expected an A record \(the first record\), found a B record$"),
    ("second_a", r"^line 3: expected a B or E record, found an A record$"),
    ("b_after_e", r"^line 7: expected an E or F record, found a B record$"),
    ("t_before_e", r"^line 7: expected an E or F record, found a T record$"),
    ("no_groups", r"^line 3: expected a B or E record, found an F record$"),
    ("only_a", r"^end of file: no employer \(E\) record and no F record$"),
    ("e_after_e", r"^line 4: expected an S or T record, found an E record"),
    ("blank_line_inside", r"^line 7: blank line before the last record"),
    ("blank_line_then_data_after_f", r"^line 17: data after the F record \(line 15\)"),
])
def test_record_sequence(tmp_path: Path, case: str, pattern: str) -> None:
    path = write_lines(tmp_path / "w.txt", _edit(icesa_lines(sample_employers()), case))
    with pytest.raises(StructuralError, match=pattern):
        read(path)


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", b"   \n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "w.txt"
    path.write_bytes(content)
    assert structural(path) == "empty file: no records"


def test_short_records_are_padded_with_one_warning(tmp_path: Path) -> None:
    lines = [line.rstrip() for line in icesa_lines(sample_employers())]
    ctx = ReadContext()
    got = rows(write_lines(tmp_path / "w.txt", lines), ctx)
    baseline = rows(write_lines(tmp_path / "full.txt", icesa_lines(sample_employers())))
    assert got == baseline
    assert len(ctx.warnings) == 1
    assert ctx.warnings[0] == "15 record(s) shorter than 275 bytes were padded with spaces (first at line 1)"


def test_over_long_record(tmp_path: Path) -> None:
    lines = icesa_lines(sample_employers())
    lines[8] += " "
    assert structural(write_lines(tmp_path / "w.txt", lines)) == (
        "line 9: record is 276 bytes, longer than the layout's 275")


def test_file_without_line_ends_is_not_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "w.txt"
    path.write_bytes("\r".join(icesa_lines(sample_employers())).encode("latin-1"))  # old Mac line ends
    assert structural(path) == "line 1: record is longer than the layout's 275 bytes"


def test_utf8_multibyte_names_make_a_record_too_long(tmp_path: Path) -> None:
    """Positions are bytes: a UTF-8 name shifts every later field, so the file cannot be trusted."""
    employers = [Employer("581111111", "A1", "518210", [Employee("201456789", "MU\u00d1OZ", "Y", 1)])]
    path = tmp_path / "w.txt"
    path.write_bytes("\r\n".join(icesa_lines(employers)).encode("utf-8"))
    assert structural(path).startswith("line 4: record is 276 bytes")


def test_nul_bytes(tmp_path: Path) -> None:
    lines = icesa_lines(sample_employers())
    lines[9] = lines[9][:50] + "\x00" + lines[9][51:]
    assert structural(write_lines(tmp_path / "w.txt", lines)) == (
        "line 10: binary content (NUL byte): not a text file")


def test_control_characters(tmp_path: Path) -> None:
    lines = icesa_lines(sample_employers())
    lines[4] = lines[4][:50] + "\x1b" + lines[4][51:]
    message = structural(write_lines(tmp_path / "w.txt", lines))
    assert message.startswith("line 5: control character (byte 0x1B)")


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "w.dat"
    path.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4)
    with pytest.raises(StructuralError, match=r"^line 1: "):
        read(path)


# --------------------------------------------------------------------------------------------------
# Custom layouts


def _moved_layout_doc() -> dict:
    """A made-up state variant: 300-byte records, every field somewhere else, 3 implied decimals."""
    return {
        "name": "state_xx",
        "description": "test variant with every field moved",
        "record_length": 300,
        "records": {
            "A": {"fields": {}},
            "E": {"fields": {
                "employer_fein": {"start": 20, "end": 28},
                "employer_account": {"start": 2, "end": 11},
                "naics_code": {"start": 290, "end": 295},
                "payment_year": {"start": 100, "end": 103},
                "reporting_quarter": {"start": 104, "end": 105},
            }},
            "S": {"fields": {
                "ssn": {"start": 281, "end": 289},
                "last_name": {"start": 2, "end": 26},
                "first_name": {"start": 27, "end": 41},
                "wages": {"start": 200, "end": 214, "decimals": 3},
                "reporting_period": {"start": 150, "end": 155},
                "employer_account": {"start": 160, "end": 169},
            }},
            "T": {"fields": {"wages": {"start": 50, "end": 64, "decimals": 3}}},
            "F": {"fields": {
                "e_record_count": {"start": 2, "end": 9},
                "s_record_count": {"start": 10, "end": 19},
            }},
        },
    }


def test_custom_layout_with_moved_fields(tmp_path: Path) -> None:
    layout_path = tmp_path / "state_layout.json"
    layout_path.write_text(json.dumps(_moved_layout_doc()), encoding="utf-8")
    layout = load_layout(layout_path)
    employers = [
        Employer("581111111", "EACCT01", "518210", [
            Employee("201456789", "QUIXOTEWORTH", "ZEBEDIAH", 1234567, period="062024"),
            Employee("202456789", "ABERNATHYX", "PHILOMENA", 5, period="062024", account="SACCT02"),
        ]),
        Employer("582222222", "EACCT03", "722511", [Employee("203456789", "V", "I", 100, period="")],
                 payment_year="2023", reporting_quarter="09", t_cents=99),
    ]
    lines = icesa_lines(employers, layout)
    assert len(lines[0]) == 300 and lines[3][280:289] == "201456789"
    path = write_lines(tmp_path / "w.dat", lines)
    ctx = ReadContext(icesa_layout=layout_path)
    got = rows(path, ctx)
    assert ctx.warnings == []  # the layout has no T employee count, so nothing to compare
    keys = ("ssn", "last_name", "first_name", "wages", "employer_account", "employer_fein", "naics_code",
            "year", "quarter", "_problem_reason")
    assert [tuple(r[k] for k in keys) for r in got] == [
        ("201456789", "QUIXOTEWORTH", "ZEBEDIAH", "1234.567", "EACCT01", "581111111", "518210", "2024",
         "2", None),
        ("202456789", "ABERNATHYX", "PHILOMENA", "0.005", "SACCT02", "581111111", "518210", "2024", "2",
         None),
        ("203456789", "V", "I", "0.100", "EACCT03", "582222222", "722511", "2023", "3", T_MISMATCH[1]),
    ]
    # The same file under the default layout is not readable (its records are 300 bytes).
    with pytest.raises(StructuralError, match=r"^line 1: record is longer than the layout.s 275 bytes"):
        read(path, ReadContext())


def _broken(**changes: object) -> dict:
    doc = _moved_layout_doc()
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = doc
        for key in parents:
            node = node[key]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value
    return doc


_DELETE = object()


@pytest.mark.parametrize(("doc", "pattern"), [
    ([], r"must be a JSON object"),
    (_broken(name=""), r"'name' must be a non-empty string"),
    (_broken(record_length="275"), r"'record_length' must be an integer"),
    (_broken(record_length=True), r"'record_length' must be an integer"),
    (_broken(records=[]), r"'records' must be an object"),
    (_broken(colour="blue"), r"unknown key\(s\) 'colour'"),
    (_broken(records__Z={"fields": {}}), r"unknown record type 'Z'"),
    (_broken(records__S__fields__ssn={"start": 281, "ned": 289}), r"records\.S\.fields\.ssn: unknown key"),
    (_broken(records__S__fields__ssn=[281, 289]), r"records\.S\.fields\.ssn must be an object"),
    (_broken(records__S__fields__ssn={"start": 281}), r"'start' and 'end' must be integers"),
    (_broken(records__S__fields__ssn={"start": 1, "end": 9}), r"position 1 is the record type"),
    (_broken(records__S__fields__ssn={"start": 289, "end": 281}), r"'end' is before 'start'"),
    (_broken(records__S__fields__ssn={"start": 295, "end": 303}), r"'end' is past the record length 300"),
    (_broken(records__S__fields__ssn={"start": 2, "end": 10}), r"'ssn' and 'last_name' overlap"),
    (_broken(records__S__fields__middle_name={"start": 42, "end": 43}), r"unknown field 'middle_name'"),
    (_broken(records__S__fields__ssn=_DELETE), r"records\.S\.fields\.ssn is required"),
    (_broken(records__T__fields__wages=_DELETE), r"records\.T\.fields\.wages is required"),
    (_broken(records__F__fields__s_record_count=_DELETE), r"records\.F\.fields\.s_record_count is required"),
    (_broken(records__S__fields__ssn={"start": 281, "end": 289, "decimals": 2}), r"only allowed on money"),
    (_broken(records__S__fields__wages={"start": 200, "end": 214, "decimals": -1}), r"'decimals' must be"),
    (_broken(records__S__fields__wages={"start": 200, "end": 214}), r"same number of implied decimals"),
    (_broken(records__S__fields__reporting_period={"start": 150, "end": 153}), r"6 bytes wide"),
    (_broken(records__S__fields__employer_account=_DELETE, records__E__fields__employer_account=_DELETE),
     r"employer_account field is required"),
    (_broken(records__S__fields__reporting_period=_DELETE, records__E__fields__payment_year=_DELETE),
     r"reporting_period is required unless"),
])
def test_broken_layout(doc: object, pattern: str) -> None:
    with pytest.raises(IcesaLayoutError, match=pattern):
        parse_layout(doc)


def test_layout_without_optional_fields(tmp_path: Path) -> None:
    doc = _broken(records__S__fields__reporting_period=_DELETE, records__S__fields__employer_account=_DELETE,
                  records__S__fields__last_name=_DELETE, records__E__fields__naics_code=_DELETE)
    layout = parse_layout(doc)
    employers = [Employer("581111111", "EACCT01", "518210", [Employee("201456789", "X", "Y", 5)],
                          payment_year="2022", reporting_quarter="03")]
    layout_path = tmp_path / "l.json"
    layout_path.write_text(json.dumps(doc), encoding="utf-8")
    path = write_lines(tmp_path / "w.txt", icesa_lines(employers, layout))
    got = rows(path, ReadContext(icesa_layout=layout_path))
    assert (got[0]["year"], got[0]["quarter"], got[0]["employer_account"], got[0]["last_name"],
            got[0]["naics_code"]) == ("2022", "1", "EACCT01", None, None)


def test_broken_layout_file_names_the_file(tmp_path: Path, sample_path: Path) -> None:
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"name": "x", "record_length": 275,', encoding="utf-8")
    with pytest.raises(IcesaLayoutError, match=r"bad\.json: not valid UTF-8 JSON"):
        read(sample_path, ReadContext(icesa_layout=bad_json))
    with pytest.raises(IcesaLayoutError, match=r"missing\.json: cannot be read"):
        read(sample_path, ReadContext(icesa_layout=tmp_path / "missing.json"))
    bad_field = tmp_path / "bad_field.json"
    bad_field.write_text(json.dumps(_broken(records__S__fields__ssn=_DELETE)), encoding="utf-8")
    with pytest.raises(IcesaLayoutError, match=r"bad_field\.json: records\.S\.fields\.ssn is required"):
        read(sample_path, ReadContext(icesa_layout=bad_field))
    assert not issubclass(IcesaLayoutError, StructuralError)  # a setup error, not a bad file


# --------------------------------------------------------------------------------------------------
# Privacy


def test_no_values_in_errors_or_warnings(tmp_path: Path) -> None:
    base = icesa_lines(sample_employers())
    variants = [_edit(base, case) for case in (
        "s_before_e", "missing_t", "missing_last_t", "missing_f", "missing_f_and_t", "data_after_f",
        "unknown_type", "no_a", "e_after_e", "blank_line_inside")]
    variants.append(icesa_lines(sample_employers(), s_count=99))
    variants.append(icesa_lines(sample_employers(), e_count=99))
    variants.append(base[:4] + [base[4] + "X"] + base[5:])  # over-long S record
    variants.append(base[:4] + [base[4][:20] + "\x00" + base[4][21:]] + base[5:])
    variants.append(base[:4] + [base[4][:20] + "\x07" + base[4][21:]] + base[5:])
    messages = []
    for i, lines in enumerate(variants):
        messages.append(structural(write_lines(tmp_path / f"bad{i}.txt", lines)))
    employers = sample_employers()
    employers[1].t_cents = 1
    employers[1].t_count = 9
    ctx = ReadContext()
    rows(write_lines(tmp_path / "warn.txt", [line.rstrip() for line in icesa_lines(employers)]), ctx)
    messages += ctx.warnings
    assert len(ctx.warnings) == 2
    for message in messages:
        for secret in SAMPLE_SECRETS:
            assert secret not in message, (secret, message)


# --------------------------------------------------------------------------------------------------
# Streaming and speed


def test_large_file_streams_quickly(tmp_path: Path) -> None:
    """~200k S records: streamed in batches, within a sanity bound on the CPU time of this process
    (not wall time, which follows the machine's load; about 3 s here), far above the expected."""
    groups, per_group = 400, 500
    s_template = record(DEFAULT_LAYOUT, "S", {"last_name": "LAST", "first_name": "FIRST", "wages": 123456,
                                              "reporting_period": "122024", "employer_account": "ACCT"})
    e_record = record(DEFAULT_LAYOUT, "E", {"payment_year": "2024", "employer_fein": "581111111",
                                            "employer_account": "ACCT", "naics_code": "518210",
                                            "reporting_quarter": "12"})
    t_record = record(DEFAULT_LAYOUT, "T", {"employee_count": per_group, "wages": 123456 * per_group})
    path = tmp_path / "big.txt"
    with path.open("w", encoding="latin-1", newline="") as fh:
        fh.write(record(DEFAULT_LAYOUT, "A") + "\r\n")
        n = 0
        for _ in range(groups):
            fh.write(e_record + "\r\n")
            for _ in range(per_group):
                n += 1
                fh.write("S" + f"{n:09d}" + s_template[10:] + "\r\n")
            fh.write(t_record + "\r\n")
        fh.write(record(DEFAULT_LAYOUT, "F", {"s_record_count": n, "e_record_count": groups}) + "\r\n")
    start = time.process_time()
    total = problems = batches = 0
    for batch in read_icesa(path, CONTRACT, ReadContext()):
        batches += 1
        total += batch.num_rows
        problems += batch.num_rows - batch.column("_problem_reason").null_count
    elapsed = time.process_time() - start
    assert total == groups * per_group == 200_000
    assert problems == 0
    assert batches >= 2  # streamed in bounded batches, not one table
    assert elapsed < 20, f"reading 200k ICESA records took {elapsed:.1f} s of CPU"
