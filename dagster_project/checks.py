"""Asset checks on the ingestion assets.

* `file_contracts` (blocking): the results of the layouts' GX suites (`data_contracts/`) as the
  judging pass of ingestion found them (per expectation: rows judged, rows rejected for breaking it),
  and a check that the lake dbt is about to read is what that pass judged: every loaded file judged,
  every lake table's row count equal to the manifest's (contract_checks.py). No row is read again.
  A failure stops the warehouse build in the same run. Metadata: counts, never values.
* `no_quarantined_files` (warning): how many files of the kind were quarantined or had rejected
  rows, so an analyst sees it on the asset without opening the audit tables.

The operational checks on the warehouse (docs/reporting_rules.md §9, "Operational checks"; rules
in ops_checks.py, reads in ops_data.py), all warnings that never stop a run, each also one WARNING
line on the console when it does not pass:
* `wage_data_fresh` on intermediate/int_wages__coverage: the latest wage quarter against the run's
  calendar quarter (LER_WAGE_FRESHNESS_LAG_QUARTERS).
* `row_count_steady` on each table of ops_data.COUNTED_TABLES: its rows against the previous
  published run's (LER_ROW_COUNT_CHANGE_PCT); records this run's counts in ops.row_counts.
* `codes_mapped` on marts/dq_unmapped_codes: the share of each code system's records whose code no
  crosswalk knows (LER_UNMAPPED_CODES_MAX_PCT).
"""

import json
from collections.abc import Iterator

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    asset_check,
    multi_asset_check,
)

from dagster_project import ops_data
from dagster_project.assets.dbt import run_started_at
from dagster_project.assets.ingest import ingested_kinds, lake_asset_key
from dagster_project.contract_checks import check_kind
from dagster_project.ops_checks import Verdict, judge_coverage, judge_freshness, judge_row_count
from dagster_project.project_paths import WarehousePaths
from dagster_project.resources import LerSettingsResource


def build_contract_check(kind: str) -> AssetChecksDefinition:
    @asset_check(
        asset=lake_asset_key(kind),
        name="file_contracts",
        blocking=True,
        description=(
            f"Every {kind} row about to load passed its layout's GX suite (data_contracts/) in the "
            "judging pass, and the lake holds exactly the rows that pass loaded."
        ),
    )
    def _check(ler_settings: LerSettingsResource) -> AssetCheckResult:
        paths = WarehousePaths(ler_settings.load().warehouse_dir)
        report = check_kind(kind, paths.lake)
        return AssetCheckResult(passed=report.success, metadata=report.metadata())

    return _check


def build_quarantine_check(kind: str) -> AssetChecksDefinition:
    @asset_check(
        asset=lake_asset_key(kind),
        name="no_quarantined_files",
        blocking=False,
        description=f"No {kind} file was quarantined and none had rejected rows (see audit tables).",
    )
    def _check(ler_settings: LerSettingsResource) -> AssetCheckResult:
        paths = WarehousePaths(ler_settings.load().warehouse_dir)
        report_file = paths.lake / "_audit" / f"report__{kind}.json"
        summary = json.loads(report_file.read_text()) if report_file.exists() else {}
        bad = summary.get("quarantined", 0) + summary.get("with_rejects", 0)
        return AssetCheckResult(
            passed=bad == 0,
            severity=AssetCheckSeverity.WARN,
            metadata={k: int(v) for k, v in summary.items()},
        )

    return _check


def ingest_checks() -> list[AssetChecksDefinition]:
    return [b(kind) for kind in ingested_kinds() for b in (build_contract_check, build_quarantine_check)]


WAGE_COVERAGE = AssetKey(["intermediate", "int_wages__coverage"])
UNMAPPED_CODES = AssetKey(["marts", "dq_unmapped_codes"])


def _warning(
    context: AssetCheckExecutionContext, check: str, verdict: Verdict, asset_key: AssetKey | None = None
) -> AssetCheckResult:
    """An operational check's result: severity WARN, the verdict's sentence as its description (the
    UI and the run log show it), its metadata; one WARNING line on the console when it fails."""
    if not verdict.passed:
        context.log.warning(f"{check}: {verdict.summary}")
    return AssetCheckResult(
        passed=verdict.passed,
        severity=AssetCheckSeverity.WARN,
        description=verdict.summary,
        metadata=dict(verdict.metadata),
        asset_key=asset_key,
        check_name=check if asset_key is not None else None,
    )


@asset_check(
    asset=WAGE_COVERAGE,
    name="wage_data_fresh",
    blocking=False,
    description=(
        "The latest wage quarter loaded is at most LER_WAGE_FRESHNESS_LAG_QUARTERS (default 2) quarters "
        "before the calendar quarter of the run's start (warning: late wage files, never a stop)."
    ),
)
def wage_data_fresh(
    context: AssetCheckExecutionContext, ler_settings: LerSettingsResource
) -> AssetCheckResult:
    settings = ler_settings.load()
    with ops_data.warehouse(settings) as con:
        latest = ops_data.latest_wage_quarter(con)
    run_date = run_started_at(context).date()
    verdict = judge_freshness(latest, run_date, settings.wage_freshness_lag_quarters)
    return _warning(context, "wage_data_fresh", verdict)


@multi_asset_check(
    name="row_count_steady",
    description="Row counts against the previous published run (ops.row_counts).",
    specs=[
        AssetCheckSpec(
            "row_count_steady",
            asset=AssetKey(list(key)),
            blocking=False,
            description=(
                f"The {label} changed by at most LER_ROW_COUNT_CHANGE_PCT (default 50) percent against the "
                "previous run that published (warning: a feed that jumped or dropped, never a stop); "
                "the first run passes with a note."
            ),
        )
        for key, label in ops_data.COUNTED_TABLES
    ],
)
def row_count_steady(
    context: AssetCheckExecutionContext, ler_settings: LerSettingsResource
) -> Iterator[AssetCheckResult]:
    settings = ler_settings.load()
    published = ops_data.published_run_ids(settings)
    with ops_data.warehouse(settings, read_only=False) as con:
        counts = ops_data.count_rows(con)
        previous_run, previous = ops_data.previous_counts(con, context.run.run_id, published)
        ops_data.record_row_counts(con, context.run.run_id, counts)
    for key, label in ops_data.COUNTED_TABLES:
        name = ops_data.table_name(key)
        current = counts[name]
        if current is None:
            verdict = Verdict(True, f"{label}: {name} is not built yet", {"current_rows": "none"})
        else:
            before = previous.get(name)
            run = previous_run if before is not None else None
            verdict = judge_row_count(label, before, current, settings.row_count_change_pct, run)
        yield _warning(context, "row_count_steady", verdict, AssetKey(list(key)))


@asset_check(
    asset=UNMAPPED_CODES,
    name="codes_mapped",
    blocking=False,
    description=(
        "In each code system (IPEDS and PESC award levels, Open Badges achievement types, noncredit "
        "credential types) at most LER_UNMAPPED_CODES_MAX_PCT (default 5) percent of the records carry a "
        "code no crosswalk knows (warning; the codes are in marts.dq_unmapped_codes, not here)."
    ),
)
def codes_mapped(context: AssetCheckExecutionContext, ler_settings: LerSettingsResource) -> AssetCheckResult:
    settings = ler_settings.load()
    with ops_data.warehouse(settings) as con:
        systems = ops_data.code_coverage(con)
    return _warning(context, "codes_mapped", judge_coverage(systems, settings.unmapped_codes_max_pct))


def ops_checks() -> list[AssetChecksDefinition]:
    """The operational checks (module docstring), in the order a reader meets them."""
    return [wage_data_fresh, row_count_steady, codes_mapped]
