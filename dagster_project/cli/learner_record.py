"""`ler learner-record` and `ler learner-records`: issue learners their signed CLR 2.0 record
(docs/learner_records.md).

    ler learner-record (--ssn-stdin | --ssn-file FILE | --person-key KEY) [--out FILE] [--warehouse DIR]
    ler learner-records --out DIR [--warehouse DIR]

The SSN is read from standard input or a file, never from the command line (which lands in shell
history and in every process listing), keyed with the person-key recipe (`identity.py`) and then
forgotten: it is never stored, printed or logged. A record is issued only to a learner whose
`LER_EXPORT` consent is in force as of the warehouse's last run; `EMPLOYMENT_SUMMARY` consent adds the
employment result. Signed with `LER_ISSUER_KEY_FILE`; the issuer profile comes from `LER_ISSUER_NAME`,
`LER_ISSUER_ID`, `LER_ISSUER_URL`. Exit 0 when written, 1 for a learner not found or without consent,
2 for bad input (an SSN that is not one, a missing or unreadable key, no warehouse): one plain line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dagster_project.cli.common import EXIT_OK, EXIT_USAGE, fail
from dagster_project.landing.registry import Registry

ONE, ALL = "learner-record", "learner-records"
MAX_SSN_INPUT = 100  # characters read: an SSN with dashes and blanks fits many times over


def register(sub: argparse._SubParsersAction, registry: Registry) -> None:
    one = sub.add_parser(ONE, help="issue one learner's signed CLR 2.0 learner record")
    who = one.add_mutually_exclusive_group(required=True)
    who.add_argument("--ssn-stdin", action="store_true", help="read the learner's SSN from standard input")
    who.add_argument("--ssn-file", type=Path, metavar="FILE", help="read the learner's SSN from FILE")
    who.add_argument("--person-key", metavar="KEY", help="the learner's person_key (64 hex digits)")
    one.add_argument("--out", type=Path, metavar="FILE", help="write the record here (default: stdout)")
    one.add_argument("--warehouse", dest="warehouse_dir", help="warehouse folder (env LER_WAREHOUSE_DIR)")
    one.set_defaults(handler=execute_one)
    many = sub.add_parser(ALL, help="issue the record of every learner with LER_EXPORT consent")
    many.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the records")
    many.add_argument("--warehouse", dest="warehouse_dir", help="warehouse folder (env LER_WAREHOUSE_DIR)")
    many.set_defaults(handler=execute_all)


class _BadInput(Exception):
    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def _ssn_text(args: argparse.Namespace) -> str:
    if args.ssn_stdin:
        text, where = sys.stdin.read(MAX_SSN_INPUT + 1), "standard input"
    else:
        where = str(args.ssn_file)
        try:
            with args.ssn_file.open("r", encoding="utf-8") as handle:
                text = handle.read(MAX_SSN_INPUT + 1)
        except (OSError, UnicodeDecodeError):
            raise _BadInput(f"cannot read the SSN file {where}") from None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(text) > MAX_SSN_INPUT or len(lines) != 1:
        raise _BadInput(f"{where} must hold exactly one SSN on one line")
    return lines[0]


def _person_key(args: argparse.Namespace, hash_key: str) -> str:
    from dagster_project.identity import is_valid_ssn, person_key

    if args.person_key is not None:
        key = args.person_key.strip().lower()
        if len(key) != 64 or any(ch not in "0123456789abcdef" for ch in key):
            raise _BadInput("--person-key must be 64 hexadecimal digits")
        return key
    ssn = _ssn_text(args)
    if not is_valid_ssn(ssn):
        raise _BadInput("the SSN given is not a valid SSN (9 digits, dashes allowed; SSA rules)")
    key, _ = person_key(hash_key, ssn, None, None, None)
    return key


def _context(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """Settings, issuer key and profile, or _BadInput."""
    from dagster_project.credentials.issuer import IssuerKeyError, IssuerProfile, load_key_file
    from dagster_project.settings import Settings, SettingsError

    try:
        settings = Settings.load({"warehouse_dir": args.warehouse_dir}, need_landing=False)
    except SettingsError as exc:
        raise _BadInput(str(exc)) from None
    try:
        key = load_key_file(settings.issuer_key_file)
    except IssuerKeyError as exc:
        raise _BadInput(str(exc)) from None
    profile = IssuerProfile(settings.issuer_name, settings.issuer_id, settings.issuer_url)
    return settings, key, profile


def _write_private(path: Path, record: dict[str, Any]) -> None:
    """Write a record readable by its owner only (it is one learner's data)."""
    data = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _issue(con: Any, person_key: str, key: Any, profile: Any, issued_at: datetime) -> dict[str, Any] | None:
    """The learner's signed record, or None when the warehouse holds no credential for them."""
    from dagster_project.credentials.consent import EMPLOYMENT_SUMMARY, scopes_granted
    from dagster_project.credentials.records import learner_record
    from dagster_project.credentials.warehouse import learner_credentials

    credentials = learner_credentials(con, person_key)
    if not credentials:
        return None
    with_employment = EMPLOYMENT_SUMMARY in scopes_granted(con, person_key)
    return learner_record(person_key, credentials, key, profile, issued_at, with_employment)


def execute_one(args: argparse.Namespace, registry: Registry) -> int:
    from dagster_project.credentials.consent import LER_EXPORT, scopes_granted
    from dagster_project.credentials.warehouse import WarehouseUnavailable, is_known, open_read_only

    try:
        settings, key, profile = _context(args)
        person_key = _person_key(args, settings.hash_key)
        con = open_read_only(settings.warehouse_dir)
    except _BadInput as exc:
        return fail(ONE, str(exc), exc.code)
    except WarehouseUnavailable as exc:
        return fail(ONE, str(exc), EXIT_USAGE)
    try:
        if not is_known(con, person_key):
            return fail(ONE, "learner not found: the warehouse holds no credential for this learner")
        if LER_EXPORT not in scopes_granted(con, person_key):
            return fail(ONE, "no record issued: the learner's LER_EXPORT consent is not in force as of the "
                             "last run")
        record = _issue(con, person_key, key, profile, datetime.now(UTC))
    finally:
        con.close()
    if args.out is None:
        json.dump(record, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    try:
        _write_private(args.out, record)
    except OSError as exc:
        return fail(ONE, f"cannot write {args.out}: {exc.strerror}", EXIT_USAGE)
    print(f"ler {ONE}: wrote {args.out} ({len(record['credentialSubject']['verifiableCredential'])} "
          f"credential(s), signed by {key.did})", file=sys.stderr)
    return EXIT_OK


def execute_all(args: argparse.Namespace, registry: Registry) -> int:
    from dagster_project.credentials.consent import consenting_learners
    from dagster_project.credentials.warehouse import WarehouseUnavailable, open_read_only

    try:
        settings, key, profile = _context(args)
        con = open_read_only(settings.warehouse_dir)
    except _BadInput as exc:
        return fail(ALL, str(exc), exc.code)
    except WarehouseUnavailable as exc:
        return fail(ALL, str(exc), EXIT_USAGE)
    try:
        args.out.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        con.close()
        return fail(ALL, f"cannot create {args.out}: {exc.strerror}", EXIT_USAGE)
    issued_at, written, without = datetime.now(UTC), 0, 0
    try:
        for person_key in consenting_learners(con):
            record = _issue(con, person_key, key, profile, issued_at)
            if record is None:
                without += 1
                continue
            _write_private(args.out / f"{person_key}.json", record)
            written += 1
    except OSError as exc:
        return fail(ALL, f"cannot write into {args.out}: {exc.strerror}", EXIT_USAGE)
    finally:
        con.close()
    print(f"ler {ALL}: wrote {written} record(s) to {args.out}, signed by {key.did}; "
          f"{without} consenting learner(s) hold no credential")
    return EXIT_OK
