"""The contract lives in the repository: the worked examples in tests/fixtures/ and the docs/ pages.

A clone must run the acceptance tests and read the contract without the shared folder, so:
(a) the fixtures are exact copies of the shared examples (checked whenever the shared folder exists);
(b) each docs page keeps every numbered section of the contract, so code citing
    `docs/submission_manual.md §2.1` never points at nothing;
(c) no page links outside the repository, and every relative link and anchor resolves.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dagster_project.landing.discovery import KINDS, file_time
from dagster_project.project_paths import PROJECT_DIR
from tests.conftest import SHARED_DIR

FIXTURES_DIR = PROJECT_DIR / "tests" / "fixtures"
DOCS_DIR = PROJECT_DIR / "docs"
SPEC = SHARED_DIR / "spec" / "LER_SPEC.md"

# fixture folder -> the shared example it copies
EXAMPLES = {"example_v1": "example", "example_v2": "example_v2"}

# The contract's numbered sections: (number, how its title starts, the page that holds it).
SECTIONS = [
    ("1", "Landing zone", "submission_manual.md"),
    ("2", "File layouts", "submission_manual.md"),
    ("2.1", "Transcript Extract", "submission_manual.md"),
    ("2.2", "Noncredit Extract", "submission_manual.md"),
    ("2.3", "UI Wage Extract", "submission_manual.md"),
    ("2.4", "ICESA wage report", "submission_manual.md"),
    ("2.5", "Reference files", "submission_manual.md"),
    ("3", "Shared credential data dictionary", "submission_manual.md"),
    ("4", "Identity and privacy", "submission_manual.md"),
    ("5", "Bad input", "submission_manual.md"),
    ("6", "Time rules", "reporting_rules.md"),
    ("7", "Outcome tables", "reporting_rules.md"),
    ("7.1", "`wpell_program_outcomes`", "reporting_rules.md"),
    ("7.2", "`program_outcomes`", "reporting_rules.md"),
    ("7.3", "`statewide_outcomes`", "reporting_rules.md"),
    ("7.4", "`run_metadata`", "reporting_rules.md"),
    ("7.5", "`statewide_outcomes_by_group`", "reporting_rules.md"),
    ("8", "Suppression", "reporting_rules.md"),
    ("9", "Running it", "reporting_rules.md"),
]

# "## 2. File layouts" or "### 2.1 Transcript Extract ...": (level, number, title)
_NUMBERED_HEADING = re.compile(r"^(#{2,3}) (\d+(?:\.\d+)?)\.? (.+)$", re.MULTILINE)
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6} (.+)$", re.MULTILINE)


def _doc_files() -> list[Path]:
    return sorted(DOCS_DIR.glob("*.md")) + [FIXTURES_DIR / "README.md"]


def _files_under(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def _numbered_headings(text: str) -> list[tuple[int, str, str]]:
    return [(len(h), num, title.strip()) for h, num, title in _NUMBERED_HEADING.findall(text)]


def _expected_level(number: str) -> int:
    return 3 if "." in number else 2


def _anchors(markdown: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, -1, -2 for repeats."""
    seen: dict[str, int] = {}
    anchors = set()
    for title in _HEADING.findall(markdown.read_text(encoding="utf-8")):
        slug = re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


# (a) fixtures ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_fixture_is_a_complete_example(name: str) -> None:
    root = FIXTURES_DIR / name
    assert (root / "README.md").is_file()
    assert (root / "expected" / "load_expectations.json").is_file()
    for table in ("wpell_program_outcomes", "program_outcomes", "statewide_outcomes"):
        assert (root / "expected" / f"{table}.csv").is_file()
    for kind in KINDS:
        assert any((root / "landing" / kind).iterdir()), f"{name}/landing/{kind} is empty"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_fixture_equals_the_shared_example_byte_for_byte(name: str) -> None:
    shared = SHARED_DIR / "spec" / EXAMPLES[name]
    if not shared.is_dir():
        pytest.skip(f"shared example not present at {shared}")
    ours, theirs = _files_under(FIXTURES_DIR / name), _files_under(shared)
    assert sorted(ours) == sorted(theirs)
    differing = [rel for rel in sorted(ours) if ours[rel].read_bytes() != theirs[rel].read_bytes()]
    assert differing == []


def test_only_files_whose_order_cannot_matter_lack_a_date_stamp() -> None:
    """A clone gives every file the checkout time; tests/fixtures/README.md shows why these files'
    order changes no outcome. A new unstamped file needs that check again (or a stamp)."""
    undated = []
    for name in sorted(EXAMPLES):
        for rel, path in _files_under(FIXTURES_DIR / name / "landing").items():
            mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
            if file_time(path) == mtime:
                undated.append(rel)
    assert undated, "expected the reference files and the PESC transcripts to have no stamp"
    assert [
        rel
        for rel in undated
        if not (rel.startswith("reference/") or re.fullmatch(r"transcripts/pesc_SUN_\d{5}\.xml", rel))
    ] == []


# (b) every section of the contract ---------------------------------------------------------------


@pytest.mark.parametrize("page", ["submission_manual.md", "reporting_rules.md"])
def test_page_has_every_section_of_the_contract_in_order(page: str) -> None:
    found = _numbered_headings((DOCS_DIR / page).read_text(encoding="utf-8"))
    wanted = [(num, title) for num, title, where in SECTIONS if where == page]
    assert [num for _level, num, _title in found] == [num for num, _title in wanted]
    for (level, num, title), (_num, start) in zip(found, wanted, strict=True):
        assert level == _expected_level(num), f"{page} §{num}: heading level {level}"
        assert title.startswith(start), f"{page} §{num}: {title!r} does not start with {start!r}"


def test_section_list_matches_the_shared_contract() -> None:
    if not SPEC.is_file():
        pytest.skip(f"shared contract not present at {SPEC}")
    spec = _numbered_headings(SPEC.read_text(encoding="utf-8"))
    assert [num for _level, num, _title in spec] == [num for num, _title, _page in SECTIONS]
    for (level, num, title), (_num, start, _page) in zip(spec, SECTIONS, strict=True):
        assert level == _expected_level(num)
        assert title.startswith(start), f"contract §{num} is now {title!r}"


# (c) links stay inside the repository ------------------------------------------------------------


@pytest.mark.parametrize("doc", _doc_files(), ids=lambda p: p.relative_to(PROJECT_DIR).as_posix())
def test_doc_links_stay_inside_the_repository(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    assert "../shared" not in text and "/work/shared" not in text
    problems = []
    for target in _LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            problems.append(f"{target}: links outside the repository")
            continue
        path_part, _, anchor = target.partition("#")
        resolved = (doc.parent / path_part).resolve() if path_part else doc.resolve()
        if not resolved.is_relative_to(PROJECT_DIR.resolve()):
            problems.append(f"{target}: outside the repository")
        elif not resolved.exists():
            problems.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            problems.append(f"{target}: no such heading")
    assert problems == []
