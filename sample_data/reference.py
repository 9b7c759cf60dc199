"""Reference files (docs/submission_manual.md §2.5): provider directory, program catalog, in-demand list."""

from __future__ import annotations

from sample_data.catalog import IN_DEMAND, PROGRAMS, PROVIDERS
from sample_data.landing import LandingWriter, csv_bytes
from sample_data.timeline import REFERENCE_MTIME

PROVIDER_COLUMNS = ["provider_id", "provider_name", "provider_type", "ipeds_unitid", "opeid", "fice",
                    "badge_issuer_id", "region"]
PROGRAM_COLUMNS = ["provider_id", "program_id", "program_name", "cip_code", "soc_codes", "credit_type",
                   "credential_level", "clock_hours", "credit_hours", "weeks", "tuition_fees",
                   "wpell_candidate", "start_date"]
IN_DEMAND_COLUMNS = ["soc_code", "title", "designation"]


def provider_rows() -> list[list[str]]:
    return [[p.provider_id, p.name, p.provider_type, p.ipeds_unitid, p.opeid, p.fice, p.badge_issuer_id,
             p.region] for p in PROVIDERS]


def program_rows() -> list[list[str]]:
    return [[p.provider_id, p.program_id, p.name, p.cip, ";".join(p.soc_codes), p.credit_type, p.level,
             str(p.clock_hours), str(p.credit_hours), str(p.weeks), str(p.tuition), "Y" if p.wpell else "N",
             p.start_date.isoformat()] for p in PROGRAMS]


def write_reference(out: LandingWriter) -> None:
    """The three reference CSVs; unstamped, so their fixed mtime places them on the timeline."""
    out.write("reference", "providers.csv", csv_bytes(PROVIDER_COLUMNS, provider_rows()), REFERENCE_MTIME)
    out.write("reference", "programs.csv", csv_bytes(PROGRAM_COLUMNS, program_rows()), REFERENCE_MTIME)
    rows = [list(r) for r in IN_DEMAND]
    out.write("reference", "in_demand_occupations.csv", csv_bytes(IN_DEMAND_COLUMNS, rows), REFERENCE_MTIME)
