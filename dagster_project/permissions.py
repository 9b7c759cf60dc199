"""File permissions of a warehouse: restricted from the first byte, public only where published.

Everything a run writes is row-level or operational (the lake, `warehouse.duckdb`, quarantine
reports, logs, dbt's artifacts, the lock), so it must be readable by its owner only. That is done
with the process umask, set once at each entry point (`ler run`, the Dagster code location) before
anything is written: files are created owner-only, never created readable and then chmod-ed, which
would leave a window in which another user could open them. Child processes (dbt) inherit it.

The publication is public (docs/reporting_rules.md §9), so it alone is made readable explicitly,
after it is written and before it is switched in.
"""

from __future__ import annotations

import os
from pathlib import Path

RESTRICTED_UMASK = 0o077
PUBLIC_FILE_MODE = 0o644
PUBLIC_DIR_MODE = 0o755
# group and others may pass through the warehouse folder to reach the publication by its path,
# but not list it (they learn nothing of what else is there)
TRAVERSE_BITS = 0o011


def restrict_new_files() -> int:
    """Set the process umask to 077 (new files 0600, new folders 0700); returns the previous one."""
    return os.umask(RESTRICTED_UMASK)


def make_public(tree: Path) -> None:
    """Make a finished publication folder readable by everyone: files 0644, folders 0755."""
    tree.chmod(PUBLIC_DIR_MODE)
    for folder, dirs, files in os.walk(tree):
        for name in dirs:
            Path(folder, name).chmod(PUBLIC_DIR_MODE)
        for name in files:
            Path(folder, name).chmod(PUBLIC_FILE_MODE)


def make_traversable(folder: Path) -> None:
    """Add the execute (pass-through) bits for group and others; never adds read, never removes."""
    mode = folder.stat().st_mode & 0o7777
    if mode & TRAVERSE_BITS != TRAVERSE_BITS:
        folder.chmod(mode | TRAVERSE_BITS)
