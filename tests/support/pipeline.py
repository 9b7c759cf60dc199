"""Run the real pipeline in tests: `ler run` in a process of its own, as an operator or the scheduler
would: a fork of a warm `ler` (ler_server.py) or, where that cannot stand in, a plain subprocess."""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb

from dagster_project.warm_dbt import write_launcher
from tests.support.ler_server import IMPORT_TIME_VARIABLES, READY

# 32+ characters, as a real run requires (docs/submission_manual.md §4 v2).
TEST_KEY = "test-hash-key-for-the-suite-0123456789"


def ler_environ(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a `ler` subprocess: no LER_* of the caller's and no DAGSTER_HOME (each run is
    recorded in its own warehouse's instance), the suite's key, then `env`."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LER_") and k != "DAGSTER_HOME"}
    full_env["LER_HASH_KEY"] = TEST_KEY
    full_env.update(env or {})
    return full_env


# The venv's own commands (`ler`, and `dbt` for the warm dbt's fallback), never those on PATH. Not
# project_paths.dbt_executable(): it gives LER_DBT_EXECUTABLE when set, which the suite sets to its
# own warm dbt's launcher.
VENV_BIN = Path(sys.executable).parent


def ler_command(*args: str) -> list[str]:
    return [str(VENV_BIN / "ler"), *args]


class _WarmLer:
    """This process's ler_server (started on first use, stopped when this process exits)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="ler-warm-"))
        self.socket = self.folder / "socket"
        self.dbt_client = self._write_dbt_client()
        self.env = self.request_env(ler_environ())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.ler_server", str(self.socket)],
            env=self.env,
            cwd=Path(__file__).resolve().parents[2],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        atexit.register(self.stop)
        if self.proc.stdout.readline().strip() != READY:
            self.stop()
            raise RuntimeError("ler-server did not start")

    def request_env(self, env: dict[str, str]) -> dict[str, str]:
        """`env` with the warm dbt (`dbt_client`) as the dbt a run starts, unless `env` names one
        or LER_TEST_WARM_DBT is 0."""
        if "LER_DBT_EXECUTABLE" in env or os.environ.get("LER_TEST_WARM_DBT") == "0":
            return env
        return env | {"LER_DBT_EXECUTABLE": str(self.dbt_client)}

    def _write_dbt_client(self) -> Path:
        """The `dbt` script of this server: warm_dbt_client.py with this server's socket and, for
        when no server answers, the venv's own dbt."""
        return write_launcher(self.folder, self.socket, str(VENV_BIN / "dbt"))

    def serves(self, env: dict[str, str]) -> bool:
        env = self.request_env(env)
        return self.proc.poll() is None and all(env.get(k) == self.env.get(k) for k in IMPORT_TIME_VARIABLES)

    def start(
        self, argv: list[str], env: dict[str, str], stdout: str, stderr: str, new_session: bool = False
    ) -> _WarmProcess:
        """A forked `ler` with `argv` and `env`, its output to the files named (or os.devnull)."""
        env = self.request_env(env)
        request = {"program": ler_command()[0], "argv": argv, "env": env, "cwd": os.getcwd(),
                   "stdout": stdout, "stderr": stderr, "new_session": new_session}  # fmt: skip
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(str(self.socket))
            conn.sendall((json.dumps(request) + "\n").encode())
            return _WarmProcess(conn, [*ler_command(), *argv])
        except BaseException:
            conn.close()
            raise

    def run(self, argv: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
        out, err = (Path(tempfile.mkstemp(dir=self.folder, suffix=s)[1]) for s in (".out", ".err"))
        proc = self.start(argv, env, str(out), str(err))
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:  # as subprocess.run: the child is killed, then the timeout raised
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        texts = [p.read_text(errors="replace") for p in (out, err)]
        for p in (out, err):
            p.unlink()
        return subprocess.CompletedProcess(proc.args, code, *texts)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()  # the server's loop ends when its stdin closes
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        for p in self.folder.glob("*"):
            p.unlink(missing_ok=True)
        self.folder.rmdir()


class _WarmProcess:
    """A forked `ler` as far as the tests use a `subprocess.Popen`: its pid (which a test may kill,
    or its whole process group when it was started in a new session), `poll()` and `wait()`.

    The server sends two lines: the child's pid at once, its exit status when it has ended."""

    def __init__(self, conn: socket.socket, args: list[str]) -> None:
        self.conn, self.args, self.returncode, self._buffer = conn, args, None, b""
        pid = self._line(timeout=60)
        if pid is None:
            conn.close()
            raise RuntimeError("ler-server sent no pid")
        self.pid = int(pid)

    def _line(self, timeout: float | None) -> str | None:
        """The next line, or None when none came within `timeout` seconds (None: wait for it)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([self.conn], [], [], left)[0]:
                return None
            chunk = self.conn.recv(256)
            if not chunk:
                raise RuntimeError("ler-server closed the connection without a status")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode()

    def poll(self) -> int | None:
        if self.returncode is None:
            self._ended(self._line(timeout=0))
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._ended(self._line(timeout))
            if self.returncode is None:
                raise subprocess.TimeoutExpired(self.args, timeout)
        return self.returncode

    def _ended(self, status: str | None) -> None:
        if status is not None:
            self.returncode = int(status)
            self.conn.close()


_warm: list[_WarmLer | None] = []  # this process's server, once asked for (None: it did not start)
_warm_lock = threading.Lock()  # the prebuilder asks from two threads at once


def _warm_ler(env: dict[str, str]) -> _WarmLer | None:
    """This process's warm ler if it can run with `env` (ler_server.py), else None."""
    if os.environ.get("LER_TEST_WARM_RUNS") == "0":
        return None
    with _warm_lock:
        if not _warm:
            try:
                _warm.append(_WarmLer())
            except (OSError, RuntimeError):
                _warm.append(None)  # plain subprocesses, as without the server
    server = _warm[0]
    return server if server is not None and server.serves(env) else None


def ler(*argv: str, env: dict[str, str] | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    """`ler ARGV...` in a process of its own, as an operator would call it: a fork of the warm `ler`
    (ler_server.py) or a subprocess; its output captured, never checked."""
    full_env = ler_environ(env)
    warm = _warm_ler(full_env)
    if warm is not None:
        return warm.run(list(argv), full_env, timeout=timeout)
    return subprocess.run(ler_command(*argv), env=full_env, capture_output=True, text=True, timeout=timeout)


def ler_run(
    landing: Path, warehouse: Path, *extra: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess:
    """`ler run` in a process of its own, as an operator or the scheduler would call it (`ler()`)."""
    proc = ler("run", "--landing", str(landing), "--warehouse", str(warehouse), *extra, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"ler run failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )
    return proc


def start_ler_run(landing: Path, warehouse: Path, *extra: str) -> subprocess.Popen | _WarmProcess:
    """`ler run` started in its own process group (so a test can kill the whole run: `os.killpg` of
    its pid), output discarded: a fork of the warm `ler` in a new session, or a subprocess."""
    argv = ["run", "--landing", str(landing), "--warehouse", str(warehouse), *extra]
    env = ler_environ()
    warm = _warm_ler(env)
    if warm is not None:
        return warm.start(argv, env, os.devnull, os.devnull, new_session=True)
    return subprocess.Popen(
        ler_command(*argv),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def rows_as_dicts(db: Path | None, sql: str, params: list | None = None) -> list[dict]:
    """Rows as dicts, from a database file (read-only) or, with db None, an in-memory DuckDB."""
    con = duckdb.connect(str(db), read_only=True) if db else duckdb.connect()
    try:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
