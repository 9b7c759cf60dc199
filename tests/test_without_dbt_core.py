"""`ler run` imports dagster-dbt without dbt-core (dagster_project/without_dbt_core.py): the
definitions load, dagster-dbt takes its path without dbt-core, and an import of dbt-core during
the run fails at once, naming why. The suite's runs (tests/support/ler_server.py) and the plain
`ler run` of tests/test_warm_dbt.py run the whole pipeline that way."""

import subprocess
import sys

SCRIPT = """
import sys
from dagster_project.without_dbt_core import dbt_core_blocked
with dbt_core_blocked() as blocked:
    assert blocked
    import dagster_project.definitions
    from dagster_dbt.compat import DBT_PYTHON_VERSION
    assert DBT_PYTHON_VERSION is None
    assert not [m for m in sys.modules if m.split(".")[0] in ("dbt", "dbt_common")]
    try:
        import dbt.version
    except ModuleNotFoundError as exc:
        assert "without_dbt_core.py" in str(exc), exc
    else:
        raise AssertionError("dbt-core imported inside the block")
with dbt_core_blocked() as blocked:  # dagster-dbt is imported now: nothing to block
    assert not blocked
import dbt.version  # after the block, dbt-core imports again
print("ok")
"""


def test_the_definitions_load_without_dbt_core_and_dbt_cannot_be_imported_in_the_block() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().endswith("ok")
