"""A landing-zone sensor: start a full refresh when submission files appear or change.

The cursor is the set of `<kind>/<file>:<mtime_ns>:<size>` fingerprints seen; a run is requested when
it changes, with `run_key` the digest of the new fingerprints so a change set starts one run only.
Files still being uploaded (temporary names, see discovery.py) are ignored until renamed.
"""

import hashlib
import json
import os
from pathlib import Path

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from dagster_project.landing.discovery import iter_submissions
from dagster_project.run_lock import live_holder
from dagster_project.schedules import full_refresh_job
from dagster_project.settings import setting_value


def landing_fingerprints(landing_dir: Path) -> set[str]:
    prints = set()
    for kind, path in iter_submissions(landing_dir):
        st = path.stat()
        prints.add(f"{kind}/{path.name}:{st.st_mtime_ns}:{st.st_size}")
    return prints


def changes_since(cursor: str | None, current: set[str]) -> tuple[set[str], str]:
    """(fingerprints new since the cursor, the new cursor). Pure, for unit tests."""
    seen = set(json.loads(cursor)) if cursor else set()
    return current - seen, json.dumps(sorted(current))


@sensor(job=full_refresh_job, minimum_interval_seconds=300, default_status=DefaultSensorStatus.STOPPED)
def landing_zone_sensor(context: SensorEvaluationContext):
    landing = os.environ.get("LER_LANDING_DIR")
    if not landing or not Path(landing).is_dir():
        return SkipReason("LER_LANDING_DIR is not set or does not exist")
    new, cursor = changes_since(context.cursor, landing_fingerprints(Path(landing)))
    if not new:
        return SkipReason("no new or changed submission files")
    holder = live_holder(Path(setting_value("warehouse_dir")))
    if holder is not None:  # the cursor stays: the next tick after that run asks again
        return SkipReason(f"the warehouse is in use by another run ({holder.describe()})")
    context.update_cursor(cursor)
    run_key = hashlib.sha256("\n".join(sorted(new)).encode()).hexdigest()[:16]
    return RunRequest(run_key=run_key, tags={"ler/new_files": str(len(new))})
