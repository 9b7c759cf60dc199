"""Ingestion assets, one per source kind, all built by one factory from the layout contracts.

Each asset reads every file of its landing-zone folder (`ingest.py` does the work) and writes the
PII-free lake that dbt's sources read. Their metadata carries counts only, never row values.
"""

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, asset

from dagster_project.landing.contracts import contracts
from dagster_project.landing.discovery import KINDS
from dagster_project.landing.ingest import ingest_kind
from dagster_project.resources import LerSettingsResource

REFERENCE_KEY = AssetKey(["lake", "reference"])


def lake_asset_key(kind: str) -> AssetKey:
    return AssetKey(["lake", kind])


def _description(kind: str) -> str:
    layouts = [c for c in contracts().values() if c.kind == kind]
    lines = [
        f"Ingests landing/{kind}/ into the PII-free lake (tables: "
        f"{', '.join(sorted({c.table for c in layouts}))})."
    ]
    lines += [f"- {c.layout} ({c.files}): {c.description}" for c in layouts]
    return "\n".join(lines)


def build_ingest_asset(kind: str) -> AssetsDefinition:
    """The ingestion asset of one kind; every kind but `reference` is validated against it."""
    deps = [] if kind == "reference" else [REFERENCE_KEY]

    @asset(
        key=lake_asset_key(kind),
        deps=deps,
        group_name="ingestion",
        description=_description(kind),
        kinds={"python", "duckdb", "parquet"},
    )
    def _ingest(context: AssetExecutionContext, ler_settings: LerSettingsResource) -> MaterializeResult:
        settings = ler_settings.load()
        report = ingest_kind(kind, settings, warn=context.log.warning)
        summary = report.summary()
        context.log.info(f"{kind}: {summary}")
        return MaterializeResult(metadata={k: int(v) for k, v in summary.items()})

    return _ingest


def ingested_kinds() -> list[str]:
    """The source kinds that have layout contracts, in landing-zone order."""
    return sorted({c.kind for c in contracts().values()}, key=KINDS.index)


def ingest_assets() -> list[AssetsDefinition]:
    return [build_ingest_asset(kind) for kind in ingested_kinds()]
