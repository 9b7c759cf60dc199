"""One run at a time per warehouse (docs/reporting_rules.md §9): the lock on `<warehouse>/.lock`.

A lock held by a live process refuses a second taker at once, naming the holder; a lock whose
holder was killed is free (the kernel released it) and the next taker is told it took over a stale
lock; within one process the lock is re-entrant. The whole job takes it through its settings
resource and runs in one process. Two real `ler run`s on one warehouse are in
tests/test_crash_safety.py (`test_a_second_run_is_refused_while_one_runs` and the run after it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dagster import build_init_resource_context

from dagster_project import run_lock
from dagster_project.locked_settings import LockedLerSettingsResource
from dagster_project.run_lock import WarehouseBusy, acquire, holding, read_holder, release
from tests.support.pipeline import TEST_KEY

HOLD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from dagster_project.run_lock import acquire\n"
    "acquire(Path(sys.argv[1]), 'run-held')\n"
    "print('held', flush=True)\n"
    "time.sleep(600)\n"
)


def hold_in_another_process(wh: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(wh)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_the_lock_is_reentrant_and_released_cleanly(tmp_path: Path) -> None:
    with holding(tmp_path, "run-a") as stale:
        assert stale is None
        holder = read_holder(tmp_path / ".lock")
        assert holder is not None and (holder.pid, holder.run_id) == (os.getpid(), "run-a")
        assert holder.started_at
        with holding(tmp_path, "run-a"):  # the run's steps take it again in the same process
            pass
        assert read_holder(tmp_path / ".lock") is not None  # still held by the outer taker
    assert (tmp_path / ".lock").read_text() == ""  # released: nothing stale left
    assert oct((tmp_path / ".lock").stat().st_mode & 0o777) == "0o600"


def test_a_live_holder_refuses_others_and_a_killed_one_is_taken_over(tmp_path: Path) -> None:
    proc = hold_in_another_process(tmp_path)
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseBusy) as busy:
            acquire(tmp_path, "run-b")
        assert time.monotonic() - started < 1  # refused at once, not after a wait
        message = str(busy.value)
        assert f"pid {proc.pid}" in message and "run run-held" in message and "started 20" in message
        assert str(tmp_path) in message and "wait for it to finish" in message
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    # the kernel released the dead holder's lock; its note in the file marks the lock as stale
    stale = acquire(tmp_path, "run-c")
    try:
        assert stale is not None and (stale.pid, stale.run_id) == (proc.pid, "run-held")
        assert json.loads((tmp_path / ".lock").read_text())["run_id"] == "run-c"
    finally:
        release(tmp_path)


def test_every_run_takes_the_lock_through_its_settings_resource(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LER_WAREHOUSE_DIR", str(tmp_path / "wh"))
    monkeypatch.setenv("LER_LANDING_DIR", str(tmp_path))
    monkeypatch.setenv("LER_HASH_KEY", TEST_KEY)
    resource = LockedLerSettingsResource()
    context = build_init_resource_context()
    resource.setup_for_execution(context)
    try:
        assert read_holder(tmp_path / "wh" / ".lock").pid == os.getpid()
    finally:
        resource.teardown_after_execution(context)
    assert not run_lock._held  # released at the run's end
    proc = hold_in_another_process(tmp_path / "wh")
    try:
        with pytest.raises(WarehouseBusy, match=f"pid {proc.pid}"):
            LockedLerSettingsResource().setup_for_execution(build_init_resource_context())
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def test_the_job_runs_in_one_process_and_every_asset_holds_the_lock() -> None:
    from dagster_project.definitions import defs

    job = defs.resolve_job_def("ler_full_refresh")
    assert job.executor_def.name == "in_process"
    # a UI materialization of a few assets runs on the implicit job, with the same executor
    assert defs.resolve_implicit_global_asset_job_def().executor_def.name == "in_process"
    assert isinstance(defs.resources["ler_settings"], LockedLerSettingsResource)
    for node in job.graph.node_defs:
        assert "ler_settings" in node.required_resource_keys, node.name


@pytest.mark.slow
def test_a_run_started_by_the_schedule_sensor_or_ui_is_refused_before_its_first_step(
    tmp_path: Path, monkeypatch
) -> None:
    """What the daemon does for a scheduled or sensor run: execute the job; its resource finds the
    warehouse held by another run, and the run fails before any step, naming the holder."""
    from dagster import DagsterInstance

    from dagster_project.definitions import defs

    (tmp_path / "landing").mkdir()
    (tmp_path / "wh").mkdir()
    monkeypatch.setenv("LER_WAREHOUSE_DIR", str(tmp_path / "wh"))
    monkeypatch.setenv("LER_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("LER_HASH_KEY", TEST_KEY)
    proc = hold_in_another_process(tmp_path / "wh")
    try:
        job = defs.resolve_job_def("ler_full_refresh")
        result = job.execute_in_process(instance=DagsterInstance.ephemeral(), raise_on_error=False)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert not result.success
    assert not [e for e in result.all_events if e.is_step_start]  # nothing ran
    errors = [getattr(e.event_specific_data, "error", None) for e in result.all_events]
    messages = [err.message for err in errors if err is not None]
    assert any("in use by another run" in m and f"pid {proc.pid}" in m for m in messages), messages
    assert not (tmp_path / "wh" / "lake").exists()
