"""A warm `ler` for the suite's `ler run`s: the code imported once, each run a fork of it.

About 20 whole `ler run`s make up most of `make test`, and each began by importing Dagster,
dagster-dbt (which imports dbt-core) and the project: about 3 CPU seconds of every run, the same
each time. This server imports `dagster_project.cli` and the Dagster definitions once, then serves
each request in a child it forks: the child takes the request's environment and working folder,
writes its stdout and stderr to the files the client named, and runs `ler` exactly as the `ler`
script does (`dagster_project.cli.entry`). Everything a run does (ingestion, the Dagster run, dbt in
its own process, the publication) happens in the child as in a fresh process; only the imports are
shared.

`pipeline.ler` (and so `ler_run`) uses it when `LER_TEST_WARM_RUNS` is not `0` and falls back to a plain
subprocess when the server cannot start or when the request sets one of `IMPORT_TIME_VARIABLES`
(read while the code is imported, so a warm child would not see them). Runs a test kills
(`pipeline.start_ler_run`) are forks too, each in a session of its own (below).

One server per process that asks (each pytest worker, the prebuilder), started on first use and
stopped when that process exits. The children stay in the asking process's process group, as its
subprocesses did, so stopping the prebuilder's group stops the runs it asked for. The server forks
from its only thread and only between requests (a select loop), so no lock of another thread is
held in a child.

Protocol on a Unix socket, one request per connection: the client sends one JSON line (`program`,
`argv`, `env`, `cwd`, and the `stdout` and `stderr` files) and reads back two lines: the child's
pid (so a client that times out can kill it, as `subprocess.run` kills its child) and, when the
child has ended, its exit status. A request with `new_session` true (`pipeline.start_ler_run`, runs
a test kills) gets a child that leads a session and process group of its own, as
`subprocess.Popen(start_new_session=True)` would, set up before its pid is sent.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import select
import socket
import sys
import threading
import traceback

# Read when the project's modules are imported (project_paths.py, schedules.py): a request that sets
# any of them to another value than the server's gets a plain subprocess instead.
IMPORT_TIME_VARIABLES = ("LER_PROJECT_DIR", "LER_NIGHTLY_CRON", "LER_NIGHTLY_TIMEZONE", "PYTHONPATH")
READY = "ler-server ready"


def _child(request: dict, listener: socket.socket, conn: socket.socket, started: int) -> None:
    """In the forked child: become the `ler` process of the request, then exit with its status."""
    code = 1
    try:
        listener.close()
        conn.close()
        if request.get("new_session"):  # its own process group, which a test may kill whole
            os.setsid()
        os.write(started, b"1")  # the server sends the pid only now: a killpg of it finds the group
        os.close(started)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(out, fd)
            os.close(out)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        sys.argv = [request["program"], *request["argv"]]
        from dagster_project import cli

        try:
            result = cli.entry()  # what the `ler` script runs: the umask, then the command
            code = result if isinstance(result, int) else 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # as the interpreter would: the traceback on stderr, status 1
        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def serve(path: str) -> None:
    """Import the code, say READY on stdout, then fork a child per request until stdin closes."""
    from dagster_project import cli, definitions  # noqa: F401  (the imports every run needs)

    if threading.active_count() != 1:  # forking beside another thread could copy a held lock
        raise SystemExit(f"ler-server: {threading.active_count()} threads after the imports; not forking")
    gc.collect()
    gc.freeze()  # the imported objects stay shared with the children (no copy-on-write by the GC)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    print(READY, flush=True)
    waiting: dict[int, socket.socket] = {}
    while True:
        readable, _, _ = select.select([listener, sys.stdin], [], [], 0.05)
        if sys.stdin in readable and not sys.stdin.readline():
            break  # the client process is gone
        if listener in readable:
            conn, _ = listener.accept()
            with conn.makefile("r") as lines:
                request = json.loads(lines.readline())
            ready, started = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(ready)
                _child(request, listener, conn, started)
            os.close(started)
            os.read(ready, 1)  # b"" if the child died first: it is reaped and reported all the same
            os.close(ready)
            with contextlib.suppress(OSError):  # a client already gone: the child is reaped all the same
                conn.sendall(f"{pid}\n".encode())
            waiting[pid] = conn
        for pid in list(waiting):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                conn = waiting.pop(pid)
                with contextlib.suppress(OSError):  # the client gave up (its timeout)
                    conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
                conn.close()
    listener.close()


if __name__ == "__main__":
    serve(sys.argv[1])
