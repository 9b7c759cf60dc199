"""Hashed Open Badges identities (OB 3.0 IdentityHash: `sha256$` / `md5$` of the SSN plus a salt).

A hash cannot be turned back into an SSN, so it is matched against the SSNs the same provider sent
in its own CSV extracts of the landing zone: for each candidate SSN the hash is computed with the
badge's salt and compared. Candidates and matches live only in the in-memory DuckDB of the run.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from dagster_project.landing.batch import append_raw, create_raw
from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import Contract
from dagster_project.landing.discovery import discover
from dagster_project.landing.records import StructuralError
from dagster_project.landing.registry import Registry
from dagster_project.landing.validate import FILE_IDX
from dagster_project.sqlutil import ident

_CANDIDATE_RAW = "_candidate_raw"


def load_ssn_candidates(con: duckdb.DuckDBPyConnection, landing_dir: Path, registry: Registry) -> None:
    """Temp table `_ssn_candidates(provider_id, ssn9)`: valid SSNs from the files of the layouts
    whose `roster_role` is "source" (the providers' CSV extracts)."""
    con.execute("create or replace temp table _ssn_candidates (provider_id varchar, ssn9 varchar)")
    sources = {c.layout: c for c in registry.roster_sources()}
    kinds = tuple(dict.fromkeys(c.kind for c in sources.values()))
    for f in discover(landing_dir, kinds=kinds, registry=registry):
        c = sources.get(f.layout or "")
        if c is None:
            continue
        # read as ingestion reads it (DuckDB's CSV path first: a state's extracts, read in Python,
        # were 1.2 s of every run that meets a hashed badge)
        create_raw(con, _CANDIDATE_RAW, c)
        try:
            append_raw(con, _CANDIDATE_RAW, f.seq, f.path, c, ReadContext())
        except StructuralError:
            continue  # a broken extract offers no candidates; it is quarantined on its own
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
