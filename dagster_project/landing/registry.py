"""The registry of landing-zone layouts: every layout fact, read from the contracts.

Each layout's facts are written once, in the `meta.ler` block of its contract
(`data_contracts/<layout>.json`): its folder (`kind`), the files it accepts (`files`: suffixes and an
optional name prefix), its `reader` (and optional `fast_reader`), its `file_format` code, whether
large files are `cacheable`, what its rows `depends_on` besides the file, its `load_order` within
the folder and its `roster_role`. Discovery, the readers' dispatch, the file cache, `ler validate
--kind`, the ingestion assets' descriptions and the layout table of `data_contracts/README.md` are
all derived here, so adding a layout is its contract, its reader and its tests.

A registry is built from one contracts folder and never changes; `load_registry()` gives the
project's own, and callers that take a `registry` argument accept any other (tests use a temporary
folder). A layout that writes a new lake table also needs that table's dbt source.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from dagster_project.landing.contracts import (
    BOOKKEEPING_LAKE_COLUMNS,
    IDENTITY_LAKE_COLUMNS,
    KINDS,
    REFERENCE_KIND,
    ROSTERS,
    Contract,
    ContractError,
    contracts,
)
from dagster_project.project_paths import CONTRACTS_DIR

README_BEGIN = "<!-- layouts: generated from the contracts by dagster_project.landing.registry -->"
README_END = "<!-- end of layouts -->"
# How the README names what a layout depends on.
_SHOWN = {
    "providers": "provider directory",
    "icesa_layout": "`LER_ICESA_LAYOUT`",
    "max_json_depth": "`LER_MAX_JSON_DEPTH`",
    "run_date": "run date",
    ROSTERS: "rosters (other files)",
}


@dataclass(frozen=True, eq=False)
class Registry:
    """Every layout's contract, with the lookups derived from them (module docstring)."""

    directory: Path
    layouts: dict[str, Contract] = field(repr=False)

    @classmethod
    def load(cls, directory: Path) -> Registry:
        found = contracts(directory)
        ordered = sorted(found.values(), key=lambda c: (KINDS.index(c.kind), c.load_order, c.layout))
        reg = cls(directory, {c.layout: c for c in ordered})
        reg._check()
        return reg

    # -- lookups ---------------------------------------------------------------------------------
    def contract(self, layout: str) -> Contract:
        return self.layouts[layout]

    def of_kind(self, kind: str) -> list[Contract]:
        """The layouts of one folder, in load order."""
        return [c for c in self.layouts.values() if c.kind == kind]

    @property
    def kinds(self) -> tuple[str, ...]:
        """The folders that have at least one layout, in landing-zone order."""
        return tuple(k for k in KINDS if self.of_kind(k))

    def classify(self, kind: str, path: Path) -> Contract | None:
        """The layout of a file in a kind folder, or None when the folder does not accept it."""
        return next((c for c in self.of_kind(kind) if c.files.matches(path.name)), None)

    def accepted(self, kind: str) -> str:
        """What a folder accepts, for messages: `*.csv, *.xml, *.json`."""
        return ", ".join(p for c in self.of_kind(kind) for p in c.files.patterns()) or "nothing"

    def tables(self, kind: str | None = None) -> list[str]:
        return sorted({c.table for c in self.layouts.values() if kind is None or c.kind == kind})

    def roster_sources(self, kinds: Iterable[str] = KINDS) -> list[Contract]:
        return [c for c in self.layouts.values() if c.roster_role == "source" and c.kind in kinds]

    def writer_of(self, table: str) -> Contract:
        """The one layout that writes a reference table (looked up by other layouts' references)."""
        writers = [c for c in self.layouts.values() if c.table == table]
        if len(writers) != 1:
            raise ContractError(f"reference table {table!r} must be written by exactly one layout, "
                                f"found {len(writers)}")
        return writers[0]

    @property
    def reference_tables(self) -> list[str]:
        """Tables that some layout's rows are looked up in (`references`), e.g. providers, programs."""
        return sorted({r.table for c in self.layouts.values() for r in c.references})

    @cached_property
    def _lake_schemas(self) -> dict[str, tuple[tuple[str, str], ...]]:
        return {t: _lake_schema(t, [c for c in self.layouts.values() if c.table == t]) for t in self.tables()}

    def lake_schema(self, table: str) -> tuple[tuple[str, str], ...]:
        """The typed, PII-free columns of a lake table: the union of its layouts' non-PII columns.

        Bookkeeping first, then identity (when any layout of the table identifies learners), then the
        layout columns in first-seen order. Every Parquet file of a table has exactly these columns,
        so dbt sources never see schema drift between formats.
        """
        if table not in self._lake_schemas:
            raise KeyError(f"no layout writes lake table {table!r}")
        return self._lake_schemas[table]

    def source_files(self) -> list[Path]:
        """The contract files and the reader modules: what decides a file's judged rows besides the
        landing package itself (the file cache's code version covers them)."""
        files = sorted(self.directory.glob("*.json"))
        names = [n for c in self.layouts.values() for n in (c.reader, c.fast_reader) if n]
        modules = {n.split(":")[0] for n in names}
        return files + [Path(importlib.import_module(m).__file__ or "") for m in sorted(modules)]

    # -- docs ------------------------------------------------------------------------------------
    def markdown_table(self) -> str:
        """The layout table of data_contracts/README.md (a test keeps the README equal to it)."""
        lines = [
            "| suite | files | `file_format` | reader | lake table | load order | large files cached | "
            "depends on | roster role |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for c in self.layouts.values():
            depends = [f"{r.table} lookup" for r in c.references] + [_SHOWN.get(d, d) for d in c.depends_on]
            lines.append(
                f"| `{c.path.name}` | {', '.join(f'`{p}`' for p in c.patterns)} | `{c.file_format}` | "
                f"`{c.reader.rsplit('.', 1)[-1]}` | `{c.table}` | {c.load_order} | "
                f"{'yes' if c.cacheable else 'no'} | {', '.join(dict.fromkeys(depends)) or '-'} | "
                f"{c.roster_role or '-'} |"
            )
        return "\n".join(lines)

    def readme_section(self) -> str:
        return f"{README_BEGIN}\n{self.markdown_table()}\n{README_END}"

    # -- consistency -----------------------------------------------------------------------------
    def _check(self) -> None:
        """Facts that only make sense across layouts: no two layouts claim one file, a layout's
        lookups are loaded before it (same folder, earlier load order, or the reference folder), and
        rosters exist for the layouts matched against them."""
        for kind in KINDS:
            layouts = self.of_kind(kind)
            for i, a in enumerate(layouts):
                for b in layouts[i + 1:]:
                    if a.files.overlaps(b.files):
                        raise ContractError(f"{a.path.name} and {b.path.name} both accept some {kind}/ files")
        for c in self.layouts.values():
            for ref in c.references:
                writer = self.writer_of(ref.table)
                if writer.kind == c.kind and writer.load_order >= c.load_order:
                    raise ContractError(f"{c.path.name}: looks up {ref.table}, which must load first "
                                        f"(load_order below {c.load_order})")
                if writer.kind not in (c.kind, REFERENCE_KIND):
                    raise ContractError(f"{c.path.name}: looks up {ref.table}, which is not reference data")
            if ROSTERS in c.depends_on and not self.roster_sources():
                raise ContractError(f"{c.path.name}: depends on rosters, but no layout is a roster source")
            if c.roster_role == "source" and c.reader_inputs:
                raise ContractError(f"{c.path.name}: a roster source is read without a context, so its "
                                    "reader cannot depend on one")


def lake_asset_path(kind: str) -> tuple[str, str]:
    """The key path of a kind's lake asset (Dagster's `AssetKey.path`), here rather than beside the
    assets so that `ler status` can name them without importing Dagster and dbt (seconds)."""
    return ("lake", kind)


def _lake_schema(table: str, layouts: list[Contract]) -> tuple[tuple[str, str], ...]:
    cols: dict[str, str] = {}
    for c in layouts:
        for col in c.columns:
            if col.pii:
                continue
            prior = cols.setdefault(col.name, col.sql_type)
            if prior != col.sql_type:
                raise ContractError(
                    f"column {table}.{col.name} typed {prior} and {col.sql_type} in different layouts"
                )
    has_identity = any(c.identity is not None for c in layouts)
    head = list(BOOKKEEPING_LAKE_COLUMNS) + (list(IDENTITY_LAKE_COLUMNS) if has_identity else [])
    return tuple(head + list(cols.items()))


@cache
def load_registry(directory: Path = CONTRACTS_DIR) -> Registry:
    """The registry of a contracts folder (default: the project's `data_contracts/`)."""
    return Registry.load(directory)


if __name__ == "__main__":  # print the README's layout table
    print(load_registry().readme_section())
