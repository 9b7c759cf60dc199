"""`ler report [--out DIR]`: the legislative report of the current publication, HTML and PDF
(docs/analyst_guide.md; the report itself: dagster_project/report).

Every run already writes the report into its publication (`publications/current/report/`); this
command builds it again from the current publication's `published.duckdb` into DIR (default
`./report`), for a publication written before reports existed or to keep a copy. Exit 0 and the two
paths; no publication yet: one plain line and exit 1, never a traceback.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dagster_project.cli import published
from dagster_project.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail
from dagster_project.landing.registry import Registry
from dagster_project.project_paths import PUBLISHED_DB_NAME

COMMAND = "report"


def register(sub: argparse._SubParsersAction, registry: Registry) -> None:
    report = sub.add_parser(
        COMMAND, help="build the legislative report (HTML and PDF) of the current publication"
    )
    report.add_argument(
        "--out", type=Path, default=Path("report"), metavar="DIR", help="folder (default ./report)"
    )
    published.add_warehouse_flag(report)
    report.set_defaults(handler=execute)


def execute(args: argparse.Namespace, registry: Registry) -> int:
    from dagster_project.publication.codebook import read_codebook
    from dagster_project.report import write_report

    try:
        publication = published.current_publication(published.warehouse_dir(args))
    except published.NotPublished as exc:
        return fail(COMMAND, str(exc), EXIT_FAILED)
    if args.out.exists() and not args.out.is_dir():
        return fail(COMMAND, f"{args.out} is a file; --out names a folder", EXIT_USAGE)
    try:
        files = write_report(publication / PUBLISHED_DB_NAME, args.out, codebook=read_codebook(publication))
    except OSError as exc:
        return fail(COMMAND, f"cannot write the report into {args.out}: {exc.strerror or exc}", EXIT_FAILED)
    print(f"ler report: {files.html}")
    print(f"ler report: {files.pdf}")
    return EXIT_OK
