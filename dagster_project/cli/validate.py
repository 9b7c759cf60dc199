"""`ler validate FILE`: check one submission file the way the pipeline would, without loading it
(docs/submission_manual.md §5, "Checking a file before sending it").

The file is judged by ingestion itself, in a scratch landing zone and warehouse that are deleted
afterwards, so the status announced is the one a run would give. Next to ingestion's verdict come
the advisory checks of `landing/advisories.py` (invalid SSNs, dates out of order, a wrong
delimiter, typos in the header, a file in the wrong folder), which never change what loads. Every
problem is printed with its line and field, never a value, and without pointers to tables a clerk
cannot open: the list is the answer. `--json` prints the same report as one JSON object for
submission portals (the shape is documented in docs/submission_manual.md §5 and `Report.to_json`).

Exit codes: 0 when the file would load (with or without rejected rows), 1 when it would be
quarantined, 2 for a usage error (no such file, unknown kind, no such reference folder).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from dagster_project.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail
from dagster_project.feedback.findings import RESTRICTED_POINTER_SQL
from dagster_project.landing.advisories import ERROR, WARNING, Finding, header_findings, row_findings
from dagster_project.landing.registry import Registry
from dagster_project.landing.validate import Counts
from dagster_project.settings import Settings

# The version of the `--json` shape; it changes only when a field changes meaning or goes away.
SCHEMA_VERSION = 1
QUARANTINED = "QUARANTINED"
_VERDICTS = {
    "LOADED": "every row would load",
    "LOADED_WITH_REJECTS": "the rows listed as errors would not load, the others would",
    QUARANTINED: "nothing from it would load: fix the errors and send it again",
}
# Notes of ingestion's manifest message that the counts line already says, and pointers to
# restricted tables (audit.*), which a clerk cannot open.
_RESTATED = (re.compile(r"^\d+ row\(s\) rejected\b"), re.compile(r"^\d+ exact duplicate line\(s\)"))
_POINTER = re.compile(RESTRICTED_POINTER_SQL)
_AT_LINE = re.compile(r"^line (\d+): (.*)$", re.S)
NO_REFERENCE = ("provider and program codes were not checked: no reference folder given "
                "(pass --reference DIR or set LER_LANDING_DIR)")


def register(sub: argparse._SubParsersAction, registry: Registry) -> None:
    kinds = ", ".join(registry.kinds)
    validate = sub.add_parser(
        "validate",
        help="check one submission file without loading it",
        description="Check one submission file against its layout without loading it: the status it "
        "would get, its row counts and every problem with its line number (never a value). "
        "Exit 1 when the file would be quarantined.",
    )
    validate.add_argument("file", type=Path)
    validate.add_argument(
        "--kind",
        choices=registry.kinds,
        metavar="KIND",
        help=f"the landing-zone folder the file is meant for, one of: {kinds} "
        "(default: the name of the file's folder)",
    )
    validate.add_argument(
        "--reference",
        type=Path,
        metavar="DIR",
        help="folder with providers.csv / programs.csv to check codes against "
        "(default: LER_LANDING_DIR/reference when set)",
    )
    validate.add_argument(
        "--json",
        action="store_true",
        help="print the report as one JSON object (for submission portals) instead of text",
    )
    validate.set_defaults(handler=execute)


@dataclass(frozen=True)
class Report:
    """What `ler validate` says about one file (text and JSON are two renderings of it)."""

    file: str
    kind: str
    layout: str | None
    status: str
    counts: Counts
    references_checked: bool
    problems: tuple[Finding, ...]

    def to_json(self) -> dict:
        c = self.counts
        return {
            "schema_version": SCHEMA_VERSION,
            "file": self.file,
            "kind": self.kind,
            "layout": self.layout,
            "status": self.status,
            "would_load": self.status != QUARANTINED,
            "references_checked": self.references_checked,
            "counts": {
                "rows_read": c.rows_read,
                "rows_loaded": c.rows_loaded,
                "rows_rejected": c.rows_rejected,
                "rows_duplicate": c.rows_duplicate,
            },
            "problems": [
                {"line": p.line, "field": p.field, "reason": p.reason, "severity": p.severity}
                for p in self.problems
            ],
        }

    def text_lines(self) -> list[str]:
        c = self.counts
        return [
            f"{self.file}: would be {self.status} ({self.layout or 'unsupported type'}): "
            f"{_VERDICTS.get(self.status, '')}",
            f"  rows read {c.rows_read}, would load {c.rows_loaded}, rejected {c.rows_rejected}, "
            f"exact duplicates {c.rows_duplicate}",
        ] + ["  " + problem_text(p) for p in self.problems]


def problem_text(p: Finding) -> str:
    """`line N: field: reason` (an error), `line N: warning: field: reason`, or without the line
    (`error: reason`, `warning: reason`) for what concerns the whole file."""
    what = f"{p.field}: {p.reason}" if p.field else p.reason
    if p.line is None:
        return f"{p.severity}: {what}"
    return f"line {p.line}: {what}" if p.severity == ERROR else f"line {p.line}: {p.severity}: {what}"


def execute(args: argparse.Namespace, registry: Registry) -> int:
    from dagster_project.landing.contracts import REFERENCE_KIND

    path: Path = args.file.resolve()
    if not path.is_file():
        return fail("validate", f"{args.file} is not a file", EXIT_USAGE)
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        return fail("validate", f"cannot read {args.file}: {exc.strerror}", EXIT_USAGE)
    kind = args.kind or path.parent.name
    if kind not in registry.kinds:
        return fail(
            "validate",
            f"cannot tell the kind from the folder name {path.parent.name!r}; pass --kind, one of: "
            f"{', '.join(registry.kinds)}",
            EXIT_USAGE,
        )
    reference = args.reference
    if reference is not None and not reference.is_dir():
        return fail("validate", f"--reference {reference} is not a folder", EXIT_USAGE)
    if reference is None and os.environ.get("LER_LANDING_DIR"):
        reference = Path(os.environ["LER_LANDING_DIR"]) / REFERENCE_KIND
    report = judge(path, kind, reference, registry)
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print("\n".join(report.text_lines()))
    return EXIT_FAILED if report.status == QUARANTINED else EXIT_OK


def judge(path: Path, kind: str, reference: Path | None, registry: Registry) -> Report:
    """Ingest the file alone in a scratch landing zone (with the reference folder when given) and
    add the advisory findings."""
    from dagster_project.landing.contracts import REFERENCE_KIND
    from dagster_project.landing.ingest import ingest_kind

    layout = registry.classify(kind, path)
    with tempfile.TemporaryDirectory(prefix="ler-validate-") as tmp:
        landing, warehouse = Path(tmp) / "landing", Path(tmp) / "warehouse"
        (landing / kind).mkdir(parents=True)
        (landing / kind / path.name).symlink_to(path)
        has_reference = kind == REFERENCE_KIND or (reference is not None and reference.is_dir())
        if kind != REFERENCE_KIND and has_reference:
            shutil.copytree(reference, landing / REFERENCE_KIND, symlinks=True)
        env = {k: v for k, v in os.environ.items() if k.startswith("LER_") and k != "LER_HASH_KEY"}
        settings = Settings.load(
            {"landing_dir": landing, "warehouse_dir": warehouse, "hash_key": secrets.token_hex(32)},
            environ=env,
            sample=False,
        )
        quiet = lambda _msg: None  # noqa: E731 - the report says it all
        if kind != REFERENCE_KIND:
            ingest_kind(REFERENCE_KIND, settings, warn=quiet, registry=registry)
        report = ingest_kind(kind, settings, warn=quiet, check_references=has_reference, registry=registry)
        result = next(r for r in report.files if r.file.name == path.name)
        problems = _message_findings(result.message, result.status) + _rejected(warehouse, kind)
        if not has_reference:
            problems.append(Finding(None, None, NO_REFERENCE, WARNING))
        problems += header_findings(path, layout, registry, kind)
        if layout is not None:
            problems += row_findings(path, layout, _read_context(settings, warehouse))
    return Report(
        file=path.name,
        kind=kind,
        layout=layout.layout if layout else None,
        status=result.status,
        counts=result.counts,
        references_checked=has_reference,
        problems=tuple(sorted(problems, key=Finding.sort_key)),
    )


def _message_findings(message: str, status: str) -> list[Finding]:
    """Ingestion's manifest message as findings: a quarantine's reason (its first note) is an error,
    the other notes are warnings; notes the counts already say are left out."""
    findings = []
    for i, raw in enumerate(n for n in message.split("; ") if n.strip()):
        note = _POINTER.sub("", raw).strip()
        if any(p.match(note) for p in _RESTATED):
            continue
        severity = ERROR if status == QUARANTINED and i == 0 else WARNING
        at = _AT_LINE.match(note)
        line, text = (int(at[1]), at[2]) if at else (None, note)
        findings.append(Finding(line, None, text, severity))
    return findings


def _rejected(warehouse: Path, kind: str) -> list[Finding]:
    """Each problem of each rejected row of the scratch ingestion (`feedback/findings.py`)."""
    import duckdb

    from dagster_project.feedback.findings import findings_sql
    from dagster_project.sqlutil import path_lit

    parquet = warehouse / "lake" / "_audit" / f"rejected_rows__{kind}.parquet"
    if not parquet.exists():
        return []
    con = duckdb.connect()
    try:
        rows = con.execute(findings_sql(f"read_parquet({path_lit(parquet)})")).fetchall()
    finally:
        con.close()
    return [Finding(line, field, reason, ERROR) for _file, line, field, reason in rows]


def _read_context(settings: Settings, warehouse: Path):  # noqa: ANN202 - a ReadContext
    """What the readers know during ingestion: the provider directory (from the scratch lake's
    providers) and the limits in force, so advisory reading sees the rows ingestion saw."""
    import duckdb

    from dagster_project.landing.context import ProviderDirectory, ReadContext
    from dagster_project.sqlutil import path_lit

    providers = warehouse / "lake" / "providers"
    rows: list[dict] = []
    if any(providers.glob("*.parquet")):
        con = duckdb.connect()
        try:
            cur = con.execute(
                "select provider_id, fice, opeid, badge_issuer_id from "
                f"read_parquet({path_lit(providers / '*.parquet')}, union_by_name = true)"
            )
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        finally:
            con.close()
    return ReadContext(
        providers=ProviderDirectory.from_rows(rows),
        icesa_layout=settings.icesa_layout,
        max_json_depth=settings.max_json_depth,
    )
