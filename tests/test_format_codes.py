"""One normalizer per code system (`landing/codes.py`), and what every format does with it.

PESC, CLR, Open Badges and CTDL restore a CIP's dropped leading zero (`1.0105` -> `01.0105`) and read
O*NET-SOC codes as SOC, through the same functions; CSV layouts stay strict (docs/submission_manual.md
§5: a CIP that is not `NN.NNNN` is a row-level reject), so the same values written in a CSV are
rejected with the contract's reason. Each case runs through ingestion, as a state's file would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.landing import codes
from dagster_project.landing.ingest import FileResult, ingest_kind
from dagster_project.settings import Settings
from tests import pesc_samples as pesc
from tests.badge_samples import (
    ISSUER,
    achievement,
    alignment,
    clr_credential,
    identity_object,
    ob3_credential,
    write_json,
)
from tests.icesa_samples import Employee, Employer, icesa_lines, write_lines
from tests.support.landing import LandingBuilder
from tests.support.pipeline import TEST_KEY

DROPPED_ZERO_CIP = "1.0105"
ONET_SOC = "15-1252.00"
CIP_REASON = "cip_code: not a CIP 2020 code NN.NNNN"
SOC_REASON = "soc_code: not a SOC 2018 code NN-NNNN"
NAICS_REASON = "naics_code: not a NAICS code (2-6 digits)"


# -- the normalizers -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "bare_digits", "expected"), [
    ("52.0201", False, "52.0201"), ("1.0105", False, "01.0105"), (" 01.0105 ", False, "01.0105"),
    ("520201", True, "52.0201"), ("520201", False, None), ("10105", True, None), ("52.02", True, None),
    ("52.02011", True, None), ("Welding", True, None), ("", True, None), (None, True, None),
])
def test_cip(text: str | None, bare_digits: bool, expected: str | None) -> None:
    assert codes.cip(text, bare_digits) == expected


@pytest.mark.parametrize(("text", "bare_digits", "expected"), [
    ("15-1252", False, "15-1252"), ("15-1252.00", False, "15-1252"), ("151252", True, "15-1252"),
    ("151252.00", True, "15-1252"), ("151252", False, None), ("15-12", True, None), ("Welders", True, None),
    ("15-1252 Welders", True, None), (None, False, None),
])
def test_soc(text: str | None, bare_digits: bool, expected: str | None) -> None:
    assert codes.soc(text, bare_digits) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("62", "62"), ("541511", "541511"), (" 6211 ", "6211"), ("31-33", "31-33"), ("5", None),
    ("5415111", None), ("5415-11", None), ("NAICS", None), (None, None),
])
def test_naics(text: str | None, expected: str | None) -> None:
    assert codes.naics(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("2020-05-04", "2020-05-04"), ("2020-05-04T10:00:00Z", "2020-05-04"),
    ("2020-05-04T23:30:00.123-05:00", "2020-05-04"), ("2020-05-04t10:00", "2020-05-04"),
    ("2020-05-04 10:00:00", "2020-05-04"), ("2020-05-04Z", "2020-05-04"), ("2020-05-04-05:00", "2020-05-04"),
    ("05/04/2020", "2020-05-04"), ("5/4/2020", "2020-05-04"), ("2020-02-30", "2020-02-30"),
    ("2020-05-04Tnoon", None), ("May 4, 2020", None), ("2020/05/04", None), ("", None), (None, None),
])
def test_date_part(text: str | None, expected: str | None) -> None:
    """The date as written (offsets ignored); calendar validity is validation's job."""
    assert codes.date_part(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("2020-02-29", True), ("2021-02-29", False), ("2020-13-01", False), ("05/04/2020", False), (None, False),
])
def test_is_date(text: str | None, expected: bool) -> None:
    assert codes.is_date(text) is expected


# -- every format, through ingestion ---------------------------------------------------------------


@dataclass
class Landed:
    root: Path
    results: dict[str, FileResult]

    def lake(self, table: str, source_format: str) -> list[dict]:
        con = duckdb.connect()
        try:
            cur = con.execute(
                f"select * from read_parquet('{self.root}/warehouse/lake/{table}/*.parquet', "
                "union_by_name = true) where source_format = ? order by file_seq, line_number",
                [source_format],
            )
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        finally:
            con.close()

    def rejects(self, kind: str, file_name: str) -> list[tuple[int, str]]:
        con = duckdb.connect()
        try:
            return con.execute(
                f"select line_number, reason from read_parquet('{self.root}/warehouse/lake/_audit/"
                f"rejected_rows__{kind}.parquet') where file_name = ? order by line_number",
                [file_name],
            ).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> Landed:
    """One landing zone holding every format, each with a CIP written `1.0105` (and SOC / NAICS
    codes where the format carries them)."""
    root = tmp_path_factory.mktemp("codes")
    b = LandingBuilder(root / "landing")
    b.provider("P1", fice="001234", badge_issuer_id=ISSUER)
    b.program("P1", "WELD")
    for p in [b.person() for _ in range(20)]:
        b.transcript("cip_20240101.csv", p, "P1", "WELD", date(2022, 9, 1))
        b.noncredit("soc_20240101.csv", p, "P1", "WELD", date(2022, 9, 1))
        b.noncredit("cip_20240102.csv", p, "P1", "WELD", date(2022, 9, 1))
        b.wage("naics_20240101.csv", p, 2024, 1, 1000)
    for (kind, name), line, values in [
        (("transcripts", "cip_20240101.csv"), 5, {"cip_code": DROPPED_ZERO_CIP}),
        (("noncredit", "soc_20240101.csv"), 6, {"soc_code": ONET_SOC}),
        (("noncredit", "cip_20240102.csv"), 7, {"cip_code": DROPPED_ZERO_CIP}),
        (("wages", "naics_20240101.csv"), 4, {"naics_code": "5415-11"}),
    ]:
        b.files[(kind, name)][line - 2].update(values)  # line 1 is the header
    land = b.write()

    award = pesc.Award(level="2.4", date="2023-05-15", programs=[pesc.Program(DROPPED_ZERO_CIP)])
    record = pesc.Record(school=pesc.Org(fice="001234"), awards=[award],
                         sessions=[pesc.Session(begin="2022-09-01", end="2023-05-10")])
    (land / "transcripts" / "pesc_20240101.xml").write_bytes(
        pesc.encode(pesc.transcript([pesc.Learner(records=[record])])))

    ssn = [identity_object("nationalIdentityNumber", "123-45-6789")]
    ach = achievement(alignments=[alignment("CIP 2020", DROPPED_ZERO_CIP), alignment("O*NET-SOC", ONET_SOC)])
    write_json(land / "noncredit", "badge_20240101.json", ob3_credential(ach=ach, identifiers=ssn))
    nested = ob3_credential(ach=achievement("AssociateDegree", alignments=[
        alignment("CIP 2020", DROPPED_ZERO_CIP)]), identifiers=ssn)
    write_json(land / "transcripts", "clr_20240101.json", clr_credential([nested]))

    cip_framework = {"ceterms:frameworkName": "CIP 2020"}
    write_json(land / "reference", "ctdl_20240101.json", {
        "@type": "ceterms:Certificate", "ceterms:ctid": "ce-00000000-0000-4000-8000-000000000001",
        "ceterms:name": "Welding",
        "ceterms:instructionalProgramType": [{"ceterms:codedNotation": DROPPED_ZERO_CIP, **cip_framework}],
        "ceterms:occupationType": [{"ceterms:codedNotation": ONET_SOC, "ceterms:frameworkName": "O*NET-SOC"}],
        "ceterms:industryType": [{"ceterms:codedNotation": "541511", "ceterms:frameworkName": "NAICS"}],
    })

    employers = [Employer(f"58{i:07d}", f"ACCT{i:07d}", "541511",
                          [Employee(f"2{i:02d}456789", "LAST", "FIRST", 100000 + i)]) for i in range(11)]
    employers[3].naics = "51-82"
    write_lines(land / "wages" / "icesa_20240101.txt", icesa_lines(employers))

    settings = Settings.load({"landing_dir": land, "warehouse_dir": root / "warehouse", "hash_key": TEST_KEY},
                             environ={})
    results = {}
    for kind in ("reference", "transcripts", "noncredit", "wages"):
        results |= {r.file.name: r for r in ingest_kind(kind, settings, warn=lambda _m: None).files}
    return Landed(root, results)


@pytest.mark.parametrize(("file_name", "table", "source_format", "column", "normalized"), [
    ("pesc_20240101.xml", "transcripts", "pesc_xml", "cip_code", "01.0105"),
    ("clr_20240101.json", "transcripts", "clr_json", "cip_code", "01.0105"),
    ("badge_20240101.json", "noncredit", "ob3_json", "cip_code", "01.0105"),
    ("badge_20240101.json", "noncredit", "ob3_json", "soc_code", "15-1252"),
    ("ctdl_20240101.json", "credential_definitions", "ctdl_json", "cip_codes", "01.0105"),
    ("ctdl_20240101.json", "credential_definitions", "ctdl_json", "soc_codes", "15-1252"),
    ("ctdl_20240101.json", "credential_definitions", "ctdl_json", "naics_codes", "541511"),
])
def test_structured_formats_load_the_normalized_code(
    landed: Landed, file_name: str, table: str, source_format: str, column: str, normalized: str
) -> None:
    """A PESC award with CIP `1.0105` used to be kept as written and rejected; now, as in every
    structured format, it loads as `01.0105` (and an O*NET-SOC code as its SOC)."""
    result = landed.results[file_name]
    assert (result.status, result.counts.rows_rejected) == ("LOADED", 0), result.message
    rows = landed.lake(table, source_format)
    assert [r[column] for r in rows] == [normalized]


@pytest.mark.parametrize(("kind", "file_name", "line", "reason"), [
    ("transcripts", "cip_20240101.csv", 5, CIP_REASON),
    ("noncredit", "cip_20240102.csv", 7, CIP_REASON),
    ("noncredit", "soc_20240101.csv", 6, SOC_REASON),
    ("wages", "naics_20240101.csv", 4, NAICS_REASON),
])
def test_csv_codes_are_judged_as_written(landed: Landed, kind: str, file_name: str, line: int,
                                         reason: str) -> None:
    """Spec §5: a CSV row whose CIP is not `NN.NNNN` is a row-level reject (outside tests feed such
    rows), and so is an O*NET-SOC where a SOC is due or a NAICS that is not 2-6 digits."""
    result = landed.results[file_name]
    assert (result.status, result.counts.rows_read, result.counts.rows_rejected) == (
        "LOADED_WITH_REJECTS", 20, 1)
    assert landed.rejects(kind, file_name) == [(line, reason)]


def test_icesa_naics_is_judged_as_written(landed: Landed) -> None:
    """ICESA's NAICS is a fixed digit field: like the wage CSV it is not normalized (its S row is
    rejected), and 1 rejected row of 11 loads the rest."""
    result = landed.results["icesa_20240101.txt"]
    assert (result.status, result.counts.rows_read, result.counts.rows_rejected) == (
        "LOADED_WITH_REJECTS", 11, 1)
    [(line, reason)] = landed.rejects("wages", "icesa_20240101.txt")
    assert reason == NAICS_REASON and line == 3 + 3 * 3 + 1  # A, B, then the 4th group's S record
