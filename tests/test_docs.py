"""The README stays true to the code: every LER_* variable the code reads is documented."""

from __future__ import annotations

import re

from dagster_project.project_paths import PROJECT_DIR

SOURCES = ["dagster_project", "sample_data", "tests/bench", "tests/conftest.py", "Makefile"]


def test_every_setting_variable_is_in_the_readme() -> None:
    used = set()
    for name in SOURCES:
        path = PROJECT_DIR / name
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.suffix in (".py", "")]
        for f in files:
            if f.is_file():
                used |= set(re.findall(r"\bLER_[A-Z_]*[A-Z]\b", f.read_text(encoding="utf-8")))
    used.discard("LER_SPEC")
    used.discard("LER_EXPORT")  # a consent scope of the contract (§2.5), not a variable
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    assert used and {v for v in used if v not in readme} == set()


def test_readme_opens_with_the_two_commands() -> None:
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    assert "make run" in first_block and "make test" in first_block
