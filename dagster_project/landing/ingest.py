"""Ingest one source kind of the landing zone into the PII-free lake (docs/submission_manual.md §1, §4, §5).

For each file, in timeline order: a file already loaded (same SHA-256) is a DUPLICATE; otherwise its
format's reader puts its raw records in the pending batch (`batch.py`), the batch is judged against
the layout contract in one DuckDB pass (`validate.py`, whose per-expectation results are the
`file_contracts` check's, `contract_results.py`), and each file's counts get their status from the
judge (`judge.py`: the 10 % rule). Loaded rows are written to the lake build, which is swapped into
place at the end (`lake_build.py`), so a crash leaves the previous lake untouched. Large files of a
cacheable layout are judged in the batch like any other, and their judged rows kept, file by file,
for the next runs (`file_cache.py`): a run that finds them in the cache reads none of them again.

Names, SSNs, birth dates and local ids never reach any output: the readers' raw text lives only in
an in-memory DuckDB, and only the contract's non-PII columns plus the HMAC keys are written.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from dagster_project.identity import install_sql_identity, key_fingerprint
from dagster_project.landing import duckdb_session
from dagster_project.landing.batch import Pending, PendingBatch
from dagster_project.landing.context import ReadContext
from dagster_project.landing.contract_results import KindContracts, count_rejects
from dagster_project.landing.contracts import REFERENCE_KIND, Contract
from dagster_project.landing.discovery import LandedFile, discover
from dagster_project.landing.file_cache import REJECTS, ROWS, CachedFile, FileCache, reader_inputs
from dagster_project.landing.hash_memo import HashMemo
from dagster_project.landing.hashed_identity import load_ssn_candidates, resolve_hashed_ssns
from dagster_project.landing.judge import (
    LOADED_WITH_REJECTS,
    NO_ROWS,
    QUARANTINED,
    Verdict,
    duplicate_of,
    judge_counts,
    quarantined,
)
from dagster_project.landing.lake_build import PARQUET, LakeBuild, create_empty
from dagster_project.landing.progress import Progress
from dagster_project.landing.records import StructuralError
from dagster_project.landing.reference_data import load_reference, read_context, reference_digest
from dagster_project.landing.registry import Registry, load_registry
from dagster_project.landing.results import REJECT_COLUMNS, FileResult, KindReport
from dagster_project.landing.validate import FILE_IDX, Counts, install_sql_helpers, validate
from dagster_project.project_paths import WarehousePaths
from dagster_project.settings import Settings
from dagster_project.sqlutil import path_lit

log = logging.getLogger(__name__)

__all__ = ["FileResult", "KindReport", "ingest_kind"]

# Files of a cacheable layout (its contract says) at least this large have their judged rows cached
# (file_cache.py); smaller ones are cheap to judge again. 64 KiB, the size from which a CSV takes
# the DuckDB path (csv_fast.MIN_FAST_BYTES): a state's transcript files of a few hundred KB cost
# more to judge than to fetch (34 such files: 2.4 s judged again, 1.2 s from the cache, state
# size); at 4 MiB a mid-size night judged 40 quarterly learner files again, 8 s of its 34 s.
CACHE_MIN_BYTES = 64 * 1024
ALL_REJECTS = "_all_rejects"


class KindIngestor:
    """Ingests every file of one kind; one instance per run and kind."""

    def __init__(
        self,
        kind: str,
        settings: Settings,
        *,
        warn: Callable[[str], None] | None = None,
        progress: Callable[[str], None] | None = None,
        check_references: bool = True,
        registry: Registry | None = None,
    ) -> None:
        self.kind = kind
        self.registry = registry or load_registry()
        self.check_references = check_references
        self.settings = settings
        self.paths = WarehousePaths(settings.warehouse_dir)
        self.warn = warn or log.warning
        self.emit = progress or log.info
        for restricted in (self.paths.lake, self.paths.tmp):  # PII-free, but row-level: owner only
            restricted.mkdir(parents=True, exist_ok=True)
            restricted.chmod(0o700)
        self.spill = self.paths.tmp / f"duckdb-{kind}"
        self.con = duckdb_session.connect(settings, self.spill)
        install_sql_identity(self.con, settings.hash_key)
        install_sql_helpers(self.con)
        create_empty(self.con, ALL_REJECTS, REJECT_COLUMNS)
        self.batch = PendingBatch(self.con)
        self.build = LakeBuild(self.paths, kind, self.registry)
        self.cache = FileCache(self.paths.lake / "_cache" / kind, self.registry)
        self._key_fingerprint = key_fingerprint(settings.hash_key, "ler-file-cache")
        self._reference_digest = ""
        self._candidates_ready = False
        self.hashes: HashMemo | None = None  # the SHA-256 memo of the run (`run`)
        self._loaded_by_sha: dict[str, str] = {}
        self.contracts = KindContracts(kind)
        self.report = KindReport(kind)
        self.progress = Progress(kind, 0, self.emit)

    # -- the whole kind --------------------------------------------------------------------------
    def run(self) -> KindReport:
        self.build.start()
        self.hashes = hashes = HashMemo(self.paths.lake / "_cache" / f"{self.kind}.sha256.json")
        files = discover(self.settings.landing_dir, kinds=(self.kind,), registry=self.registry, hashes=hashes)
        self.progress = Progress(self.kind, len(files), self.emit)
        self._run_in_load_order(files)
        self.report.files.sort(key=lambda r: r.file.seq)
        self.cache.prune()
        self.build.write_audit(self.con, self.report, ALL_REJECTS, self.contracts)
        self.build.swap_into_place()
        hashes.save()
        self.progress.finished()
        return self.report

    def _run_in_load_order(self, files: list[LandedFile]) -> None:
        """The files of each load order (contracts' `load_order`) in timeline order, lowest first;
        files no layout accepts last. The reference kind's own lookups (programs are checked
        against providers) see what its earlier load orders built; other kinds see the lake's."""
        reference_root = self.build.root if self.kind == REFERENCE_KIND else self.paths.lake
        unaccepted = 1 + max((c.load_order for c in self.registry.of_kind(self.kind)), default=0)
        by_order: dict[int, list[LandedFile]] = {}
        for f in files:
            order = self.registry.contract(f.layout).load_order if f.layout else unaccepted
            by_order.setdefault(order, []).append(f)
        for order in sorted(by_order):
            load_reference(self.con, self.registry, reference_root)
            self._process(by_order[order])

    def _context(self) -> ReadContext:
        self._reference_digest = reference_digest(self.con, self.registry)
        return read_context(self.con, self.registry, self.settings)

    def _process(self, files: Iterable[LandedFile]) -> None:
        self.batch.clear()
        ctx = self._context()
        for f in files:
            if self.batch.must_end_before(f):
                self._judge_batch(ctx)
                ctx = self._context()
            self._take(f, ctx)
        self._judge_batch(ctx)

    # -- one file --------------------------------------------------------------------------------
    def _take(self, f: LandedFile, ctx: ReadContext) -> None:
        """Settle the file now (not accepted, duplicate, cached, unreadable) or add it to the batch."""
        if f.rejection:
            return self._quarantine(f, quarantined(f.rejection))
        if f.sha256 in self._loaded_by_sha:
            return self._record(f, duplicate_of(self._loaded_by_sha[f.sha256]))
        c = self.registry.contract(f.layout)
        key = self._cache_key(f, c, ctx)
        if key and (hit := self.cache.get(key)) is not None:
            return self._settle_cached(f, c, hit)
        ctx.warnings.clear()
        started = time.perf_counter()
        try:
            if (queued := self.batch.queue(f, c, ctx.warnings)) is not None:  # read with the batch
                return self.batch.add(Pending(f, list(ctx.warnings), key, 0, 0.0, queued))
            rows = self.batch.read(f, c, ctx)
        except StructuralError as exc:
            return self._quarantine(f, quarantined(str(exc), ctx.warnings))
        if rows == 0:
            return self._quarantine(f, quarantined(NO_ROWS, ctx.warnings))
        self.batch.add(Pending(f, list(ctx.warnings), key, rows, time.perf_counter() - started))

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

    # -- judging a batch -------------------------------------------------------------------------
    def _judge_batch(self, ctx: ReadContext) -> None:
        """Read the queued files, judge the pending ones in one pass, then settle each in timeline
        order."""
        started = time.perf_counter()
        if self.batch.layout is not None:
            c = self.registry.contract(self.batch.layout)
            for p, error in self.batch.read_queued(c, ctx):
                self._quarantine(p.file, quarantined(str(error) if error else NO_ROWS, p.warnings))
        if not self.batch.files:
            self.batch.clear()
            return
        c = self.registry.contract(self.batch.layout)
        self.con.execute(
            "create or replace temp table _batch_files "
            f"({FILE_IDX} integer, file_name varchar, file_seq integer)"
        )
        self.con.executemany(
            "insert into _batch_files values (?, ?, ?)",
            [(p.file.seq, p.file.name, p.file.seq) for p in self.batch.files],
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
        broken = count_rejects(self.con, c, "_rejected", FILE_IDX)
        self.con.execute(f"insert into {ALL_REJECTS} select * exclude ({FILE_IDX}) from _rejected")
        judge_s = time.perf_counter() - started
        batched: list[int] = []
        for p in self.batch.files:
            file_started = time.perf_counter()
            n, by_expectation = counts[p.file.seq], broken.get(p.file.seq, {})
            if p.cache_key is not None:  # large file: keep its judged rows for the next runs
                cached = self.cache.put(
                    p.cache_key,
                    {
                        ROWS: self._copy_writer("_loaded", p.file.seq),
                        REJECTS: self._copy_writer("_rejected", p.file.seq),
                    },
                    n,
                    p.warnings,
                    p.file.name,
                    p.file.seq,
                    by_expectation,
                )
                if self._settle(p.file, c, n, p.warnings, by_expectation).loads:
                    self.build.link_cached(self.con, cached, p.file, c.table, c.layout)
            elif self._settle(p.file, c, n, p.warnings, by_expectation).loads:
                batched.append(p.file.seq)
            # its reading, its share of the judging, and its cache write
            seconds = p.read_s + judge_s * p.rows / self.batch.rows + time.perf_counter() - file_started
            self.progress.file_read(f"{self.kind}/{p.file.name}", n.rows_read, seconds)
        if batched:
            seqs = ", ".join(map(str, batched))
            select = f"select * exclude ({FILE_IDX}) from _loaded where {FILE_IDX} in ({seqs})"
            self.build.write_rows(self.con, select, c.table, batched, c.layout)
        self.batch.clear()

    def _copy_writer(self, relation: str, seq: int) -> Callable[[Path], None]:
        def write(path: Path) -> None:
            self.con.execute(
                f"copy (select * exclude ({FILE_IDX}) from {relation} where {FILE_IDX} = {seq}) "
                f"to {path_lit(path)} {PARQUET}"
            )

        return write

    def _resolve_hashed_ssns(self, c: Contract) -> str | None:
        """Hashed Open Badges identities matched to the landing zone's SSNs (in memory only)."""
        if not (c.identity and c.identity.ssn_hash):
            return None
        if not self._candidates_ready:
            load_ssn_candidates(self.con, self.settings.landing_dir, self.registry, self.hashes)
            self._candidates_ready = True
        return resolve_hashed_ssns(self.con, c)

    # -- settling files --------------------------------------------------------------------------
    def _settle(
        self, f: LandedFile, c: Contract, n: Counts, warnings: list[str], by_expectation: dict[str, int]
    ) -> Verdict:
        """Record a judged file's verdict; its contract results count when its rows load."""
        verdict = judge_counts(n, warnings, self.settings.max_reject_rate)
        if not verdict.loads:
            self._quarantine(f, verdict)
            return verdict
        self._loaded_by_sha[f.sha256] = f.name
        self.contracts.add(f.name, c, n.rows_loaded + n.rows_rejected, n.rows_loaded, by_expectation)
        self._record(f, verdict)
        return verdict

    def _settle_cached(self, f: LandedFile, c: Contract, hit: CachedFile) -> None:
        """A file judged by an earlier run: its rejects, rows and contract results come from the cache."""
        self.con.execute(
            f"insert into {ALL_REJECTS} select * replace (? as file_name) from read_parquet(?)",
            [f.name, str(hit.rejects)],
        )
        if self._settle(f, c, hit.counts, list(hit.warnings), hit.expectations).loads:
            self.build.link_cached(self.con, hit, f, c.table, c.layout)

    def _quarantine(self, f: LandedFile, verdict: Verdict) -> None:
        """Write the file's error report (no values: line, field, reason only) and record it."""
        problems = self.con.execute(
            f"select line_number, reason from {ALL_REJECTS} where file_name = ? order by line_number",
            [f.name],
        ).fetchall()
        self.build.quarantine_report(f, verdict.reason or verdict.message, verdict.warnings, problems)
        self._record(f, verdict)

    def _record(self, f: LandedFile, verdict: Verdict) -> None:
        self.report.files.append(FileResult.of(f, verdict))
        self.progress.files_done()
        if verdict.status == QUARANTINED:
            self.warn(f"{self.kind}/{f.name}: QUARANTINED: {verdict.message}")
        elif verdict.status == LOADED_WITH_REJECTS:
            self.warn(f"{self.kind}/{f.name}: {verdict.counts.rows_rejected} row(s) rejected")

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self.spill, ignore_errors=True)


def ingest_kind(
    kind: str,
    settings: Settings,
    *,
    warn: Callable[[str], None] | None = None,
    progress: Callable[[str], None] | None = None,
    check_references: bool = True,
    registry: Registry | None = None,
) -> KindReport:
    """Ingest every file of `kind` (reference, transcripts, noncredit, wages) into the lake.

    `warn` gets a line per quarantined file or file with rejected rows, `progress` the progress of long
    work (`progress.py`); both default to this module's logger. `check_references=False` skips the
    provider/program lookups (used by `ler validate` when no reference folder is at hand). `registry`
    is the set of layouts (default: the project's contracts).
    """
    ingestor = KindIngestor(
        kind, settings, warn=warn, progress=progress, check_references=check_references, registry=registry
    )
    try:
        return ingestor.run()
    finally:
        ingestor.close()
