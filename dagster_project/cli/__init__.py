"""`ler`: the command line of the warehouse (docs/reporting_rules.md §9).

    ler run [--landing DIR] [--warehouse DIR] [--sample] [--<setting> VALUE ...]
    ler validate FILE [--kind KIND] [--reference DIR] [--json]
    ler feedback PROVIDER [--warehouse DIR]
    ler query "SQL" [--format table|csv|json]; ler export TABLE --format csv|parquet|xlsx; ler report
    ler status [--warehouse DIR] [--limit N] [--json]

One module per command in this package, each with `register(subparsers, registry)` (its arguments)
and `execute(args, registry) -> exit code`; adding a command is a module and one line in COMMANDS.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from dagster_project.cli import (
    export,
    feedback,
    issuer_key,
    learner_record,
    query,
    report,
    run,
    status,
    validate,
    verify,
)
from dagster_project.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from dagster_project.landing.registry import Registry, load_registry
from dagster_project.permissions import restrict_new_files
from dagster_project.process_exit import end_process

COMMANDS = (run, status, validate, verify, issuer_key, learner_record, feedback, query, export, report)
__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]


def build_parser(registry: Registry) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ler", description="State LER data warehouse")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub, registry)
    return parser


def main(argv: list[str] | None = None, *, registry: Registry | None = None) -> int:
    """Run one command; `registry` is the set of layouts (default: the project's contracts)."""
    registry = registry or load_registry()
    args = build_parser(registry).parse_args(argv)
    return args.handler(args, registry)


def entry() -> NoReturn:
    """The `ler` command: every file any command writes is owner-only from its first byte (umask 077,
    permissions.py); a command that publishes makes its public files readable explicitly. It ends
    through `end_process`, without the interpreter's teardown (process_exit.py)."""
    restrict_new_files()
    end_process(main())


if __name__ == "__main__":
    entry()
