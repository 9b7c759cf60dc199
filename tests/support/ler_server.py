"""A warm `ler` for the suite's `ler run`s: the code imported once, each run a fork of it.

About 20 whole `ler run`s make up most of `make test`, and each began by importing Dagster,
dagster-dbt (which imports dbt-core) and the project: about 3 CPU seconds of every run, the same
each time, then about 1 more for what its later steps import and 1 to 2 for the dbt process it
starts. This server imports `dagster_project.cli`, the Dagster definitions, what a run's later
steps import (`RUN_MODULES`) and what dbt imports (`warm_dbt.DBT_MODULES`) once, then serves each request
in a child it forks: the child takes the request's environment and working folder, writes its
stdout and stderr to the files the client named, and runs `ler` exactly as the `ler` script does
(`dagster_project.cli.entry`, which ends the process itself). Everything a run does (ingestion,
the Dagster run, the dbt build, the publication) happens in the child (and its dbt child, below)
as in a fresh process; only the imports are shared.

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
`argv`, `env`, `cwd`, and the `stdout` and `stderr` files, or, from warm_dbt_client.py, `program`
"dbt", the `umask` and the client's own stdin, stdout and stderr as SCM_RIGHTS file descriptors
with the line) and reads back two lines: the child's pid (so a client that times out can kill it,
as `subprocess.run` kills its child) and, when the child has ended, its exit status. A request
with `new_session` true (`pipeline.start_ler_run`, runs a test kills) gets a child that leads a
session and process group of its own, as `subprocess.Popen(start_new_session=True)` would, set up
before its pid is sent.

The dbt a warm run starts (`LER_DBT_EXECUTABLE`, set by pipeline._WarmLer to a script running
warm_dbt_client.py) is served the same way: the server imported dbt's CLI, the DuckDB adapter and
the tasks of a build too (`warm_dbt.DBT_MODULES`), and a dbt child runs `dbt` as its script does, in the
client's folder, environment and umask, writing to the client's own stdout and stderr. It is not in
the run's process group (the client is), so it dies when its client does (`warm_dbt.dies_with_client`):
SIGKILL to a killed run's group ends its dbt as it ended a dbt subprocess.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import select
import socket
import sys
import threading
import traceback

from dagster_project import warm_dbt
from dagster_project.later_imports import import_later_steps
from dagster_project.process_exit import end_process

# Read when the project's modules are imported (project_paths.py, schedules.py): a request that sets
# any of them to another value than the server's gets a plain subprocess instead.
IMPORT_TIME_VARIABLES = (
    "LER_PROJECT_DIR",
    "LER_NIGHTLY_CRON",
    "LER_NIGHTLY_TIMEZONE",
    "LER_DBT_EXECUTABLE",
    "PYTHONPATH",
)
READY = "ler-server ready"


def _child(request: dict, fds: list[int], listener: socket.socket, conn: socket.socket, started: int) -> None:
    """In the forked child: become the `ler` (or `dbt`) process of the request, then exit with its
    status."""
    code = 1
    dbt = request["program"] == "dbt"  # from warm_dbt_client.py: its stdio, umask, and dies with it
    try:
        listener.close()
        if dbt:
            warm_dbt.dies_with_client(conn)
        else:
            conn.close()
        if request.get("new_session"):  # its own process group, which a test may kill whole
            os.setsid()
        os.write(started, b"1")  # the server sends the pid only now: a killpg of it finds the group
        os.close(started)
        if dbt:  # the client's own folder, environment, stdin, stdout, stderr and umask
            warm_dbt.become_client(request, fds)
            code = warm_dbt.run_dbt()
        else:
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            _redirect(request["stdout"], request["stderr"])
            sys.argv = [request["program"], *request["argv"]]
            try:
                result = _ler_entry()
                code = result if isinstance(result, int) else 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # as the interpreter would: the traceback on stderr, status 1
        traceback.print_exc()
        code = 1
    finally:
        end_process(code)


# What a `ler run` imports when it gets there, beyond the definitions (measured the same way: the
# run history and its Dagster storage; the later steps' report, PDF, learner records and pandas are
# `later_imports.LATER_MODULES`): about 1 CPU second of every run's child otherwise.
RUN_MODULES = (
    "dagster_project.run_history",
    "dagster_project.run_instance",
    "dagster._core.storage.event_log.sqlite.sqlite_event_log",
    "dagster._core.storage.runs.sqlite",
    "dagster._core.storage.schedules.sqlite",
)


def _import_run_and_dbt() -> None:
    """The start-up of a run's later steps and of the dbt it starts, paid once by the server
    instead of by every child."""
    for name in RUN_MODULES:
        importlib.import_module(name)
    import_later_steps()
    warm_dbt.import_dbt()


def _ler_entry() -> int:
    """What the `ler` script runs: the umask, the command, then `process_exit.end_process`."""
    from dagster_project import cli

    return cli.entry()


def _redirect(stdout: str, stderr: str) -> None:
    """stdout and stderr to the files the client named, stdin from /dev/null."""
    for fd, path in ((1, stdout), (2, stderr)):
        out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, fd)
        os.close(out)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)


def serve(path: str) -> None:
    """Import the code, say READY on stdout, then fork a child per request until stdin closes."""
    from dagster_project.without_dbt_core import dbt_core_blocked

    with dbt_core_blocked():  # as `ler run` imports them: dagster-dbt without dbt-core
        from dagster_project import cli, definitions  # noqa: F401  (the imports every run needs)
    _import_run_and_dbt()  # dbt-core too, after: for the dbt children only

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
            request, fds = warm_dbt.read_request(conn)
            ready, started = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(ready)
                _child(request, fds, listener, conn, started)
            os.close(started)
            for fd in fds:  # the child's now: holding the client's stdout would keep its pipe open
                os.close(fd)
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
