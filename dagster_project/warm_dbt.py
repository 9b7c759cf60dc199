"""A warm dbt for `ler run`: a process that imports dbt while the run ingests, then becomes the
run's dbt build the moment the build starts.

A cold `dbt build` spent 1.6 to 1.8 s importing dbt-core, its CLI and the DuckDB adapter before
it read the project (measured on the state nightly, 2026-12-03: its first node started 2.7 to
3.2 s after the process, 1.4 to 1.9 s when warm), and the run waited for it: nothing else runs
then. `ler run` starts this server at its start (`started`), beside its own imports and the
ingestion; the dbt step starts `warm_dbt_client.py` instead of the venv's `dbt` (`launcher`), and
the client hands the server its argv, environment, working folder, umask and its own stdin, stdout
and stderr (SCM_RIGHTS). The server takes them, runs `dbt` exactly as the `dbt` script would, in
that process, and sends back the exit status, which the client exits with. dagster-dbt reads
dbt's JSON events from its pipe as from a dbt subprocess, and a cancelled run's signal to the
client ends the server too (`dies_with_client`).

One server per run, serving one dbt command; it exits unused when the run ends (its stdin, a
pipe from `ler run`, closes). The client falls back to the venv's dbt whenever no server answers
(not started yet, gone, or a run not started by `ler run`: `dagster dev`, the scheduler). Off with
LER_WARM_DBT=0, with a site's own LER_DBT_EXECUTABLE (the site's wrapper runs instead) and on the
Spark engine (dbt-spark, whose modules the server does not import).

The suite's warm `ler` (tests/support/ler_server.py) serves its runs' dbt with the same pieces.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from dagster_project.process_exit import end_process

if TYPE_CHECKING:
    from dagster_project.settings import Settings

# What a `dbt build` imports (measured with `python -X importtime`: the CLI, the DuckDB adapter,
# agate, the build's tasks and runners).
DBT_MODULES = (
    "dbt.cli.main",
    "dbt.adapters.duckdb",
    "dbt.adapters.duckdb.impl",
    "dbt.adapters.duckdb.environments.local",
    "dbt_common.clients.agate_helper",
    "dbt.task.build",
    "dbt.task.seed",
    "dbt.task.test",
    "dbt.task.run",
    "dbt.parser.sql",
    "sqlparse",
)
CLIENT = Path(__file__).with_name("warm_dbt_client.py")
SERVED = "served"  # made beside the socket when a client comes
_launcher: Path | None = None  # the running `ler run`'s launcher (`started`), read by the dbt step


def import_dbt() -> None:
    for name in DBT_MODULES:
        importlib.import_module(name)


def read_request(conn: socket.socket) -> tuple[dict, list[int]]:
    """A client's JSON line and the file descriptors sent with it (a dbt client's stdio)."""
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    while data and not data.endswith(b"\n"):
        chunk = conn.recv(1 << 16)
        if not chunk:
            break
        data += chunk
    return json.loads(data), fds


def dies_with_client(conn: socket.socket) -> None:
    """This process ends the moment its client does (a killed run's process group holds the client,
    not this process): a thread waits for the client's end of the connection to close. The client
    sends nothing after its request, so the read returns only then."""

    def watch() -> None:
        with contextlib.suppress(OSError):
            conn.recv(1)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, daemon=True).start()


def become_client(request: dict, fds: list[int]) -> None:
    """Take the client's working folder, environment, stdin, stdout, stderr, umask and argv."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for target, fd in zip((0, 1, 2), fds, strict=True):
        os.dup2(fd, target)
        os.close(fd)
    os.umask(request["umask"])
    sys.argv = ["dbt", *request["argv"]]


def run_dbt() -> int:
    """`dbt` as its script runs it, with sys.argv; its exit status."""
    from dbt.cli.main import cli

    try:
        cli.main(prog_name="dbt")  # the name dbt's usage lines give
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def serve_once(path: str) -> None:
    """Import dbt, listen on `path`, become the dbt of the first client; exit unused when stdin
    closes (the run is over)."""
    import_dbt()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)  # only now: a client that comes earlier finds no socket and runs cold dbt
    listener.listen(1)
    while True:
        readable, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in readable and not sys.stdin.readline():
            os._exit(0)
        if listener in readable:
            break
    conn, _ = listener.accept()
    listener.close()
    Path(path).with_name(SERVED).touch()  # for the run's log (how_it_ran)
    code = 1
    try:
        request, fds = read_request(conn)
        become_client(request, fds)
        dies_with_client(conn)
        conn.sendall(f"{os.getpid()}\n".encode())  # the client may now let go of its stdio
        code = run_dbt()
    except BaseException:  # as the interpreter would: the traceback on stderr, status 1
        import traceback

        traceback.print_exc()

    def tell_client() -> None:  # only now: the client's exit ends this process (`dies_with_client`)
        with contextlib.suppress(OSError):  # a client already gone
            conn.sendall(f"{code}\n".encode())

    end_process(code, tell_client)


def write_launcher(folder: Path, socket_path: Path, real_dbt: str) -> Path:
    """The `dbt` script that runs warm_dbt_client.py (standard library only: `python -I -S`, it
    starts in milliseconds) with the server's socket and, for when none answers, the real dbt."""
    script = folder / "dbt"
    command = (sys.executable, "-I", "-S", CLIENT, socket_path, real_dbt)
    args = " ".join(shlex.quote(str(a)) for a in command)
    script.write_text(f'#!/bin/sh\nexec {args} "$@"\n')
    script.chmod(0o700)
    return script


def wanted(settings: Settings) -> bool:
    """Whether a run with these settings starts a warm dbt (module docstring)."""
    return settings.warm_dbt and settings.engine != "spark" and not os.environ.get("LER_DBT_EXECUTABLE")


@contextlib.contextmanager
def started(settings: Settings, real_dbt: str) -> Iterator[None]:
    """A warm dbt for the `ler run` inside the block (`launcher` names it), when `wanted`.

    Its socket and launcher live in a private temporary folder (mkdtemp: owner-only; a socket's
    path must be short), removed with the server when the block ends."""
    global _launcher
    if not wanted(settings):
        yield
        return
    folder = Path(tempfile.mkdtemp(prefix="ler-dbt-"))
    socket_path = folder / "socket"
    server = subprocess.Popen(
        [sys.executable, "-m", "dagster_project.warm_dbt", str(socket_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    _launcher = write_launcher(folder, socket_path, real_dbt)
    try:
        yield
    finally:
        _launcher = None
        with contextlib.suppress(OSError):
            server.stdin.close()  # an unused server exits; a used one has exited already
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(folder, ignore_errors=True)


def launcher() -> Path | None:
    """The warm dbt's launcher of the `ler run` in this process, or None (use the venv's dbt)."""
    return _launcher


def how_it_ran(launcher: Path) -> str:
    """After a dbt command started with `launcher`: which dbt ran it, for the run's log."""
    if launcher.with_name(SERVED).exists():
        return "run by the warm dbt (started with the run: dagster_project/warm_dbt.py)"
    return "no warm dbt answered; the venv's dbt ran it, cold"


if __name__ == "__main__":
    serve_once(sys.argv[1])
