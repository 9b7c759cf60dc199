"""Who may get a learner-level output (docs/submission_manual.md §2.5, docs/learner_records.md).

`reference/consent*.csv` rows are keyed at ingestion (the SSN becomes the person key, like every
other SSN) and the consent in force is computed by dbt at each run (`int_learners__consent`): per
person and scope, the row with the latest `effective_date` on or before the run date; on a tie the
later file, then the later line. The commands read that table from the restricted warehouse, so a
consent or a revocation takes effect with the next `ler run`, never in between.

- `LER_EXPORT` GRANTED: the learner may be issued a learner record (`ler learner-record(s)`).
- `EMPLOYMENT_SUMMARY` GRANTED: the record also says, per credential, whether the learner was employed
  in the second quarter after completion (the learner's own wage records only).

No consent row, or REVOKED, means no: consent is opt-in. The aggregate outcome tables never read it.
"""

from __future__ import annotations

import duckdb

LER_EXPORT = "LER_EXPORT"
EMPLOYMENT_SUMMARY = "EMPLOYMENT_SUMMARY"
SCOPES = (LER_EXPORT, EMPLOYMENT_SUMMARY)
GRANTED, REVOKED = "GRANTED", "REVOKED"
CONSENT_TABLE = "intermediate.int_learners__consent"


def scopes_granted(con: duckdb.DuckDBPyConnection, person_key: str) -> set[str]:
    """The scopes a learner has GRANTED as of the warehouse's last run."""
    rows = con.execute(
        f"select scope from {CONSENT_TABLE} where person_key = ? and status = '{GRANTED}'", [person_key]
    ).fetchall()
    return {r[0] for r in rows}


def consenting_learners(con: duckdb.DuckDBPyConnection, scope: str = LER_EXPORT) -> list[str]:
    """Person keys with `scope` GRANTED as of the last run, sorted."""
    rows = con.execute(
        f"select person_key from {CONSENT_TABLE} where scope = ? and status = '{GRANTED}' order by 1", [scope]
    ).fetchall()
    return [r[0] for r in rows]
