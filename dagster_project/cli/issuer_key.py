"""`ler issuer-key --out FILE`: make the state's Ed25519 signing key for learner records.

Writes a Multikey document (mode 0600, never over an existing file) and prints its did:key, the
public identity anyone verifies learner records with. Point `LER_ISSUER_KEY_FILE` at the file
(docs/learner_records.md, "The state's key").
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dagster_project.cli.common import EXIT_FAILED, EXIT_OK, fail
from dagster_project.landing.registry import Registry

COMMAND = "issuer-key"


def register(sub: argparse._SubParsersAction, registry: Registry) -> None:
    key = sub.add_parser(COMMAND, help="make the state's signing key for learner records")
    key.add_argument("--out", type=Path, required=True, help="new key file (mode 0600; never overwritten)")
    key.set_defaults(handler=execute)


def execute(args: argparse.Namespace, registry: Registry) -> int:
    from dagster_project.credentials.issuer import IssuerKeyError, generate, write_key_file

    key = generate()
    try:
        write_key_file(args.out, key)
    except IssuerKeyError as exc:
        return fail(COMMAND, str(exc), EXIT_FAILED)
    print(f"ler {COMMAND}: wrote {args.out} (mode 0600): keep it secret, set LER_ISSUER_KEY_FILE to it")
    print(f"  issuer did:key (public, verifies every record signed with it): {key.did}")
    return EXIT_OK
