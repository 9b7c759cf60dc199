"""`ler verify FILE`: verify an Open Badges 3.0 / CLR 2.0 credential offline and say why it passes or
fails: proof, dates, issuer, 1EdTech schema, and the same for each credential nested in it
(docs/learner_records.md, "Verifying a credential"; docs/submission_manual.md §3).

Exit 0 when every credential in the file passes, 1 when one fails, 2 when the file cannot be read
as credentials at all (missing, not JSON, nested deeper than LER_MAX_JSON_DEPTH, a compact JWT, not
a verifiable credential): one plain line, never a traceback. Nothing is fetched; nothing of the
credential is printed but its type, its validity dates and the checks' own sentences.
"""

from __future__ import annotations

import argparse
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from dagster_project.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail
from dagster_project.landing.registry import Registry

COMMAND = "verify"
# A compact JWS starts with the base64url of its JSON header, `{"` -> `eyJ`, then a dot.
_JWT = re.compile(rb"^\s*eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]")


def register(sub: argparse._SubParsersAction, registry: Registry) -> None:
    verify = sub.add_parser(COMMAND, help="verify an Open Badges 3.0 / CLR 2.0 credential offline")
    verify.add_argument("file", type=Path, help="a credential (JSON), or a JSON array of credentials")
    verify.add_argument(
        "--as-of",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="judge validity dates as of this day, 00:00 UTC (default: now)",
    )
    verify.set_defaults(handler=execute)


class _Unreadable(Exception):
    pass


def read_credentials(path: Path, max_depth: int) -> list[dict[str, Any]]:
    """The credentials of a file, or _Unreadable with the plain reason."""
    from dagster_project.credentials.verify import types_of
    from dagster_project.landing.formats.jsonload import load_json
    from dagster_project.landing.records import StructuralError

    if not path.is_file():
        raise _Unreadable(f"{path} is not a file")
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise _Unreadable(f"{path} cannot be read: {exc.strerror}") from None
    if _JWT.match(head):
        raise _Unreadable(f"{path.name}: a compact JWT credential; only credentials with an embedded "
                          "proof (JSON) are verified")
    try:
        value = load_json(path, max_depth)
    except StructuralError as exc:
        raise _Unreadable(f"{path.name}: {exc}") from None
    except OSError as exc:
        raise _Unreadable(f"{path} cannot be read: {exc.strerror}") from None
    items = value if isinstance(value, list) else [value]
    if not items:
        raise _Unreadable(f"{path.name}: an empty JSON array holds no credential")
    for i, item in enumerate(items, start=1):
        where = "the top-level value" if not isinstance(value, list) else f"array element {i}"
        if not isinstance(item, dict) or "VerifiableCredential" not in types_of(item):
            raise _Unreadable(f"{path.name}: {where} is not a verifiable credential (no type "
                              "VerifiableCredential)")
    return items


def _print_report(report: Any, indent: str) -> None:
    print(f"{indent}  {'proof':<7}{report.proof.status}: {report.proof.reason}")
    for check in report.checks:
        print(f"{indent}  {check.name:<7}{check.outcome}: {check.message}")
    for inner in report.nested:
        print(f"{indent}  {inner.label}: {'PASS' if inner.passes else 'FAIL'}")
        _print_report(inner, indent + "  ")


def execute(args: argparse.Namespace, registry: Registry) -> int:
    from dagster_project.credentials.verify import verify_credential
    from dagster_project.settings import SettingsError, setting_value

    try:
        max_depth = int(setting_value("max_json_depth"))
    except SettingsError as exc:
        return fail(COMMAND, str(exc), EXIT_USAGE)
    as_of = datetime.combine(args.as_of, datetime.min.time(), UTC) if args.as_of else datetime.now(UTC)
    try:
        credentials = read_credentials(args.file, max_depth)
    except _Unreadable as exc:
        return fail(COMMAND, str(exc), EXIT_USAGE)
    passed = True
    for i, credential in enumerate(credentials, start=1):
        report = verify_credential(credential, as_of)
        where = args.file.name if len(credentials) == 1 else f"{args.file.name} [{i}]"
        verdict = "PASS" if report.passes else "FAIL"
        print(f"{where}: {verdict} ({report.label}, as of {as_of.date().isoformat()})")
        _print_report(report, "")
        if not report.passes:
            passed = False
            print(f"  why: {report.failures()[0]}")
    return EXIT_OK if passed else EXIT_FAILED
