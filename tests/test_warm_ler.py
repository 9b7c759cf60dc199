"""The suite's warm `ler` (tests/support/ler_server.py) gives what a plain `ler` subprocess gives.

Each case runs the same command both ways and compares the exit status and both outputs; the
commands fail before any pipeline work (a missing landing zone, a short key), so this needs no
build. The end-to-end modules then run every shared scenario through it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.support import pipeline
from tests.support.pipeline import ler_command, ler_environ, ler_run


def _plain(landing: Path, warehouse: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    argv = ["run", "--landing", str(landing), "--warehouse", str(warehouse)]
    env_ = ler_environ(env)
    return subprocess.run(ler_command(*argv), env=env_, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "env",
    [None, {"LER_HASH_KEY": "too-short"}, {"LER_MIN_CELL": "not-a-number"}],
    ids=["missing-landing", "short-key", "bad-setting"],
)
def test_a_warm_run_answers_as_a_plain_subprocess(tmp_path: Path, env: dict[str, str] | None) -> None:
    landing = tmp_path / "no-landing-here"
    warm = ler_run(landing, tmp_path / "wh-warm", env=env, check=False)
    plain = _plain(landing, tmp_path / "wh-plain", env=env)
    assert warm.returncode == plain.returncode != 0
    assert warm.stdout == plain.stdout.replace("wh-plain", "wh-warm")
    assert warm.stderr == plain.stderr.replace("wh-plain", "wh-warm") and warm.stderr
    assert "Traceback" not in warm.stderr
    assert pipeline._warm and pipeline._warm[0] is not None, "the warm ler did not start"


def test_a_variable_read_at_import_time_gets_a_plain_subprocess(tmp_path: Path) -> None:
    env = ler_environ({"LER_NIGHTLY_CRON": "5 4 * * *"})
    assert pipeline._warm_ler(ler_environ()) is not None
    assert pipeline._warm_ler(env) is None


def test_a_warm_run_past_its_timeout_is_killed_as_subprocess_run_kills_its_child(tmp_path: Path) -> None:
    landing = Path(__file__).parent / "fixtures" / "example_v2" / "landing"
    wh = tmp_path / "wh"
    warm = pipeline._warm_ler(ler_environ())
    assert warm is not None
    with pytest.raises(subprocess.TimeoutExpired):
        warm.run(["run", "--landing", str(landing), "--warehouse", str(wh)], ler_environ(), timeout=3)
    holder = json.loads((wh / ".lock").read_text())["pid"]  # the run had started and holds the lock
    deadline = time.monotonic() + 10
    while Path(f"/proc/{holder}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # killed; the server reaps it
    assert not Path(f"/proc/{holder}").exists(), "the timed-out run is still running"


def test_a_started_warm_run_is_a_process_group_a_test_can_kill(tmp_path: Path) -> None:
    """start_ler_run's fork leads a process group of its own (its dbt included) as the subprocess
    did: os.killpg of its pid ends it, and wait() reports the signal as Popen does."""
    landing = Path(__file__).parent / "fixtures" / "example_v2" / "landing"
    wh = tmp_path / "wh"
    proc = pipeline.start_ler_run(landing, wh)
    assert isinstance(proc, pipeline._WarmProcess)  # the warm server serves the suite's environment
    try:
        assert os.getpgid(proc.pid) == proc.pid and proc.poll() is None
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL and proc.poll() == -signal.SIGKILL
