"""What one provider's feedback says, read from the restricted warehouse in DuckDB SQL (docs/feedback.md).

Everything comes from tables the run already built: `audit.load_manifest` (files and their
status), `audit.rejected_rows` (line, field and reason of each rejected row; its `record` is read
only for the provider code, never shown), `intermediate.int_education__records` (who sent which
rows, and whether each learner has a valid SSN), `marts.dq_unmapped_codes` and `marts.dq_issues`
(codes no crosswalk knows, data-quality notes), `marts.dim_providers` and `marts.run_metadata`.

Which files are a provider's: the files of the folders providers send to (the layouts with a
`provider_id` column outside `reference/`), attributed by their rows: the known provider that most
of the file's loaded and rejected rows name. A file with no such row (a structurally broken file,
one whose every row was rejected for an unknown provider, a duplicate) goes to the provider of the
file with the same content (SHA-256), else to the one provider whose code is a word of the file
name (`TRN_PVCC_2024-25_20250815.csv` is PVCC's), else to nobody: such files are listed only in the
data office's `feedback/unattributed_files.csv`. Learners, unmapped codes and data-quality notes
are the provider's by the `provider_id` of the records themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from dagster_project.feedback.findings import RESTRICTED_POINTER_SQL, findings_sql
from dagster_project.landing.contracts import REFERENCE_KIND
from dagster_project.landing.registry import Registry, load_registry
from dagster_project.sqlutil import lit, lit_list

MANIFEST = "audit.load_manifest"
REJECTED = "audit.rejected_rows"
RECORDS = "intermediate.int_education__records"
PROVIDERS = "marts.dim_providers"
UNMAPPED = "marts.dq_unmapped_codes"
ISSUES = "marts.dq_issues"
RUN = "marts.run_metadata"
# Every table the feedback reads (the Dagster asset depends on exactly these).
SOURCE_TABLES = (MANIFEST, REJECTED, RECORDS, PROVIDERS, UNMAPPED, ISSUES, RUN)
PROVIDER_COLUMN = "provider_id"
# How a file was attributed to its provider (the `attributed_by` column).
BY_ROWS, BY_CONTENT, BY_FILE_NAME = "ROWS", "SAME_CONTENT", "FILE_NAME"
# The per-provider tables: name -> SQL (with {files} the provider's attributed files, {pid} its code).
# Column order is the CSV's column order.
TABLE_SQL = {
    "files": """
        select file_name, source_kind, file_format, status, received_at, rows_read, rows_loaded,
               rows_rejected, rows_duplicate,
               nullif(trim(regexp_replace(message, {pointer}, '', 'g')), '') as message,
               sha256, attributed_by
        from {files} order by received_at, file_name
    """,
    "rejected_rows": "select * from ({findings})",
    "rejections_by_reason": """
        select file_name, field, reason, count(distinct line_number) as n_rows,
               array_to_string(list_sort(list_distinct(list(line_number))), ', ') as lines
        from ({findings}) group by all order by file_name, min(line_number), field, reason
    """,
    "unmapped_codes": f"""
        select code_system, source_code, n_records, first_file_name from {UNMAPPED}
        where provider_id = {{pid}} order by code_system, source_code
    """,
    "data_quality": f"""
        select error_code, severity, message, file_name, n_records from {ISSUES}
        where provider_id = {{pid}} order by severity desc, error_code, file_name
    """,
}


class FeedbackError(Exception):
    """The warehouse cannot give feedback (no run yet, an unknown provider): a plain message."""


@dataclass(frozen=True)
class Table:
    """One section of the feedback: its columns (name, DuckDB type) and rows, in order, also held in
    the connection as temp table `relation` until the next provider's feedback replaces it."""

    name: str
    relation: str
    columns: tuple[tuple[str, str], ...]
    rows: tuple[tuple, ...]

    def dicts(self) -> list[dict]:
        names = [c for c, _ in self.columns]
        return [dict(zip(names, r, strict=True)) for r in self.rows]


@dataclass(frozen=True)
class ProviderFeedback:
    provider_id: str
    provider_name: str | None
    run_id: str
    run_finished_at: str
    tables: dict[str, Table]
    learners: int
    learners_without_valid_ssn: int
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def submission(self) -> list[tuple[str, str]]:
        """The provider's files as (name, SHA-256): what identifies a submission."""
        return sorted((f["file_name"], f["sha256"] or "") for f in self.tables["files"].dicts())


def provider_kinds(registry: Registry) -> list[str]:
    """The folders providers send to: those of layouts with a provider_id column (not reference/)."""
    return sorted({c.kind for c in registry.layouts.values()
                   if c.kind != REFERENCE_KIND and PROVIDER_COLUMN in c.column_names})


def known_providers(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    rows = con.execute(f"select provider_id, provider_name from {PROVIDERS} order by provider_id").fetchall()
    return dict(rows)


def last_run(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """(run_id, finished_at ISO) of the run that built the warehouse."""
    row = con.execute(f"select run_id, finished_at from {RUN} order by finished_at desc limit 1").fetchone()
    if row is None:
        raise FeedbackError("the warehouse has no finished run: run `ler run` first")
    return str(row[0]), row[1].isoformat() if row[1] is not None else ""


def attribute_files(con: duckdb.DuckDBPyConnection, registry: Registry | None = None) -> None:
    """Temp table `_fb_attributed`: every file of the provider folders with its provider (or null)
    and how it was attributed (module docstring)."""
    kinds = provider_kinds(registry or load_registry())
    con.execute(f"""
        create or replace temp table _fb_attributed as
        with files as (
            select * from {MANIFEST} where source_kind in {lit_list(kinds)}
        ),
        known as (select provider_id from {PROVIDERS}),
        votes as (
            select file_name, provider_id, count(*) as n from {RECORDS} group by all
            union all
            select file_name, trim(json_extract_string(record, '$.provider_id')), count(*)
            from {REJECTED} group by all
        ),
        by_rows as (
            select file_name, provider_id from (
                select file_name, v.provider_id, sum(n) as n from votes v join known using (provider_id)
                group by all
            ) qualify row_number() over (partition by file_name order by n desc, provider_id) = 1
        ),
        by_content as (
            select d.file_name, r.provider_id
            from files d join files l on l.sha256 = d.sha256 and l.file_name <> d.file_name
            join by_rows r on r.file_name = l.file_name
            qualify row_number() over (partition by d.file_name order by l.file_seq) = 1
        ),
        by_name as (
            select f.file_name, min(k.provider_id) as provider_id
            from files f join known k on
                list_contains(regexp_split_to_array(upper(f.file_name), '[^A-Z0-9]+'), upper(k.provider_id))
                or list_contains(regexp_split_to_array(upper(f.file_name), '[_. ]+'), upper(k.provider_id))
            group by f.file_name having count(distinct k.provider_id) = 1
        )
        select f.*, coalesce(r.provider_id, c.provider_id, n.provider_id) as provider_id,
               case when r.provider_id is not null then {lit(BY_ROWS)}
                    when c.provider_id is not null then {lit(BY_CONTENT)}
                    when n.provider_id is not null then {lit(BY_FILE_NAME)} end as attributed_by
        from files f
        left join by_rows r using (file_name)
        left join by_content c using (file_name)
        left join by_name n using (file_name)
    """)


def unattributed_files(con: duckdb.DuckDBPyConnection) -> Table:
    """The provider-folder files nobody could be told from (for the data office only)."""
    return _table(con, "unattributed_files", """
        select file_name, source_kind, file_format, status, received_at, message
        from _fb_attributed where provider_id is null order by received_at, file_name
    """)


def provider_feedback(con: duckdb.DuckDBPyConnection, provider_id: str) -> ProviderFeedback:
    """One provider's feedback (needs `attribute_files` first)."""
    providers = known_providers(con)
    if provider_id not in providers:
        raise FeedbackError(f"unknown provider {provider_id!r}: the last run's providers.csv lists "
                            + (", ".join(providers) or "none"))
    run_id, finished = last_run(con)
    pid = lit(provider_id)
    files = f"(select * from _fb_attributed where provider_id = {pid})"
    rejected = f"(select r.* from {REJECTED} r where r.file_name in (select file_name from {files}))"
    values = {"files": files, "pid": pid, "findings": findings_sql(rejected),
              "pointer": lit(RESTRICTED_POINTER_SQL)}
    tables = {name: _table(con, name, sql.format(**values)) for name, sql in TABLE_SQL.items()}
    learners, without = con.execute(
        f"select count(distinct person_key), count(distinct person_key) filter (where not is_ssn_key) "
        f"from {RECORDS} where provider_id = {pid}"
    ).fetchone()
    fb = ProviderFeedback(provider_id, providers[provider_id], run_id, finished, tables, learners, without)
    return ProviderFeedback(**{**fb.__dict__, "metrics": metrics(fb)})


def metrics(fb: ProviderFeedback) -> dict[str, float]:
    """The measures a provider's feedback compares with its previous submission."""
    files = fb.tables["files"].dicts()

    def n(status: str) -> int:
        return sum(1 for f in files if f["status"] == status)

    loaded = n("LOADED") + n("LOADED_WITH_REJECTS")
    unmapped = fb.tables["unmapped_codes"].dicts()
    issues = fb.tables["data_quality"].dicts()
    share = round(fb.learners_without_valid_ssn / fb.learners, 4) if fb.learners else 0.0
    return {
        "files_received": len(files),
        "files_loaded": loaded,
        "files_loaded_with_rejects": n("LOADED_WITH_REJECTS"),
        "files_quarantined": n("QUARANTINED"),
        "files_duplicate": n("DUPLICATE"),
        "rows_read": sum(f["rows_read"] for f in files),
        "rows_loaded": sum(f["rows_loaded"] for f in files),
        "rows_rejected": sum(f["rows_rejected"] for f in files),
        "rows_duplicate": sum(f["rows_duplicate"] for f in files),
        "learners": fb.learners,
        "learners_without_valid_ssn": fb.learners_without_valid_ssn,
        "share_without_valid_ssn": share,
        "unmapped_codes": len(unmapped),
        "unmapped_code_records": sum(u["n_records"] for u in unmapped),
        "data_quality_warnings": sum(i["n_records"] for i in issues if i["severity"] == "WARNING"),
    }


def _table(con: duckdb.DuckDBPyConnection, name: str, sql: str) -> Table:
    relation = f"_fb_{name}"
    con.execute(f"create or replace temp table {relation} as {sql}")
    columns = tuple((c, str(t)) for c, t in con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_name = ? and table_catalog = 'temp' order by ordinal_position", [relation]
    ).fetchall())
    rows = tuple(con.execute(f"select * from {relation}").fetchall())
    return Table(name, relation, columns, rows)
