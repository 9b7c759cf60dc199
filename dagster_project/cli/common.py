"""What every `ler` command shares: exit codes and the one-line error message."""

from __future__ import annotations

import sys

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def fail(command: str, message: str, code: int = EXIT_FAILED) -> int:
    """Print one plain line `ler <command>: <message>` on stderr and return the exit code."""
    print(f"ler {command}: {message}", file=sys.stderr)
    return code
