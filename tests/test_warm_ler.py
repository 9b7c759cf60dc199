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


def _warm_dbt() -> tuple[pipeline._WarmLer, Path]:
    warm = pipeline._warm_ler(ler_environ())
    assert warm is not None, "the warm ler did not start"
    return warm, warm.dbt_client


def _server_children(warm: pipeline._WarmLer) -> set[int]:
    path = Path(f"/proc/{warm.proc.pid}/task/{warm.proc.pid}/children")
    return {int(p) for p in path.read_text().split()}


@pytest.mark.slow  # real dbt processes (make test runs them; make test-fast does not)
@pytest.mark.parametrize("argv", [["--version"], ["--no-such-flag"]], ids=["version", "usage-error"])
def test_the_warm_dbt_answers_as_the_real_dbt(argv: list[str]) -> None:
    """The dbt the suite's runs start (a fork of the warm server's imported dbt, with the client's
    own stdout and stderr) gives the real dbt's exit status and output."""
    _, client = _warm_dbt()
    real = pipeline.VENV_BIN / "dbt"
    warm = subprocess.run([str(client), *argv], capture_output=True, text=True, timeout=60)
    plain = subprocess.run([str(real), *argv], capture_output=True, text=True, timeout=60)
    assert (warm.returncode, warm.stdout, warm.stderr) == (plain.returncode, plain.stdout, plain.stderr)
    assert warm.stdout or warm.stderr


@pytest.mark.slow
def test_a_warm_dbt_ends_with_its_client_as_a_killed_run_ends_its_dbt(tmp_path: Path) -> None:
    """SIGKILL to a run's process group kills the dbt client in it; the fork doing the dbt work
    (the server's child, in no group of the run's) must end with it, not write on alone."""
    from dagster_project.dbt_manifest import dbt_command, dbt_environment

    warm, client = _warm_dbt()
    before = _server_children(warm)
    argv = dbt_command("parse", "--no-partial-parse", target_path=tmp_path / "target")
    env = ler_environ(dbt_environment(tmp_path / "wh")) | {"LER_DBT_EXECUTABLE": str(client)}
    proc = subprocess.Popen([str(client), *argv[1:]], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not (forks := _server_children(warm) - before):
            assert proc.poll() is None and time.monotonic() < deadline, "no dbt fork started"
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in forks) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(Path(f"/proc/{pid}").exists() for pid in forks), "the dbt fork outlived its client"
    again = subprocess.run([str(client), "--version"], capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "Core" in again.stdout  # the server serves on
