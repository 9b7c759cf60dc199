"""The `dbt` a run with a warm dbt starts: it asks the warm server for a dbt already imported
(warm_dbt.py for `ler run`; tests/support/ler_server.py for the suite's runs), and falls back to
the real dbt when no server answers.

Usage (what the launcher script, warm_dbt.write_launcher, runs as `python -I -S`: the standard
library only, so it starts in milliseconds): `warm_dbt_client.py SOCKET REAL_DBT ARGS...`.

It hands the server its own stdin, stdout and stderr (SCM_RIGHTS), so dbt's JSON events reach
dagster-dbt's pipe as from a dbt subprocess, with its argv, environment, working folder and umask.
Once the server has said it took them (the first line back: the pid of the dbt), this process lets
go of them (it must not hold dagster-dbt's pipe open), waits for the exit status and exits with it
(dying of the same signal when the dbt was killed). A server that ends before that line took
nothing: the real dbt runs, with this process's stdio. The dbt is killed when this process dies
(its connection closes), so SIGKILL to a run's process group, which holds this process, ends its
dbt too.
"""

import json
import os
import signal
import socket
import sys


def main(socket_path: str, real_dbt: str, argv: list[str]) -> int:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(socket_path)
    except OSError:  # no server (it is starting, or gone): the real dbt, as without the warm one
        conn.close()
        os.execv(real_dbt, [real_dbt, *argv])
    umask = os.umask(0)
    os.umask(umask)
    request = {"program": "dbt", "argv": argv, "env": dict(os.environ), "cwd": os.getcwd(), "umask": umask}
    lines = conn.makefile("r")
    try:
        socket.send_fds(conn, [(json.dumps(request) + "\n").encode()], [0, 1, 2])
        taken = lines.readline()  # the pid
    except OSError:
        taken = ""
    if not taken:  # the server ended before it took anything
        conn.close()
        os.execv(real_dbt, [real_dbt, *argv])
    for fd in (0, 1, 2):  # the dbt has them now
        os.close(fd)
    status = lines.readline().strip()
    if not status:
        return 1
    code = int(status)
    if code < 0:  # killed by a signal: end the same way, as the dbt process would have
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
