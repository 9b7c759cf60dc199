"""`ler` ends through `process_exit.end_process` (cli.entry): the exit status, the atexit handlers
and every byte of stdout and stderr as a normal exit would give them, without the interpreter's
teardown."""

import os
import subprocess
import sys

# stdout block-buffered, as for `ler` on a pipe, whatever the suite's environment says
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}

SCRIPT = """
import atexit, sys
from pathlib import Path
from dagster_project.process_exit import end_process
atexit.register(lambda: Path(sys.argv[1]).write_text("atexit ran"))
sys.stdout.write("no newline, still buffered")
sys.stderr.write("on stderr")
end_process(3)
print("never printed")
"""


def test_end_process_runs_atexit_flushes_and_exits_with_the_code(tmp_path) -> None:
    marker = tmp_path / "atexit.txt"
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(marker)], capture_output=True, text=True, timeout=120, env=ENV
    )
    assert proc.returncode == 3
    assert proc.stdout == "no newline, still buffered"
    assert proc.stderr == "on stderr"
    assert marker.read_text() == "atexit ran"


def test_end_process_survives_a_closed_stdout(tmp_path) -> None:
    """`ler status | head`: the reader is gone before the flush; the code is still the command's."""
    script = SCRIPT.replace('sys.stdout.write("no newline, still buffered")', "sys.stdout.write('x' * 10)")
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path / "m.txt")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    )
    proc.stdout.close()
    assert proc.wait(timeout=120) == 3
    assert proc.stderr.read() == b"on stderr"
    proc.stderr.close()
