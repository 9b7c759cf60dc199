"""Run the layout contracts (GX suites in `data_contracts/`) through Great Expectations itself.

Ingestion compiles each suite to SQL and loads only rows that pass it; this module re-checks what is
about to load into the warehouse with GX's own engine, so a fault in that compilation can never let
contract-breaking rows through silently. It runs on the lake (typed, PII-free rows): expectations on
PII columns, which never reach the lake, were enforced at ingestion and are listed as such.

Results carry counts only: GX's sample values (`partial_unexpected_list` ...) are dropped, because
rows hold person data.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.landing.contracts import Contract
from dagster_project.landing.registry import load_registry
from dagster_project.sqlutil import ident, lit, path_lit

CHUNK_ROWS = 500_000


@dataclass(frozen=True)
class ExpectationOutcome:
    layout: str
    expectation: str
    column: str | None
    element_count: int
    unexpected_count: int

    @property
    def success(self) -> bool:
        return self.unexpected_count == 0


@dataclass(frozen=True)
class ContractReport:
    kind: str
    outcomes: tuple[ExpectationOutcome, ...]
    skipped: tuple[str, ...]  # "layout.column: expectation" enforced only at ingestion (PII)
    rows_checked: int

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    def metadata(self) -> dict[str, object]:
        failed = [o for o in self.outcomes if not o.success]
        return {
            "rows_checked": self.rows_checked,
            "expectations_run": len(self.outcomes),
            "expectations_failed": len(failed),
            "failures": "; ".join(
                f"{o.layout}.{o.column}: {o.expectation}: {o.unexpected_count} of {o.element_count}"
                for o in failed
            )
            or "none",
            "enforced_at_ingestion_only": ", ".join(self.skipped) or "none",
        }


def _gx_context():
    """A fresh ephemeral GX context per check: nothing persists between runs or leaks between kinds."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return ctx


def _lake_projection(c: Contract, lake_columns: set[str]) -> tuple[list[str], list[str]]:
    """SQL select items turning lake values back into the layout's text domain, and kept columns."""
    items, kept = [], []
    for col in c.columns:
        if col.name not in lake_columns:
            continue
        name = ident(col.name)
        if col.type == "flag":
            expr = f"case when {name} then 'Y' when not {name} then 'N' end"
        elif col.type == "date":
            expr = f"strftime({name}, '%Y-%m-%d')"
        elif col.type in ("money", "number", "integer"):
            expr = f"{name}::double"
        else:
            expr = name
        items.append(f"{expr} as {name}")
        kept.append(col.name)
    return items, kept


def _suite_for(ctx, c: Contract, kept: list[str]):
    import great_expectations as gx

    name = f"lake__{c.layout}"
    expectations = [e for e in c.suite["expectations"] if e["kwargs"].get("column") in kept]
    return ctx.suites.add(gx.ExpectationSuite(name=name, expectations=[dict(e) for e in expectations]))


def check_kind(kind: str, lake_dir: Path) -> ContractReport:
    """Validate every lake row written by `kind`'s layouts against their suites, chunk by chunk."""
    import great_expectations as gx

    ctx = _gx_context()
    outcomes: dict[tuple[str, str, str | None], list[int]] = {}
    skipped: list[str] = []
    rows_checked = 0
    con = duckdb.connect()
    for c in load_registry().of_kind(kind):
        folder = lake_dir / c.table
        files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
        if not files:
            continue
        source = f"read_parquet({path_lit(folder / '*.parquet')}, union_by_name = true)"
        lake_columns = {r[0] for r in con.execute(f"describe select * from {source}").fetchall()}
        items, kept = _lake_projection(c, lake_columns)
        skipped += [f"{c.layout}.{e.column}: {e.type}" for e in c.expectations if e.column not in kept]
        suite = _suite_for(ctx, c, kept)
        asset = ctx.data_sources.add_or_update_pandas(f"lake_{c.layout}").add_dataframe_asset(
            f"rows_{c.layout}"
        )
        batch = asset.add_batch_definition_whole_dataframe(f"all_{c.layout}")
        validation = gx.ValidationDefinition(name=f"check_{c.layout}", data=batch, suite=suite)
        where = f"source_format = {lit(c.file_format)}"
        total = con.execute(f"select count(*) from {source} where {where}").fetchall()[0][0]
        for offset in range(0, total, CHUNK_ROWS):
            frame = con.execute(
                f"select {', '.join(items)} from {source} where {where} "
                f"order by file_seq, line_number limit {CHUNK_ROWS} offset {offset}"
            ).df()
            result = validation.run(batch_parameters={"dataframe": frame}, result_format="BASIC")
            for r in result.results:
                cfg = r.expectation_config
                key = (c.layout, cfg.type, cfg.kwargs.get("column"))
                counts = outcomes.setdefault(key, [0, 0])
                counts[0] += int(r.result.get("element_count", len(frame)) or 0)
                counts[1] += int(r.result.get("unexpected_count", 0) or (0 if r.success else 1))
            rows_checked += len(frame)
    con.close()
    return ContractReport(
        kind=kind,
        outcomes=tuple(ExpectationOutcome(k[0], k[1], k[2], v[0], v[1]) for k, v in sorted(outcomes.items())),
        skipped=tuple(skipped),
        rows_checked=rows_checked,
    )
