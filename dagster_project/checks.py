"""Asset checks on the ingestion assets.

* `file_contracts` (blocking): the results of the layouts' GX suites (`data_contracts/`) as the
  judging pass of ingestion found them (per expectation: rows judged, rows rejected for breaking it),
  and a check that the lake dbt is about to read is what that pass judged: every loaded file judged,
  every lake table's row count equal to the manifest's (contract_checks.py). No row is read again.
  A failure stops the warehouse build in the same run. Metadata: counts, never values.
* `no_quarantined_files` (warning): how many files of the kind were quarantined or had rejected
  rows, so an analyst sees it on the asset without opening the audit tables.
"""

import json

from dagster import AssetCheckResult, AssetChecksDefinition, AssetCheckSeverity, asset_check

from dagster_project.assets.ingest import ingested_kinds, lake_asset_key
from dagster_project.contract_checks import check_kind
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
