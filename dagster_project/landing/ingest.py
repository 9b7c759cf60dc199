"""Ingest one source kind of the landing zone into the PII-free lake (LER_SPEC.md §1, §4, §5).

For each file, in timeline order: skip exact duplicates of a file already loaded (SHA-256), read it
with its format's reader, judge every record against the layout contract in DuckDB, quarantine the
whole file when its structure is wrong, it has no data rows, or more than `LER_MAX_REJECT_RATE` of
its rows are rejected; otherwise write its loaded rows as Parquet. Every file gets one manifest row
with `rows_read = rows_loaded + rows_rejected + rows_duplicate`.

Outputs are built in a scratch folder and swapped into place at the end, so a crash leaves the
previous lake untouched. Names, SSNs and birth dates never reach any output: the readers' raw text
lives only in an in-memory DuckDB, and only the contract's non-PII columns plus the HMAC person key
are written.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from dagster_project.identity import install_sql_identity
from dagster_project.landing.context import ProviderDirectory, ReadContext
from dagster_project.landing.contracts import REFERENCE_KIND, Contract
from dagster_project.landing.discovery import LandedFile, discover
from dagster_project.landing.file_cache import REJECTS, ROWS, CachedFile, FileCache, reader_inputs
from dagster_project.landing.hashed_identity import load_ssn_candidates, resolve_hashed_ssns
from dagster_project.landing.readers import fast_reader_for, reader_for
from dagster_project.landing.records import LINE, PROBLEM_FIELD, PROBLEM_REASON, StructuralError
from dagster_project.landing.registry import Registry, load_registry
from dagster_project.landing.reports import write_quarantine_report
from dagster_project.landing.validate import FILE_IDX, Counts, install_sql_helpers, validate
from dagster_project.project_paths import WarehousePaths
from dagster_project.settings import Settings
from dagster_project.sqlutil import ident, lit, path_lit

log = logging.getLogger(__name__)

LOADED = "LOADED"
LOADED_WITH_REJECTS = "LOADED_WITH_REJECTS"
QUARANTINED = "QUARANTINED"
DUPLICATE = "DUPLICATE"

MANIFEST_COLUMNS = (
    ("file_name", "VARCHAR"),
    ("file_path", "VARCHAR"),
    ("sha256", "VARCHAR"),
    ("source_kind", "VARCHAR"),
    ("file_format", "VARCHAR"),
    ("status", "VARCHAR"),
    ("rows_read", "BIGINT"),
    ("rows_loaded", "BIGINT"),
    ("rows_rejected", "BIGINT"),
    ("rows_duplicate", "BIGINT"),
    ("received_at", "TIMESTAMPTZ"),
    ("message", "VARCHAR"),
    ("file_seq", "INTEGER"),
    ("layout", "VARCHAR"),
)
REJECT_COLUMNS = (
    ("file_name", "VARCHAR"),
    ("line_number", "BIGINT"),
    ("field", "VARCHAR"),
    ("reason", "VARCHAR"),
    ("record", "VARCHAR"),
)
# A batch judged in one SQL pass holds consecutive files of one layout up to these limits.
BATCH_ROWS = 1_000_000
BATCH_FILES = 5_000
# Files of a cacheable layout (its contract says) at least this large are judged alone and their rows
# cached (file_cache.py); smaller ones are cheap to judge again in batches.
CACHE_MIN_BYTES = 4 * 1024 * 1024
# The reference table whose rows make the readers' provider directory (ReadContext.providers).
PROVIDERS_TABLE = "providers"


@dataclass
class FileResult:
    file: LandedFile
    status: str
    counts: Counts
    message: str

    def manifest_row(self) -> tuple:
        f = self.file
        return (
            f.name,
            str(f.path),
            f.sha256,
            f.kind,
            f.file_format,
            self.status,
            self.counts.rows_read,
            self.counts.rows_loaded,
            self.counts.rows_rejected,
            self.counts.rows_duplicate,
            f.received_at,
            self.message,
            f.seq,
            f.layout,
        )


@dataclass
class KindReport:
    kind: str
    files: list[FileResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.files if r.status == status)

    @property
    def rows_loaded(self) -> int:
        return sum(r.counts.rows_loaded for r in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(r.counts.rows_rejected for r in self.files)

    def summary(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "loaded": self.count(LOADED) + self.count(LOADED_WITH_REJECTS),
            "with_rejects": self.count(LOADED_WITH_REJECTS),
            "quarantined": self.count(QUARANTINED),
            "duplicate": self.count(DUPLICATE),
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
        }


_ZERO = Counts(0, 0, 0, 0)


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def _create_empty(con: duckdb.DuckDBPyConnection, relation: str, columns: Iterable[tuple[str, str]]) -> None:
    cols = ", ".join(f"{ident(n)} {t}" for n, t in columns)
    con.execute(f"create or replace temp table {relation} ({cols})")


class KindIngestor:
    """Ingests every file of one kind; one instance per run and kind."""

    def __init__(
        self,
        kind: str,
        settings: Settings,
        *,
        warn: Callable[[str], None] | None = None,
        check_references: bool = True,
        registry: Registry | None = None,
    ) -> None:
        self.kind = kind
        self.registry = registry or load_registry()
        self.check_references = check_references
        self.settings = settings
        self.paths = WarehousePaths(settings.warehouse_dir)
        self.warn = warn or log.warning
        self.build = self.paths.lake / f".build-{kind}"
        self.quarantine_build = self.paths.quarantine / f".build-{kind}"
        for restricted in (self.paths.lake, self.paths.tmp):  # PII-free, but row-level: owner only
            restricted.mkdir(parents=True, exist_ok=True)
            restricted.chmod(0o700)
        self.con = duckdb.connect()
        spill = self.paths.tmp / f"duckdb-{kind}"
        spill.mkdir(parents=True, exist_ok=True)
        self.con.execute(f"set temp_directory = {path_lit(spill)}")
        install_sql_identity(self.con, settings.hash_key)
        install_sql_helpers(self.con)
        _create_empty(self.con, "_all_rejects", REJECT_COLUMNS)
        self._loaded_by_sha: dict[str, str] = {}
        self._candidates_ready = False
        self._raw_layout: str | None = None
        self._pending: list[tuple[LandedFile, list[str], str | None]] = []
        self._pending_rows = 0
        self.cache = FileCache(self.paths.lake / "_cache" / kind, self.registry)
        self._key_fingerprint = hmac.new(
            settings.hash_key.encode(), b"ler-file-cache", hashlib.sha256
        ).hexdigest()
        self._reference_digest = ""
        self.report = KindReport(kind)

    # -- reference data --------------------------------------------------------------------------
    def _load_reference(self, root: Path) -> None:
        """`ref_<table>`: the effective rows (later file wins per natural key) of every table that
        layouts look up (`references`), from the lake folder `root` (or the reference build)."""
        for table in self.registry.reference_tables:
            c = self.registry.writer_of(table)
            folder = root / table
            if not (folder.is_dir() and any(folder.glob("*.parquet"))):
                _create_empty(self.con, f"ref_{table}", self.registry.lake_schema(table))
                continue
            keys = ", ".join(ident(k) for k in c.natural_key)
            self.con.execute(
                f"create or replace temp table ref_{table} as select * from "
                f"read_parquet({path_lit(folder / '*.parquet')}, union_by_name = true) qualify "
                f"row_number() over (partition by {keys} order by file_seq desc, line_number desc) = 1"
            )

    def _read_context(self) -> ReadContext:
        tables = self.registry.reference_tables
        union = " union all ".join(f"select t from ref_{t} t" for t in tables) or "select NULL"
        self._reference_digest = self.con.execute(
            "select md5(coalesce(string_agg(t::varchar, '|' order by t::varchar), '')) from "
            f"({union}) as x(t)"
        ).fetchall()[0][0]
        rows = []
        if PROVIDERS_TABLE in tables:
            rows = self.con.execute(
                f"select provider_id, fice, opeid, badge_issuer_id from ref_{PROVIDERS_TABLE}"
            ).fetchall()
        directory = ProviderDirectory.from_rows(
            dict(zip(("provider_id", "fice", "opeid", "badge_issuer_id"), r, strict=True)) for r in rows
        )
        return ReadContext(
            providers=directory,
            icesa_layout=self.settings.icesa_layout,
            max_json_depth=self.settings.max_json_depth,
            run_date=date.today(),
        )

    # -- hashed Open Badges identities -----------------------------------------------------------
    def _resolve_hashed_ssns(self, c: Contract) -> str | None:
        if not (c.identity and c.identity.ssn_hash):
            return None
        if not self._candidates_ready:
            load_ssn_candidates(self.con, self.settings.landing_dir, self.registry)
            self._candidates_ready = True
        return resolve_hashed_ssns(self.con, c)

    # -- reading and judging files, in batches of one layout ---------------------------------------
    def _read_into_raw(self, f: LandedFile, c: Contract, ctx: ReadContext) -> int:
        """Append the file's raw records to `_raw` tagged with the file's seq; return the row count.

        The contract's `fast_reader` (DuckDB's path for large plain CSV files, `csv_fast.py`) is tried
        first; otherwise, or when it declines, the reader's Arrow batches are streamed in.
        """
        if self._raw_layout is None:
            cols = ", ".join(f"{ident(n)} varchar" for n in c.column_names)
            self.con.execute(
                f"create or replace temp table _raw ({FILE_IDX} integer, {LINE} bigint, "
                f"{PROBLEM_FIELD} varchar, {PROBLEM_REASON} varchar, {cols})"
            )
            self._raw_layout = c.layout
        fast = fast_reader_for(c)
        if fast is not None and (rows := fast(self.con, "_raw", f.seq, f.path, c, ctx)) is not None:
            return rows
        rows = 0
        for batch in reader_for(c)(f.path, c, ctx):
            self.con.register("_batch", batch)
            self.con.execute(f"insert into _raw select {f.seq}::integer, * from _batch")
            self.con.unregister("_batch")
            rows += batch.num_rows
        return rows

    def _cache_key(self, f: LandedFile, c: Contract, ctx: ReadContext) -> str | None:
        """The cache key of a large file of a cacheable layout: everything its judged rows depend on
        (file_cache.py); None when the file is not cached."""
        if not c.cacheable or f.path.stat().st_size < CACHE_MIN_BYTES:
            return None
        parts = [
            f.sha256,
            c.layout,
            self._key_fingerprint,
            str(self.settings.max_field_length),
            str(self.check_references),
            *reader_inputs(c, ctx),
        ]
        if c.references:
            parts.append(self._reference_digest)
        return self.cache.key(*parts)

    def _start(self, f: LandedFile, ctx: ReadContext) -> FileResult | None:
        """Read one file into the pending batch; a result now when it is settled without judging."""
        if f.rejection:
            return self._quarantine(f, _ZERO, f.rejection)
        if f.sha256 in self._loaded_by_sha:
            return FileResult(
                f,
                DUPLICATE,
                _ZERO,
                f"same content (SHA-256) as {self._loaded_by_sha[f.sha256]}, already loaded",
            )
        c = self.registry.contract(f.layout)
        key = self._cache_key(f, c, ctx)
        if key and (hit := self.cache.get(key)) is not None:
            self._finish_batch()  # files earlier on the timeline settle first
            self._settle_cached(f, c, hit)
            return None
        ctx.warnings.clear()
        before = self.con.execute("select count(*) from _raw").fetchall()[0][0] if self._raw_layout else 0
        try:
            rows = self._read_into_raw(f, c, ctx)
        except StructuralError as exc:
            self._drop_rows_of(f)
            return self._quarantine(f, _ZERO, str(exc), list(ctx.warnings))
        if rows == 0:
            return self._quarantine(f, _ZERO, "no data rows (empty file or header only)", list(ctx.warnings))
        self._pending.append((f, list(ctx.warnings), key))
        self._pending_rows = before + rows
        return None

    def _drop_rows_of(self, f: LandedFile) -> None:
        if self._raw_layout is not None:
            self.con.execute(f"delete from _raw where {FILE_IDX} = {f.seq}")

    def _finish_batch(self) -> None:
        """Judge the pending files in one pass, then settle each in timeline order."""
        if not self._pending:
            self._reset_batch()
            return
        c = self.registry.contract(self._raw_layout)
        self.con.execute(
            "create or replace temp table _batch_files "
            f"({FILE_IDX} integer, file_name varchar, file_seq integer)"
        )
        self.con.executemany(
            "insert into _batch_files values (?, ?, ?)", [(f.seq, f.name, f.seq) for f, _, _ in self._pending]
        )
        counts = validate(
            self.con,
            c,
            "_raw",
            "_batch_files",
            lake_columns=self.registry.lake_schema(c.table),
            max_field_length=self.settings.max_field_length,
            reference_tables=(
                {t: f"ref_{t}" for t in self.registry.reference_tables} if self.check_references else None
            ),
            resolved_ssn_table=self._resolve_hashed_ssns(c),
        )
        self.con.execute(f"insert into _all_rejects select * exclude ({FILE_IDX}) from _rejected")
        batched: list[int] = []
        for f, warnings, key in self._pending:
            n = counts[f.seq]
            if key is not None:  # large file: keep its judged rows for the next runs
                cached = self.cache.put(
                    key,
                    {
                        ROWS: self._copy_writer("_loaded", f.seq),
                        REJECTS: self._copy_writer("_rejected", f.seq),
                    },
                    n,
                    warnings,
                    f.name,
                    f.seq,
                )
                if self._settle(f, n, warnings):
                    self._link_rows(cached, f, c)
            elif self._settle(f, n, warnings):
                batched.append(f.seq)
        if batched:
            first, last = batched[0], batched[-1]
            out = self.build / c.table / f"{first:06d}_{last:06d}_{c.layout}.parquet"
            out.parent.mkdir(parents=True, exist_ok=True)
            self.con.execute(
                f"copy (select * exclude ({FILE_IDX}) from _loaded where {FILE_IDX} in "
                f"({', '.join(map(str, batched))})) to {path_lit(out)} (format parquet, compression zstd)"
            )
        self._reset_batch()

    def _copy_writer(self, relation: str, seq: int) -> Callable[[Path], None]:
        def write(path: Path) -> None:
            self.con.execute(
                f"copy (select * exclude ({FILE_IDX}) from {relation} where {FILE_IDX} = {seq}) "
                f"to {path_lit(path)} (format parquet, compression zstd)"
            )

        return write

    def _settle(self, f: LandedFile, n: Counts, warnings: list[str]) -> bool:
        """Record a judged file's status (the 10 % rule); True when its rows load."""
        share = n.rows_rejected / n.rows_read
        if share > self.settings.max_reject_rate:
            reason = (
                f"{n.rows_rejected} of {n.rows_read} rows rejected ({share:.1%}), "
                f"more than the {self.settings.max_reject_rate:.0%} allowed"
            )
            q = Counts(n.rows_read, 0, n.rows_read - n.rows_duplicate, n.rows_duplicate)
            self._record(self._quarantine(f, q, reason, warnings))
            return False
        self._loaded_by_sha[f.sha256] = f.name
        notes = list(warnings)
        if n.rows_rejected:
            notes.insert(0, f"{n.rows_rejected} row(s) rejected, see audit.rejected_rows")
        if n.rows_duplicate:
            notes.append(f"{n.rows_duplicate} exact duplicate line(s) loaded once")
        status = LOADED_WITH_REJECTS if n.rows_rejected else LOADED
        self._record(FileResult(f, status, n, "; ".join(notes)))
        return True

    def _settle_cached(self, f: LandedFile, c: Contract, hit: CachedFile) -> None:
        """A file judged by an earlier run: its rejects and rows come from the cache."""
        self.con.execute(
            "insert into _all_rejects select * replace (? as file_name) from read_parquet(?)",
            [f.name, str(hit.rejects)],
        )
        if self._settle(f, hit.counts, list(hit.warnings)):
            self._link_rows(hit, f, c)

    def _link_rows(self, cached: CachedFile, f: LandedFile, c: Contract) -> None:
        """Put a cached file's rows into the lake build: a hard link when nothing about the file moved
        on the timeline, else a copy with its current name and sequence number."""
        out = self.build / c.table / f"{f.seq:06d}_{f.seq:06d}_{c.layout}.parquet"
        out.parent.mkdir(parents=True, exist_ok=True)
        if (cached.file_name, cached.file_seq) == (f.name, f.seq):
            os.link(cached.rows, out)
        else:
            self.con.execute(
                f"copy (select * replace ({lit(f.name)} as file_name, {f.seq}::integer as file_seq) "
                f"from read_parquet({path_lit(cached.rows)})) to {path_lit(out)} "
                "(format parquet, compression zstd)"
            )

    def _reset_batch(self) -> None:
        self.con.execute("drop table if exists _raw")
        self.con.execute("drop table if exists _loaded")
        self.con.execute("drop table if exists _rejected")
        self._raw_layout = None
        self._pending = []
        self._pending_rows = 0

    def _process_files(self, files: Iterable[LandedFile], ctx_for: Callable[[], ReadContext]) -> None:
        """Batch consecutive files of one layout (up to the row/file limits) and judge each batch."""
        self._reset_batch()
        ctx = ctx_for()
        for f in files:
            pending_shas = {p.sha256 for p, _, _ in self._pending}
            # a new layout needs a new `_raw` even when the last file of the old one was quarantined
            if (self._raw_layout is not None and f.layout != self._raw_layout) or (
                self._pending
                and (
                    f.sha256 in pending_shas
                    or self._pending_rows >= BATCH_ROWS
                    or len(self._pending) >= BATCH_FILES
                )
            ):
                self._finish_batch()
                ctx = ctx_for()
            result = self._start(f, ctx)
            if result is not None:
                self._record(result)
        self._finish_batch()

    def _quarantine(
        self, f: LandedFile, counts: Counts, reason: str, warnings: Iterable[str] = ()
    ) -> FileResult:
        """Write the file's error report (no values: line, field, reason only) and return its result."""
        warnings = list(warnings)
        problems = self.con.execute(
            "select line_number, reason from _all_rejects where file_name = ? order by line_number",
            [f.name],
        ).fetchall()
        write_quarantine_report(
            self.quarantine_build / f"{_safe_name(f.name)}.errors.txt", f, reason, warnings, problems
        )
        return FileResult(f, QUARANTINED, counts, "; ".join([reason, *warnings]))

    # -- the whole kind --------------------------------------------------------------------------
    def run(self) -> KindReport:
        for stale in (self.build, self.quarantine_build):
            shutil.rmtree(stale, ignore_errors=True)
        self.build.mkdir(parents=True)
        files = discover(self.settings.landing_dir, kinds=(self.kind,), registry=self.registry)
        self._run_in_load_order(files)
        self.report.files.sort(key=lambda r: r.file.seq)
        self.cache.prune()
        self._write_audit()
        self._swap_into_place()
        return self.report

    def _run_in_load_order(self, files: list[LandedFile]) -> None:
        """The files of each load order (contracts' `load_order`) in timeline order, lowest first;
        files no layout accepts last. The reference kind's own lookups (programs are checked
        against providers) see what its earlier load orders built; other kinds see the lake's."""
        reference_root = self.build if self.kind == REFERENCE_KIND else self.paths.lake
        unaccepted = 1 + max((c.load_order for c in self.registry.of_kind(self.kind)), default=0)
        by_order: dict[int, list[LandedFile]] = {}
        for f in files:
            order = self.registry.contract(f.layout).load_order if f.layout else unaccepted
            by_order.setdefault(order, []).append(f)
        for order in sorted(by_order):
            self._load_reference(reference_root)
            self._process_files(by_order[order], self._read_context)

    def _record(self, result: FileResult) -> None:
        self.report.files.append(result)
        r = result
        if r.status == QUARANTINED:
            self.warn(f"{self.kind}/{r.file.name}: QUARANTINED: {r.message}")
        elif r.status == LOADED_WITH_REJECTS:
            self.warn(f"{self.kind}/{r.file.name}: {r.counts.rows_rejected} row(s) rejected")

    def _write_audit(self) -> None:
        audit = self.build / "_audit"
        audit.mkdir(parents=True, exist_ok=True)
        _create_empty(self.con, "_manifest", MANIFEST_COLUMNS)
        rows = [r.manifest_row() for r in self.report.files]
        if rows:
            marks = ", ".join("?" for _ in MANIFEST_COLUMNS)
            self.con.executemany(f"insert into _manifest values ({marks})", rows)
        self.con.execute(
            f"copy (select * from _manifest order by file_seq) to "
            f"{path_lit(audit / f'load_manifest__{self.kind}.parquet')} (format parquet)"
        )
        self.con.execute(
            f"copy (select * from _all_rejects order by file_name, line_number) to "
            f"{path_lit(audit / f'rejected_rows__{self.kind}.parquet')} (format parquet)"
        )
        for table in self.registry.tables(self.kind):
            folder = self.build / table
            if not (folder.is_dir() and any(folder.glob("*.parquet"))):
                folder.mkdir(parents=True, exist_ok=True)
                _create_empty(self.con, "_empty_table", self.registry.lake_schema(table))
                self.con.execute(
                    f"copy _empty_table to {path_lit(folder / '_empty.parquet')} (format parquet)"
                )
        (self.build / "_audit" / f"report__{self.kind}.json").write_text(
            json.dumps(self.report.summary(), indent=2) + "\n", encoding="utf-8"
        )

    def _swap_into_place(self) -> None:
        """Replace this kind's lake tables, audit files and quarantine reports with the new build."""
        targets = [(self.build / t, self.paths.lake / t) for t in self.registry.tables(self.kind)]
        for new, old in targets:
            _replace_dir(new, old)
        audit = self.paths.lake / "_audit"
        audit.mkdir(parents=True, exist_ok=True)
        for item in (self.build / "_audit").iterdir():
            os.replace(item, audit / item.name)
        quarantine_dir = self.paths.quarantine / self.kind
        if self.quarantine_build.is_dir():
            _replace_dir(self.quarantine_build, quarantine_dir)
        else:
            shutil.rmtree(quarantine_dir, ignore_errors=True)
        shutil.rmtree(self.build, ignore_errors=True)

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self.paths.tmp / f"duckdb-{self.kind}", ignore_errors=True)


def _replace_dir(new: Path, old: Path) -> None:
    trash = old.with_name(old.name + ".old")
    shutil.rmtree(trash, ignore_errors=True)
    if old.exists():
        os.replace(old, trash)
    os.replace(new, old)
    shutil.rmtree(trash, ignore_errors=True)


def ingest_kind(
    kind: str,
    settings: Settings,
    *,
    warn: Callable[[str], None] | None = None,
    check_references: bool = True,
    registry: Registry | None = None,
) -> KindReport:
    """Ingest every file of `kind` (reference, transcripts, noncredit, wages) into the lake.

    `check_references=False` skips the provider/program lookups (used by `ler validate` when no
    reference folder is at hand). `registry` is the set of layouts (default: the project's contracts).
    """
    ingestor = KindIngestor(kind, settings, warn=warn, check_references=check_references, registry=registry)
    try:
        return ingestor.run()
    finally:
        ingestor.close()
