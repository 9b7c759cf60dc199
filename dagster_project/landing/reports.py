"""The error report of a quarantined file: what an institution needs to fix it, and no values."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from dagster_project.landing.discovery import LandedFile


def write_quarantine_report(
    path: Path, f: LandedFile, reason: str, warnings: Iterable[str], problems: Iterable[tuple[int, str]]
) -> None:
    """`problems` are (line number, reason) pairs; reasons name fields and rules, never values."""
    problems = list(problems)
    lines = [
        f"file: {f.path}",
        f"sha256: {f.sha256}",
        f"kind: {f.kind}   format: {f.file_format}",
        "status: QUARANTINED (nothing from this file was loaded)",
        f"reason: {reason}",
    ]
    lines += [f"warning: {w}" for w in warnings]
    if problems:
        lines.append(f"row problems ({len(problems)}):")
        lines += [f"  line {line}: {why}" for line, why in problems]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
