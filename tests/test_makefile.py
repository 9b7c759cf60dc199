"""The Makefile targets do what README says: `make dev` keeps its Dagster instance under the
warehouse folder (so schedule and sensor switches and run history survive a restart) and takes a port;
`make test-fast` leaves out the full pipeline builds."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from dagster_project.project_paths import PROJECT_DIR

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(*args: str) -> str:
    """What `make -n` would run (nothing is executed)."""
    proc = subprocess.run(
        ["make", "-n", "-C", str(PROJECT_DIR), "--always-make", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.replace("\\\n", " ")


def test_make_dev_uses_a_persistent_dagster_home_under_the_warehouse_and_a_port() -> None:
    out = dry_run("dev", "PORT=3123")
    line = next(x for x in out.splitlines() if "dagster dev" in x)
    assert f"DAGSTER_HOME={PROJECT_DIR / 'warehouse' / '.dagster'}" in line
    assert "-p 3123" in line and "LER_WAREHOUSE_DIR=warehouse" in line
    # the instance folder as `ler run` makes it: owner-only, telemetry off (run_instance.prepare_home)
    assert f"prepare_home(pathlib.Path(sys.argv[1]))' {PROJECT_DIR / 'warehouse' / '.dagster'}" in out


def test_the_instance_folder_make_dev_prepares_is_owner_only_with_telemetry_off(tmp_path) -> None:
    from dagster_project.run_instance import prepare_home

    home = tmp_path / "warehouse" / ".dagster"
    prepare_home(home)
    assert home.stat().st_mode & 0o777 == 0o700
    assert "enabled: false" in (home / "dagster.yaml").read_text()
    (home / "dagster.yaml").write_text("# the operator's own\n")
    prepare_home(home)  # an existing dagster.yaml is left as it is
    assert (home / "dagster.yaml").read_text() == "# the operator's own\n"


def test_make_test_fast_leaves_out_the_pipeline_builds() -> None:
    out = dry_run("test-fast")
    assert '-m "not e2e and not slow"' in out and "ruff check" in out
    assert "sample_data.generate" not in out


def test_make_test_hands_out_the_long_modules_first_and_keeps_bytecode() -> None:
    """xdist's default reorders modules by their number of tests, which put the crash-safety
    module last (tests/conftest.py's LONG_MODULES order is kept only without it); and the bytecode
    the workers and warm runs share is written whatever the caller's environment says."""
    line = next(x for x in dry_run("test").splitlines() if " pytest " in x)
    assert "--dist loadfile" in line and "--no-loadscope-reorder" in line
    assert "env -u PYTHONDONTWRITEBYTECODE" in line
