"""`ler run`'s warm dbt (dagster_project/warm_dbt.py): the dbt command it serves gives what the
venv's dbt gives (output, exit status), the client falls back to the venv's dbt when no server
answers, and the server and its folder are gone when the run ends.

The last test runs the whole path: a plain `ler run` on the sample data, whose run log says which
dbt ran the build."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from dagster_project import warm_dbt
from dagster_project.settings import Settings

REAL_DBT = str(Path(sys.executable).parent / "dbt")


def _settings(**overrides: object) -> Settings:
    values = {"warm_dbt": True, "engine": "duckdb"} | overrides
    return Settings.load(values, sample=True, need_landing=False)


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def _wait_for_socket(launcher: Path) -> None:
    """The server binds its socket once dbt is imported (a client before that runs cold dbt)."""
    socket_path = launcher.with_name("socket")
    deadline = time.monotonic() + 120
    while not socket_path.exists():
        assert time.monotonic() < deadline, "the warm dbt never listened"
        time.sleep(0.1)


@pytest.mark.parametrize("argv", [["--help"], ["no-such-command"]], ids=["help", "usage-error"])
def test_the_warm_dbt_gives_what_the_venvs_dbt_gives(argv: list[str], monkeypatch) -> None:
    monkeypatch.delenv("LER_DBT_EXECUTABLE", raising=False)
    cold = _run([REAL_DBT, *argv])
    with warm_dbt.started(_settings(), REAL_DBT):
        launcher = warm_dbt.launcher()
        assert launcher is not None
        _wait_for_socket(launcher)
        warm = _run([str(launcher), *argv])
        assert "run by the warm dbt" in warm_dbt.how_it_ran(launcher)
        folder = launcher.parent
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr)
    assert cold.returncode == (0 if argv == ["--help"] else 2)
    assert warm_dbt.launcher() is None
    assert not folder.exists()


def test_with_no_server_the_client_runs_the_venvs_dbt(tmp_path: Path) -> None:
    launcher = warm_dbt.write_launcher(tmp_path, tmp_path / "socket", REAL_DBT)  # nothing listens
    cold, fallback = _run([REAL_DBT, "--help"]), _run([str(launcher), "--help"])
    assert (fallback.returncode, fallback.stdout) == (0, cold.stdout)
    assert "cold" in warm_dbt.how_it_ran(launcher)


def test_an_unused_server_ends_with_the_run(monkeypatch) -> None:
    monkeypatch.delenv("LER_DBT_EXECUTABLE", raising=False)
    with warm_dbt.started(_settings(), REAL_DBT):
        launcher = warm_dbt.launcher()
        _wait_for_socket(launcher)
        server = [p for p in _children() if "dagster_project.warm_dbt" in p]
        assert server, "no warm dbt server among this process's children"
    assert not [p for p in _children() if "dagster_project.warm_dbt" in p]
    assert not launcher.parent.exists()


def _children() -> list[str]:
    """The command lines of this process's live children (Linux /proc)."""
    import os

    found = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == os.getpid() and fields[0] != "Z":
                found.append((status.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, IndexError, ValueError):
            continue
    return found


@pytest.mark.parametrize(
    ("overrides", "env"),
    [({"warm_dbt": False}, {}), ({"engine": "spark"}, {}), ({}, {"LER_DBT_EXECUTABLE": "/opt/site/dbt"})],
    ids=["LER_WARM_DBT=0", "spark", "site-dbt"],
)
def test_no_warm_dbt_when_off_on_spark_or_with_a_sites_dbt(overrides: dict, env: dict, monkeypatch) -> None:
    monkeypatch.delenv("LER_DBT_EXECUTABLE", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = _settings(**overrides)
    assert not warm_dbt.wanted(settings)
    with warm_dbt.started(settings, REAL_DBT):
        assert warm_dbt.launcher() is None


def test_warm_dbt_is_on_by_default(monkeypatch) -> None:
    monkeypatch.delenv("LER_WARM_DBT", raising=False)
    monkeypatch.delenv("LER_DBT_EXECUTABLE", raising=False)
    assert warm_dbt.wanted(Settings.load({}, sample=True, need_landing=False))


def test_a_plain_ler_run_builds_with_its_warm_dbt(tmp_path: Path) -> None:
    """End to end: `ler run` as an operator starts it (no suite server, so no LER_DBT_EXECUTABLE)
    succeeds, its run log says the warm dbt ran the build, and no server or folder outlives it."""
    from tests.support.pipeline import ler_command, ler_environ

    warehouse = tmp_path / "wh"
    env = ler_environ({"TMPDIR": str(tmp_path)})  # the warm dbt's folder, to look for afterwards
    command = ler_command("run", "--sample", "--warehouse", str(warehouse))
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (log,) = (warehouse / "logs").glob("*.log")
    assert "dbt build: run by the warm dbt" in log.read_text()
    assert not list(tmp_path.glob("ler-dbt-*"))
