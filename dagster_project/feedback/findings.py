"""Rejected rows as findings: one (file, line, field, reason) per problem of a row, never a value.

A rejected row is kept with its first failing `field` and a `reason` listing every problem of the
row as `field: rule`, `;`-joined (docs/submission_manual.md §5), both in `audit.rejected_rows` and in
the lake's `_audit/rejected_rows__<kind>.parquet` that `ler validate` reads. Whoever fixes the file
wants each problem on its own line, so `ler validate` and the provider feedback split the reasons
here, in SQL, the same way. The `record` column (the redacted row) is never read.
"""

from __future__ import annotations

from dagster_project.sqlutil import lit

REASON_SEPARATOR = "; "
# A pointer to a restricted table in a manifest message ("13 row(s) rejected, see audit.rejected_rows"):
# removed from what providers and clerks read, since they cannot open it (the list is the answer).
# The same pattern for Python's re and DuckDB's RE2.
RESTRICTED_POINTER_SQL = r",?\s*see audit\.\w+"
# `field: rule`: a field is a column name (or `record` for a line the reader could not split)
_FIELD_PREFIX = r"^([A-Za-z0-9_]+): "


def findings_sql(relation: str) -> str:
    """`select file_name, line_number, field, reason` over a rejected-rows relation (already
    quoted): one row per problem, in file, line and reason order."""
    sep = lit(REASON_SEPARATOR)
    prefix = lit(_FIELD_PREFIX)
    return f"""
        with parts as (
            select file_name, line_number,
                   unnest(string_split(reason, {sep})) as part,
                   unnest(range(1, len(string_split(reason, {sep})) + 1)) as part_no
            from {relation}
        )
        select file_name, line_number,
               nullif(regexp_extract(part, {prefix}, 1), '') as field,
               case when regexp_matches(part, {prefix}) then regexp_replace(part, {prefix}, '')
                    else part end as reason
        from parts
        where trim(part) <> ''
        order by file_name, line_number, part_no
    """
