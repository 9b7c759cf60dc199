"""Ingestion assets, one per source kind, all built by one factory from the layout registry.

Each asset reads every file of its landing-zone folder (`ingest.py` does the work) and writes the
PII-free lake that dbt's sources read; the kinds and each asset's description come from the layouts'
contracts (`landing/registry.py`). Their metadata carries counts only, never row values. Progress of
long work (files done / total, rows per second of large files, `landing/progress.py`) goes to the
run's log and to stderr, so it shows on the console of `ler run` at its default log level (WARNING,
which keeps Dagster's own step chatter out) and in the compute logs of `dagster dev`.
"""

import sys
from collections.abc import Callable

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, asset

from dagster_project.landing.contracts import REFERENCE_KIND
from dagster_project.landing.ingest import ingest_kind
from dagster_project.landing.registry import lake_asset_path, load_registry
from dagster_project.resources import LerSettingsResource


def lake_asset_key(kind: str) -> AssetKey:
    return AssetKey(list(lake_asset_path(kind)))


def _description(kind: str) -> str:
    registry = load_registry()
    lines = [f"Ingests landing/{kind}/ into the PII-free lake (tables: {', '.join(registry.tables(kind))})."]
    lines += [f"- {c.layout} ({', '.join(c.patterns)}): {c.description}" for c in registry.of_kind(kind)]
    return "\n".join(lines)


def _progress(context: AssetExecutionContext) -> Callable[[str], None]:
    def emit(message: str) -> None:
        context.log.info(message)
        print(f"progress: {message}", file=sys.stderr, flush=True)

    return emit


def build_ingest_asset(kind: str) -> AssetsDefinition:
    """The ingestion asset of one kind; every kind but `reference` is validated against it."""
    deps = [] if kind == REFERENCE_KIND else [lake_asset_key(REFERENCE_KIND)]

    @asset(
        key=lake_asset_key(kind),
        deps=deps,
        group_name="ingestion",
        description=_description(kind),
        kinds={"python", "duckdb", "parquet"},
    )
    def _ingest(context: AssetExecutionContext, ler_settings: LerSettingsResource) -> MaterializeResult:
        settings = ler_settings.load()
        report = ingest_kind(kind, settings, warn=context.log.warning, progress=_progress(context))
        summary = report.summary()
        context.log.info(f"{kind}: {summary}")
        return MaterializeResult(metadata={k: int(v) for k, v in summary.items()})

    return _ingest


def ingested_kinds() -> list[str]:
    """The source kinds that have layout contracts, in landing-zone order."""
    return list(load_registry().kinds)


def ingest_assets() -> list[AssetsDefinition]:
    return [build_ingest_asset(kind) for kind in ingested_kinds()]
