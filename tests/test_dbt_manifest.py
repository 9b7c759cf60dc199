"""ensure_manifest(): processes that find the manifest stale at once parse it once."""

from __future__ import annotations

import fcntl
import threading
from datetime import UTC, datetime

import pytest

from dagster_project import dbt_manifest


def test_a_process_that_waited_for_the_parse_does_not_parse_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stale when asked, fresh once the lock is free (another process parsed meanwhile): no `dbt parse`."""
    parsed_by_other = threading.Event()
    monkeypatch.setattr(dbt_manifest, "manifest_is_stale", lambda: not parsed_by_other.is_set())

    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("dbt parse ran although the manifest was parsed while this process waited")

    monkeypatch.setattr(dbt_manifest.subprocess, "run", no_parse)
    dbt_manifest.TARGET.mkdir(parents=True, exist_ok=True)
    result: list[object] = []
    with dbt_manifest.PARSE_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # "another process" is parsing
        waiter = threading.Thread(target=lambda: result.append(dbt_manifest.ensure_manifest()))
        waiter.start()
        waiter.join(timeout=0.5)
        assert waiter.is_alive(), "ensure_manifest() did not wait for the parse under way"
        parsed_by_other.set()
    waiter.join(timeout=10)
    assert result == [dbt_manifest.MANIFEST]


def test_a_stale_manifest_is_parsed_under_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parse runs while this process holds the lock (a second process would wait for it)."""
    monkeypatch.setattr(dbt_manifest, "manifest_is_stale", lambda: True)
    held: list[bool] = []

    def parse(*args: object, **kwargs: object) -> None:
        with dbt_manifest.PARSE_LOCK.open("a") as probe:
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                held.append(True)
            else:
                held.append(False)

    monkeypatch.setattr(dbt_manifest.subprocess, "run", parse)
    monkeypatch.setattr(dbt_manifest.os, "replace", lambda *a: None)  # nothing parsed: nothing moved
    dbt_manifest.ensure_manifest()
    assert held == [True]


def test_the_seed_is_parsed_with_the_profile_of_a_run_with_default_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """The partial-parse seed keeps only when its rendered profile is a run's (dbt_manifest's
    docstring): a caller's own memory limit must not reach it, or every default run re-parses."""
    from dagster_project.assets.dbt import dbt_run_environment
    from dagster_project.settings import Settings

    monkeypatch.setattr(dbt_manifest, "manifest_is_stale", lambda: True)
    monkeypatch.setenv("LER_DUCKDB_MEMORY_LIMIT", "512MB")  # e.g. a test's own limit
    seen: list[dict[str, str]] = []
    monkeypatch.setattr(dbt_manifest.subprocess, "run", lambda *a, **kw: seen.append(kw["env"]))
    monkeypatch.setattr(dbt_manifest.os, "replace", lambda *a: None)
    dbt_manifest.ensure_manifest()
    monkeypatch.delenv("LER_DUCKDB_MEMORY_LIMIT")
    default = Settings.load(
        {"landing_dir": tmp_path, "warehouse_dir": tmp_path / "wh"}, environ={"LER_HASH_KEY": "secret-k" * 4}
    )
    run = dbt_run_environment(default, "run-1", datetime(2026, 12, 1, tzinfo=UTC))
    for read_by_the_profile in ("LER_WAREHOUSE_DIR", "LER_DUCKDB_MEMORY_LIMIT"):
        assert seen[0][read_by_the_profile] == run[read_by_the_profile], read_by_the_profile
