"""Hashed Open Badges identities (OB 3.0 IdentityHash: `sha256$` / `md5$` of the SSN plus a salt).

A hash cannot be turned back into an SSN, so it is matched against the SSNs the same provider sent
in its own CSV extracts of the landing zone: for each candidate SSN the hash is computed with the
badge's salt and compared. Candidates and matches live only in the in-memory DuckDB of the run.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb

from dagster_project.landing.batch import accept_for_batch, create_raw, read_accepted, read_alone
from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import Contract
from dagster_project.landing.discovery import LandedFile, discover
from dagster_project.landing.hash_memo import HashMemo
from dagster_project.landing.records import StructuralError
from dagster_project.landing.registry import Registry
from dagster_project.landing.validate import FILE_IDX
from dagster_project.sqlutil import ident

_CANDIDATE_RAW = "_candidate_raw"


def load_ssn_candidates(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, registry: Registry, hashes: HashMemo | None = None
) -> None:
    """Temp table `_ssn_candidates(provider_id, ssn9)`: valid SSNs from the files of the layouts
    whose `roster_role` is "source" (the providers' CSV extracts).

    Read as ingestion reads them: each layout's files in one DuckDB read where the fast reader takes
    them (`readers.BatchFastReader`), the others by their reader (a state's extracts, read one by
    one, were 0.8 s of every run that meets a hashed badge; in Python, 1.2 s). `hashes`: the
    ingestion's SHA-256 memo (`discover`)."""
    con.execute("create or replace temp table _ssn_candidates (provider_id varchar, ssn9 varchar)")
    sources = {c.layout: c for c in registry.roster_sources()}
    kinds = tuple(dict.fromkeys(c.kind for c in sources.values()))
    by_layout: dict[str, list[LandedFile]] = {}
    for f in discover(landing_dir, kinds=kinds, registry=registry, hashes=hashes):
        if f.layout in sources:
            by_layout.setdefault(f.layout, []).append(f)
    for layout, files in by_layout.items():
        c = sources[layout]
        create_raw(con, _CANDIDATE_RAW, c)
        accepted, alone = [], []
        for f in files:
            try:
                a = accept_for_batch(f, c, [])
            except StructuralError:
                continue  # a broken extract offers no candidates; it is quarantined on its own
            if a is None:
                alone.append(f)
            else:
                accepted.append((f, a))
        if accepted:  # a file that breaks on its reader leaves no row (read_alone)
            read_accepted(con, _CANDIDATE_RAW, accepted, c, ReadContext())
        for f in alone:  # a broken extract offers no candidates; it is quarantined on its own
            with contextlib.suppress(StructuralError):
                read_alone(con, _CANDIDATE_RAW, f, c, ReadContext())
        con.execute(
            "insert into _ssn_candidates select distinct trim(provider_id), ler_ssn9(ssn) "
            f"from {_CANDIDATE_RAW} where ler_ssn_valid(ssn)"
        )
    con.execute(f"drop table if exists {_CANDIDATE_RAW}")


def resolve_hashed_ssns(con: duckdb.DuckDBPyConnection, c: Contract) -> str | None:
    """Temp table `_resolved(_file_idx, _line, _resolved_ssn)` for the hashed identities in `_raw`."""
    h, s = ident(c.identity.ssn_hash), ident(c.identity.ssn_salt or "ssn_salt")
    if not con.execute(f"select count(*) from _raw where {h} is not null").fetchall()[0][0]:
        return None
    con.execute(f"""
        create or replace temp table _resolved as
        with h as (
            select {FILE_IDX}, _line, lower(trim({h})) as hv, coalesce({s}, '') as salt,
                   trim(provider_id) as pid
            from _raw where {h} is not null
        )
        select h.{FILE_IDX}, h._line, c.ssn9 as _resolved_ssn
        from h join (select distinct provider_id, ssn9 from _ssn_candidates) c on c.provider_id = h.pid
        where h.hv in ('sha256$' || sha256(c.ssn9 || h.salt), sha256(c.ssn9 || h.salt),
                       'md5$' || md5(c.ssn9 || h.salt), md5(c.ssn9 || h.salt))
        qualify row_number() over (partition by h.{FILE_IDX}, h._line order by c.ssn9) = 1
    """)
    return "_resolved"
