"""Ending a process once its work is done, without the interpreter's teardown.

After a `ler run` the interpreter spent 1.1 to 1.8 s tearing down what the run imported (Dagster,
dbt-core, pandas, matplotlib: module by module, object by object) and waiting on a native library's
idle thread; measured on the state nightly, 2026-12-03, the run was done by then. `end_process`
still runs the atexit handlers (they flush and close the logging handlers, delete what `tempfile`
and `weakref.finalize` were asked to, and multiprocessing's finalizers unlink the semaphores dbt
made, else the resource tracker warns of them on stderr), then flushes stdout and stderr and exits.
Used by `ler` (cli.entry), the warm dbt (warm_dbt.py) and the suite's warm `ler`
(tests/support/ler_server.py). Standard library only: the warm dbt imports it before dbt.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from collections.abc import Callable
from typing import NoReturn


def end_process(code: int, before_exit: Callable[[], None] | None = None) -> NoReturn:
    """Run the atexit handlers, flush stdout and stderr, call `before_exit` (the warm dbt tells its
    client the status only then), and exit with `code`. Every caller has closed its own files and
    DuckDB connections, so nothing is left for the teardown but freeing memory."""
    try:
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed pipe (`ler status | head`): nothing to flush to
                stream.flush()
    finally:
        if before_exit is not None:
            before_exit()
        os._exit(code)
