"""The sample-data generator writes a deterministic landing zone in the spec's layouts
(docs/submission_manual.md §1-§4).

These tests read the files with the standard library only (csv, xml.etree, json), never with the
warehouse's parsers, so the generator stays an independent check on them. Expected column lists are
copied from the spec tables here on purpose, not imported from the generator.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from sample_data.generate import generate, main
from sample_data.landing import MARKER

SPEC_TRANSCRIPT = ["provider_id", "student_id", "ssn", "first_name", "last_name", "birth_date", "sex",
                   "race_ethnicity", "program_id", "cip_code", "award_level", "enrollment_start_date",
                   "enrollment_end_date", "exit_reason", "credits_attempted", "credits_earned", "award_date",
                   "award_title", "pell_recipient"]
SPEC_NONCREDIT = ["provider_id", "learner_id", "ssn", "first_name", "last_name", "birth_date", "sex",
                  "race_ethnicity", "program_id", "cip_code", "soc_code", "clock_hours_completed",
                  "start_date", "end_date", "exit_reason", "credential_type", "credential_name",
                  "credential_date", "credential_ctid", "tuition_fees_charged", "funding_source"]
SPEC_WAGES = ["ssn", "last_name", "first_name", "employer_account", "employer_fein", "year", "quarter",
              "wages", "naics_code", "county_fips", "hours"]
SPEC_PROVIDERS = ["provider_id", "provider_name", "provider_type", "ipeds_unitid", "opeid", "fice",
                  "badge_issuer_id", "region"]
SPEC_PROGRAMS = ["provider_id", "program_id", "program_name", "cip_code", "soc_codes", "credit_type",
                 "credential_level", "clock_hours", "credit_hours", "weeks", "tuition_fees",
                 "wpell_candidate", "start_date"]
RACE_CODES = {"HISP", "AIAN", "ASIAN", "BLACK", "NHPI", "WHITE", "MULTI", "NRA", "UNK", ""}
SPEC_IN_DEMAND = ["soc_code", "title", "designation"]
EXCLUDED = {"INCARCERATED", "DECEASED", "MILITARY", "MEDICAL"}
LAST_WAGE_QUARTER = 2025 * 4 + 1  # 2025Q2
SIZE = 400


# ---------------------------------------------------------------- helpers (spec rules, written anew)

def valid_ssn(raw: str) -> bool:
    """docs/submission_manual.md §4: 9 digits; area not 000, 666 or 900-999; group not 00; serial not 0000."""
    s = raw.replace("-", "")
    return (len(s) == 9 and s.isdigit() and s[:3] not in ("000", "666") and s[0] != "9" and s[3:5] != "00"
            and s[5:] != "0000")


def parse_date(text: str) -> date | None:
    if not text:
        return None
    if "/" in text:
        month, day, year = text.split("/")
        return date(int(year), int(month), int(day))
    return date.fromisoformat(text)


def try_date(text: str) -> date | None:
    """None for the deliberately impossible dates (rows the pipeline must reject)."""
    try:
        return parse_date(text)
    except ValueError:
        return None


def quarter_index(d: date) -> int:
    return d.year * 4 + (d.month - 1) // 3


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def dict_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def education_files(root: Path) -> list[Path]:
    return sorted((root / "transcripts").glob("TRN_*.csv")) + sorted((root / "noncredit").glob("NC_*.csv"))


def catalog_keys(root: Path) -> set[tuple[str, str]]:
    return {(p["provider_id"], p["program_id"]) for p in dict_rows(root / "reference" / "programs.csv")}


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
    return {str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def stamp_of(path: Path) -> str:
    match = re.search(r"_(\d{8})\.[a-z]+$", path.name)
    assert match, path.name
    return match.group(1)


def xml_root(path: Path) -> ET.Element:
    return ET.fromstring(path.read_bytes())


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def find_all(elem: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in elem.iter() if local(e.tag) == name]


def load_json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("landing") / "lz"
    generate(root, SIZE, 11)
    return root


@pytest.fixture(scope="module")
def education_rows(landing: Path) -> list[dict[str, str]]:
    rows = []
    for path in education_files(landing):
        if "addendum" not in path.name:  # the file without program_id, tested on its own
            rows += [dict(r, _file=path.name) for r in dict_rows(path)]
    return rows


@pytest.fixture(scope="module")
def wage_rows(landing: Path) -> list[dict[str, str]]:
    rows = []
    for path in sorted((landing / "wages").glob("*.csv")):
        rows += [dict(r, _file=path.name) for r in dict_rows(path)]
    return rows


# ---------------------------------------------------------------- determinism and scale

def test_same_seed_gives_identical_files_and_mtimes(tmp_path: Path) -> None:
    generate(tmp_path / "a", 200, 5)
    generate(tmp_path / "b", 200, 5)
    first, second = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert first == second
    assert MARKER in first


def test_different_seed_gives_different_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", 200, 5)
    generate(tmp_path / "b", 200, 6)
    first, second = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    changed = [name for name in first.keys() & second.keys() if first[name][0] != second[name][0]]
    assert len(changed) > len(first) // 2


def test_learners_option_scales_the_population(tmp_path: Path) -> None:
    def people(root: Path) -> int:
        ids = set()
        for path in education_files(root):
            for r in dict_rows(path):
                ids.add((r["first_name"], r["last_name"], r["birth_date"]))
        return len(ids)

    generate(tmp_path / "small", 100, 3)
    generate(tmp_path / "large", 600, 3)
    assert people(tmp_path / "large") > 4 * people(tmp_path / "small")


def test_workforce_pell_cohorts_are_big_enough_at_default_size(tmp_path: Path) -> None:
    """Every candidate program x award year has >= 10 members, so rates get computed."""
    root = tmp_path / "default"
    generate(root, 1500)
    programs = dict_rows(root / "reference" / "programs.csv")
    candidates = {(p["provider_id"], p["program_id"]) for p in programs if p["wpell_candidate"] == "Y"}
    cohorts: Counter[tuple[str, str, int]] = Counter()
    for path in education_files(root):
        for r in dict_rows(path):
            start = try_date(r.get("enrollment_start_date") or r.get("start_date", ""))
            if (r["provider_id"], r.get("program_id", "")) in candidates and start is not None:
                year = start.year if start.month >= 7 else start.year - 1
                cohorts[(r["provider_id"], r["program_id"], year)] += 1
    assert {(p, g) for p, g, _ in cohorts} == candidates
    assert min(cohorts.values()) >= 10


# ---------------------------------------------------------------- layout conformance

def test_csv_headers_match_the_spec(landing: Path) -> None:
    expected = {"providers.csv": SPEC_PROVIDERS, "programs.csv": SPEC_PROGRAMS,
                "in_demand_occupations.csv": SPEC_IN_DEMAND}
    for name, columns in expected.items():
        assert read_csv(landing / "reference" / name)[0] == columns
    for path in (landing / "transcripts").glob("*.csv"):
        header = read_csv(path)[0]
        if "addendum" in path.name:  # the deliberately broken file
            assert header == [c for c in SPEC_TRANSCRIPT if c != "program_id"]
        else:
            assert header == SPEC_TRANSCRIPT, path.name
    for path in (landing / "noncredit").glob("*.csv"):
        assert read_csv(path)[0] == SPEC_NONCREDIT, path.name
    for path in (landing / "wages").glob("*.csv"):
        assert read_csv(path)[0] == SPEC_WAGES, path.name


def test_every_file_name_and_format(landing: Path) -> None:
    allowed = {"reference": {".csv", ".json"}, "transcripts": {".csv", ".xml", ".json"},
               "noncredit": {".csv", ".json"}, "wages": {".csv", ".txt"}}
    for kind, suffixes in allowed.items():
        files = sorted((landing / kind).iterdir())
        assert files, kind
        for path in files:
            assert path.suffix in suffixes, path
            if kind != "reference":
                assert re.search(r"_\d{8}\.[a-z]+$", path.name), path.name
            if path.suffix == ".csv":
                header, rows = read_csv(path)
                assert rows, path.name
            elif path.suffix == ".json":
                assert isinstance(load_json(path), dict | list)
            elif path.suffix == ".xml":
                assert local(xml_root(path).tag) in ("CollegeTranscript", "HighSchoolTranscript")
    assert (landing / MARKER).is_file()


def test_reference_codes_are_consistent(landing: Path) -> None:
    providers = {p["provider_id"]: p for p in dict_rows(landing / "reference" / "providers.csv")}
    programs = dict_rows(landing / "reference" / "programs.csv")
    in_demand = {r["soc_code"] for r in dict_rows(landing / "reference" / "in_demand_occupations.csv")}
    types = {p["provider_type"] for p in providers.values()}
    assert {"PUBLIC_2YR", "PUBLIC_4YR", "NONCREDIT", "APPRENTICESHIP_SPONSOR", "CERT_BODY"} <= types
    colleges = [p for p in providers.values() if p["provider_type"].startswith("PUBLIC")]
    assert colleges and all(p["fice"] and p["opeid"] for p in colleges)
    assert any(p["badge_issuer_id"].startswith("https://") for p in providers.values())
    levels = {p["credential_level"] for p in programs}
    assert {"ASSOC", "BACH", "MAST", "NC_CERT", "IND_CERT", "APPRENTICESHIP"} <= levels
    wpell = [p for p in programs if p["wpell_candidate"] == "Y"]
    meets = [p for p in wpell if 150 <= int(p["clock_hours"]) <= 599 and 8 <= int(p["weeks"]) < 15]
    assert meets and len(meets) < len(wpell)  # some candidates fail the length test
    assert any(not set(p["soc_codes"].split(";")) & in_demand for p in wpell)
    assert any(";" in p["soc_codes"] for p in programs)
    for p in programs:
        assert p["provider_id"] in providers
        assert re.fullmatch(r"\d\d\.\d{4}", p["cip_code"])


def test_education_rows_use_valid_codes(education_rows: list[dict[str, str]], landing: Path) -> None:
    programs = catalog_keys(landing)
    good = [r for r in education_rows if (r["provider_id"], r["program_id"]) in programs]
    assert len(good) > 0.97 * len(education_rows)
    for r in good:
        assert r["sex"] in {"F", "M", "X", "U", ""}
        assert r["race_ethnicity"] in RACE_CODES
        assert r["exit_reason"] in {"COMPLETED", "WITHDREW", "TRANSFERRED", "ENROLLED"} | EXCLUDED | {""}
        if "award_level" in r:
            assert r["award_level"] in {"1A", "1B", "2", "3", "4", "5", "6", "7", "8", "17", "18", "19"}
        else:
            assert r["credential_type"] in {"NC_CERT", "IND_CERT", "LICENSE", "APPRENTICESHIP", "BADGE", ""}
            assert r["funding_source"] in {"WPELL", "WIOA", "PELL", "EMPLOYER", "SELF", "OTHER", ""}


def test_icesa_report_is_well_formed(landing: Path) -> None:
    [path] = list((landing / "wages").glob("*.txt"))
    assert not list((landing / "wages").glob(f"*{path.name.split('_')[2]}_*.csv"))  # this quarter: ICESA only
    raw = path.read_bytes()
    assert raw.endswith(b"\r\n")
    records = raw.decode("ascii").split("\r\n")[:-1]
    assert all(len(r) == 275 for r in records)
    kinds = "".join(r[0] for r in records)
    assert re.fullmatch(r"AB(ES+T)+F", kinds)
    n_s = n_e = 0
    group: list[str] = []
    for rec in records:
        if rec[0] == "E":
            n_e += 1
            employer, quarter_code, group = rec[176:191].strip(), rec[270:272], []
            assert quarter_code in {"03", "06", "09", "12"}
            assert rec[5:14].isdigit() and rec[211:217].strip().isdigit() or rec[211:217].strip() == ""
        elif rec[0] == "S":
            n_s += 1
            assert valid_ssn(rec[1:10])
            assert rec[141:156].strip() == employer
            assert rec[135:137] == quarter_code
            group.append(rec)
        elif rec[0] == "T":
            assert int(rec[1:8]) == len(group)
            assert int(rec[22:36]) == sum(int(s[63:77]) for s in group)
    final = records[-1]
    assert int(final[1:11]) == n_s and int(final[11:21]) == n_e


def test_pesc_transcripts(landing: Path) -> None:
    providers = dict_rows(landing / "reference" / "providers.csv")
    fices = {p["fice"] for p in providers if p["fice"]}
    opeids = {p["opeid"] for p in providers if p["opeid"]}
    files = sorted((landing / "transcripts").glob("*.xml"))
    boms = {p.name: p.read_bytes()[:2] == b"\xff\xfe" for p in files}
    assert any(boms.values()) and not all(boms.values())
    codes, roots = set(), set()
    for path in files:
        root = xml_root(path)
        roots.add(local(root.tag))
        school = find_all(root, "School")[0]
        ids = {local(e.tag): (e.text or "") for e in school}
        assert ids.get("FICE") in fices or ids.get("OPEID") in opeids
        codes |= {e.text for e in find_all(root, "AcademicAwardLevel")}
        assert find_all(root, "SessionBeginDate")
    assert {"CollegeTranscript", "HighSchoolTranscript"} <= roots
    assert any(c.startswith("IPEDS") for c in codes)
    assert {"2.4", "4.2"} <= codes
    assert any(re.fullmatch(r"B(1[7-9]|2[0-8])", c) for c in codes)


# ---------------------------------------------------------------- realism features

def test_learner_identity_and_enrollment_features(education_rows: list[dict[str, str]]) -> None:
    ssns = [r["ssn"] for r in education_rows]
    assert any(s == "" for s in ssns)
    assert any(s and not valid_ssn(s) for s in ssns)
    assert any("-" in s for s in ssns)
    by_person = Counter(r["ssn"].replace("-", "") for r in education_rows if valid_ssn(r["ssn"]))
    assert max(by_person.values()) >= 2  # someone enrolled twice (e.g. certificate then degree)
    reasons = {r["exit_reason"] for r in education_rows}
    assert {"COMPLETED", "WITHDREW", "TRANSFERRED", "ENROLLED"} <= reasons
    assert reasons & EXCLUDED
    names = {r["last_name"] for r in education_rows} | {r["first_name"] for r in education_rows}
    assert any("'" in n or " " in n or not n.isascii() for n in names)
    awards = [try_date(r.get("award_date") or r.get("credential_date", "")) for r in education_rows]
    recent = [a for a in awards if a and quarter_index(a) + 2 > LAST_WAGE_QUARTER]
    assert recent  # completers whose +2 quarter is not yet observed


def test_resubmitted_transcript_adds_awards(landing: Path) -> None:
    groups = defaultdict(list)
    for path in (landing / "transcripts").glob("TRN_*.csv"):
        groups[path.name.rsplit("_", 1)[0]].append(path)
    [(_, paths)] = [(k, v) for k, v in groups.items() if len(v) == 2]
    first, later = sorted(paths, key=stamp_of)

    def keyed(path: Path) -> dict[tuple[str, ...], dict[str, str]]:
        return {(r["provider_id"], r["student_id"], r["program_id"], r["enrollment_start_date"]): r
                for r in dict_rows(path)}

    before, after = keyed(first), keyed(later)
    assert before.keys() == after.keys()
    added = [k for k in after if after[k]["award_date"] and not before[k]["award_date"]]
    assert added


def test_wage_file_features(landing: Path, wage_rows: list[dict[str, str]],
                            education_rows: list[dict[str, str]]) -> None:
    files = sorted((landing / "wages").glob("*.csv"))
    digests = Counter(hashlib.sha256(p.read_bytes()).hexdigest() for p in files)
    assert max(digests.values()) == 2  # one byte-identical copy
    by_quarter = defaultdict(list)
    for p in files:
        by_quarter[p.name.split("_")[2]].append(p)
    amended = [sorted(v, key=stamp_of) for v in by_quarter.values() if len(v) == 2
               and len({hashlib.sha256(p.read_bytes()).digest() for p in v}) == 2]
    assert len(amended) == 1
    original, amendment = amended[0]
    first = {(r["ssn"], r["employer_account"]): r["wages"] for r in dict_rows(original)}
    second = {(r["ssn"], r["employer_account"]): r["wages"] for r in dict_rows(amendment)}
    assert any(k in first and first[k] != v for k, v in second.items())
    assert any(v == "0.00" and k in first and first[k] != "0.00" for k, v in second.items())
    good = [r for r in wage_rows if r["quarter"] in "1234" and not r["wages"].startswith("-")]
    employers = Counter((r["ssn"].replace("-", ""), r["year"], r["quarter"]) for r in good)
    assert max(employers.values()) >= 2
    learners = {r["ssn"].replace("-", "") for r in education_rows}
    assert {k[0] for k in employers} - learners  # people in wage files only
    for r in good[:2000]:
        assert re.fullmatch(r"\d{6}|", r["naics_code"]) and re.fullmatch(r"\d{5}", r["county_fips"])
        assert re.fullmatch(r"\d{9}", r["employer_fein"]) and re.fullmatch(r"\d+\.\d\d", r["wages"])
    quarters = {int(r["year"]) * 4 + int(r["quarter"]) - 1 for r in good}
    assert max(quarters) == LAST_WAGE_QUARTER and min(quarters) == 2016 * 4


def test_deliberately_bad_files(landing: Path, wage_rows: list[dict[str, str]]) -> None:
    [addendum] = list((landing / "transcripts").glob("*addendum*.csv"))
    assert "program_id" not in read_csv(addendum)[0]
    programs = catalog_keys(landing)
    bad_share = {}
    for path in (landing / "transcripts").glob("TRN_*.csv"):
        rows = dict_rows(path)
        if "program_id" not in rows[0]:
            continue
        bad = 0
        for r in rows:
            ok = (try_date(r["enrollment_start_date"]) is not None
                  and (r["provider_id"], r["program_id"]) in programs
                  and re.fullmatch(r"\d\d\.\d{4}", r["cip_code"]))
            bad += not ok
        if bad:
            bad_share[path.name] = bad / len(rows)
    assert bad_share and all(0 < s < 0.10 for s in bad_share.values())
    bad_wages = defaultdict(int)
    total = Counter(r["_file"] for r in wage_rows)
    for r in wage_rows:
        if r["wages"].startswith("-") or r["quarter"] not in "1234" or not valid_ssn(r["ssn"]):
            bad_wages[r["_file"]] += 1
    assert len(bad_wages) == 1
    [(name, n)] = bad_wages.items()
    assert n / total[name] < 0.10
    assert any(r["wages"].startswith("-") for r in wage_rows) and any(r["quarter"] == "5" for r in wage_rows)


def test_open_badges(landing: Path) -> None:
    providers = dict_rows(landing / "reference" / "providers.csv")
    issuers = {p["badge_issuer_id"]: p["provider_id"] for p in providers if p["badge_issuer_id"]}
    files = sorted((landing / "noncredit").glob("*.json"))
    docs = {p.name: load_json(p) for p in files}
    assert any(isinstance(d, dict) for d in docs.values()) and any(isinstance(d, list) for d in docs.values())
    creds = [c for d in docs.values() for c in (d if isinstance(d, list) else [d])]
    roster = defaultdict(list)
    for path in (landing / "noncredit").glob("NC_*.csv"):
        for r in dict_rows(path):
            roster[r["provider_id"]].append(r)
    kinds, routes = set(), Counter()
    for cred in creds:
        assert "OpenBadgeCredential" in cred["type"] or "AchievementCredential" in cred["type"]
        provider = issuers[cred["issuer"]["id"]]
        subject = cred["credentialSubject"]
        kinds.add(subject["achievement"]["achievementType"])
        assert subject["activityEndDate"] and any("CIP" in a["targetFramework"]
                                                  for a in subject["achievement"]["alignment"])
        ssns = {r["ssn"].replace("-", "") for r in roster[provider]}
        ids = {r["learner_id"] for r in roster[provider]}
        for ident in subject["identifier"]:
            if ident["identityType"] == "studentId":
                assert ident["identityHash"] in ids
                routes["studentId"] += 1
            elif ident["identityType"] == "nationalIdentityNumber" and ident["hashed"]:
                digest = ident["identityHash"].removeprefix("sha256$")
                assert any(hashlib.sha256((s + ident["salt"]).encode()).hexdigest() == digest for s in ssns)
                routes["hashed"] += 1
            elif ident["identityType"] == "nationalIdentityNumber":
                routes["plain"] += 1
    assert "Course" in kinds and kinds - {"Course"}
    assert routes["studentId"] >= 2 and routes["hashed"] >= 1 and routes["plain"] >= 1


def test_clr_and_ctdl(landing: Path, education_rows: list[dict[str, str]]) -> None:
    providers = dict_rows(landing / "reference" / "providers.csv")
    issuers = {p["badge_issuer_id"] for p in providers if p["badge_issuer_id"]}
    [clr_path] = list((landing / "transcripts").glob("*.json"))
    clr = load_json(clr_path)
    assert "ClrCredential" in clr["type"] and clr["issuer"]["id"] in issuers
    nested = clr["credentialSubject"]["verifiableCredential"]
    assert 2 <= len(nested) <= 3
    assert all("AchievementCredential" in c["type"] for c in nested)
    ctids = {r["credential_ctid"] for r in education_rows if r.get("credential_ctid")}
    docs = [load_json(p) for p in sorted((landing / "reference").glob("*.json"))]
    assert any("@graph" in d for d in docs) and any("@graph" not in d for d in docs)
    nodes = [n for d in docs for n in d.get("@graph", [d])]
    described = {n["ceterms:ctid"] for n in nodes if "ceterms:ctid" in n}
    assert described and described <= ctids
    assert all(re.fullmatch(r"ce-[0-9a-f-]{36}", c) for c in described)


# ---------------------------------------------------------------- output folder safety

def test_refuses_a_folder_it_did_not_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("not generator output")
    assert main(["--out", str(foreign), "--learners", "60"]) == 2
    assert "refusing" in capsys.readouterr().err
    assert sorted(p.name for p in foreign.iterdir()) == ["keep.txt"]


def test_rerun_replaces_only_its_own_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "lz"
    assert main(["--out", str(out), "--learners", "60"]) == 0
    assert "wrote" in capsys.readouterr().out
    (out / "wages" / "stale.csv").write_text("x")
    (out / "notes.txt").write_text("kept")
    assert main(["--out", str(out), "--learners", "60"]) == 0
    assert not (out / "wages" / "stale.csv").exists()
    assert (out / "notes.txt").read_text() == "kept"


def test_generator_never_imports_the_warehouse() -> None:
    """The parsers are tested against an independent writer, so sample_data must not use them."""
    package = Path(__file__).resolve().parents[1] / "sample_data"
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "dagster_project" for n in names), path.name


def test_csv_quoting_survives_round_trip(landing: Path) -> None:
    """Titles with commas are quoted; every row has the header's field count except the planted short line."""
    path = landing / "reference" / "in_demand_occupations.csv"
    text = path.read_text(encoding="utf-8")
    assert '"Welders, Cutters, Solderers, and Brazers"' in text
    short = 0
    for p in (landing / "wages").glob("*.csv"):
        header, rows = read_csv(p)
        short += sum(len(r) != len(header) for r in rows)
    assert short <= 1
    assert list(csv.reader(io.StringIO(text)))[1][0] == "51-4121"
