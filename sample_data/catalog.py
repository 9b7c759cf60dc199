"""The synthetic state's providers, program catalog, in-demand list and program outcome profiles.

Program facts (hours, weeks, SOC codes) are chosen so the Workforce Pell table gets every status:
programs that pass every test, fail LENGTH (4 weeks, 40 hours), fail NOT_IN_DEMAND, COMPLETION,
PLACEMENT or VAE (cheap wages against high tuition). The outcome profiles drive the simulation only;
nothing of them is written except through the records they produce.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Provider:
    provider_id: str
    name: str
    provider_type: str
    ipeds_unitid: str = ""
    opeid: str = ""
    fice: str = ""
    badge_issuer_id: str = ""
    region: str = ""
    id_prefix: str = ""


@dataclass(frozen=True)
class Program:
    provider_id: str
    program_id: str
    name: str
    cip: str
    soc_codes: tuple[str, ...]
    credit_type: str
    level: str
    clock_hours: int
    credit_hours: int
    weeks: int
    tuition: int
    wpell: bool
    start_date: date
    award_level: str = ""  # IPEDS award level (credit programs)
    ctid: str = ""  # Credential Engine CTID of the credential it leads to, when registered


@dataclass(frozen=True)
class Outcome:
    """How learners of a program fare: completion, employment after it and the wage it leads to."""

    p_complete: float
    p_employ: float
    annual_wage: float  # typical annual earnings in the field, 2017 dollars
    sector: str
    cohort_weight: float = 1.0  # relative size of a Workforce Pell cohort


PROVIDERS: tuple[Provider, ...] = (
    Provider("CHCC", "Cedar Hollow Community College", "PUBLIC_2YR", "990101", "00991100", "009911",
             "", "NORTH", "CH"),
    Provider("LKTC", "Lakeshore Technical College", "PUBLIC_2YR", "990102", "00992200", "009922",
             "https://credentials.lakeshoretech.example.edu/issuer", "EAST", "LK"),
    Provider("NPSU", "Northern Plains State University", "PUBLIC_4YR", "990103", "00993300", "009933",
             "", "WEST", "NP"),
    Provider("SWI", "Summit Workforce Institute", "NONCREDIT", "", "", "",
             "https://badges.summitworkforce.example.org/issuers/swi", "METRO", "SW"),
    Provider("JATC", "Northland Electrical and Plumbing Joint Apprenticeship Committee",
             "APPRENTICESHIP_SPONSOR", "", "", "", "", "NORTH", "AP"),
    Provider("NHSC", "National Healthcare Skills Certification Board", "CERT_BODY", "", "", "", "",
             "METRO", "NH"),
)
PROVIDER_BY_ID = {p.provider_id: p for p in PROVIDERS}

# Providers whose extracts go to transcripts/ (credit) versus noncredit/.
CREDIT_PROVIDERS = ("CHCC", "LKTC", "NPSU")
NONCREDIT_PROVIDERS = ("SWI", "JATC", "NHSC")

CTID_PHARMTECH = "ce-5b0e7c62-3f1d-4a57-9c2e-8d41f06a9b13"
CTID_CYBER = "ce-a93d2f18-6c4b-47e0-b1f5-2e7c9d80a646"

_OPEN = date(2015, 8, 1)


def _p(provider: str, pid: str, name: str, cip: str, socs: str, credit: str, level: str, hours: int,
       credits: int, weeks: int, tuition: int, wpell: bool, award_level: str = "", start: date = _OPEN,
       ctid: str = "") -> Program:
    return Program(provider, pid, name, cip, tuple(s for s in socs.split(";") if s), credit, level, hours,
                   credits, weeks, tuition, wpell, start, award_level, ctid)


PROGRAMS: tuple[Program, ...] = (
    # Cedar Hollow Community College
    _p("CHCC", "WELD", "Welding Technology Certificate", "48.0508", "51-4121", "CREDIT", "CERT_LT1",
       480, 16, 12, 3600, True, "1B"),
    _p("CHCC", "CNA", "Nursing Assistant Certificate", "51.3902", "31-1131", "CREDIT", "CERT_LT1",
       160, 6, 8, 1350, True, "1A"),
    _p("CHCC", "CDL", "Commercial Truck Driving (CDL Class A)", "49.0205", "53-3032", "CREDIT", "CERT_LT1",
       160, 6, 4, 4500, True, "1A"),
    _p("CHCC", "LPN", "Practical Nursing Diploma", "51.3901", "29-2061", "CREDIT", "CERT_1_2",
       1250, 44, 48, 9800, False, "2"),
    _p("CHCC", "ADN", "Associate Degree in Nursing", "51.3801", "29-1141", "CREDIT", "ASSOC",
       0, 68, 80, 11200, False, "3"),
    _p("CHCC", "GENST", "Associate in Arts, General Studies", "24.0101", "", "CREDIT", "ASSOC",
       0, 60, 64, 8400, False, "3"),
    # Lakeshore Technical College
    _p("LKTC", "HVAC", "HVAC-R Technician Certificate", "47.0201", "49-9021", "CREDIT", "CERT_LT1",
       450, 15, 14, 4800, True, "1B"),
    _p("LKTC", "PHLB", "Phlebotomy Technician Certificate", "51.1009", "31-9097", "CREDIT", "CERT_LT1",
       150, 5, 8, 1750, True, "1A"),
    _p("LKTC", "ITSUP", "IT Support Specialist Certificate", "11.1006", "15-1232", "CREDIT", "CERT_LT1",
       240, 9, 10, 2900, True, "1A", date(2019, 7, 1)),
    _p("LKTC", "MEDASST", "Medical Assistant Diploma", "51.0801", "31-9092", "CREDIT", "CERT_1_2",
       900, 32, 36, 7400, False, "2"),
    _p("LKTC", "MECH", "Industrial Maintenance Technology AAS", "47.0303", "49-9041;49-9071", "CREDIT",
       "ASSOC", 0, 64, 72, 8600, False, "3"),
    _p("LKTC", "BUS", "Business Management AAS", "52.0201", "11-1021;43-1011", "CREDIT", "ASSOC",
       0, 60, 64, 8200, False, "3"),
    # Northern Plains State University
    _p("NPSU", "BSN", "Bachelor of Science in Nursing", "51.3801", "29-1141", "CREDIT", "BACH",
       0, 120, 128, 41000, False, "5"),
    _p("NPSU", "BSCS", "Bachelor of Science in Computer Science", "11.0701", "15-1252;15-1211", "CREDIT",
       "BACH", 0, 120, 128, 39000, False, "5"),
    _p("NPSU", "BSACC", "Bachelor of Science in Accounting", "52.0301", "13-2011", "CREDIT", "BACH",
       0, 120, 128, 38000, False, "5"),
    _p("NPSU", "MBA", "Master of Business Administration", "52.0201", "11-1021;11-3031", "CREDIT", "MAST",
       0, 36, 64, 31000, False, "7"),
    _p("NPSU", "MSDS", "Master of Science in Data Science", "30.7001", "15-2051", "CREDIT", "MAST",
       0, 33, 48, 28000, False, "7"),
    # Summit Workforce Institute (noncredit)
    _p("SWI", "MEDCODE", "Medical Billing and Coding", "51.0713", "29-2072", "NONCREDIT", "NC_CERT",
       220, 0, 10, 4200, True),
    _p("SWI", "PHARMTECH", "Pharmacy Technician", "51.0805", "29-2052", "NONCREDIT", "NC_CERT",
       300, 0, 12, 8900, True, ctid=CTID_PHARMTECH),
    _p("SWI", "FORKLIFT", "Forklift Operator Safety Certificate", "49.0202", "53-7051", "NONCREDIT",
       "NC_CERT", 40, 0, 1, 425, True),
    _p("SWI", "CYBER", "Cybersecurity Analyst Certification", "11.1003", "15-1212", "NONCREDIT", "IND_CERT",
       180, 0, 9, 3900, False, start=date(2021, 7, 1), ctid=CTID_CYBER),
    _p("SWI", "DIGLIT", "Digital Literacy Essentials Badge", "11.0101", "", "NONCREDIT", "BADGE",
       30, 0, 3, 0, False),
    # Joint apprenticeship committee
    _p("JATC", "ELECAP", "Inside Wireman Apprenticeship", "46.0302", "47-2111", "NONCREDIT",
       "APPRENTICESHIP", 8000, 0, 208, 0, False),
    _p("JATC", "PLMBAP", "Plumber and Pipefitter Apprenticeship", "46.0503", "47-2152", "NONCREDIT",
       "APPRENTICESHIP", 8000, 0, 208, 0, False),
    # Certification body
    _p("NHSC", "CPHT", "Certified Pharmacy Technician", "51.0805", "29-2052", "NONCREDIT", "IND_CERT",
       0, 0, 1, 129, False),
    _p("NHSC", "CCMA", "Certified Clinical Medical Assistant", "51.0801", "31-9092", "NONCREDIT", "IND_CERT",
       0, 0, 1, 160, False),
)
PROGRAM_BY_KEY = {(p.provider_id, p.program_id): p for p in PROGRAMS}

# Outcome profiles. Workforce Pell programs: CNA, WELD, ITSUP pass; HVAC sits near the 70 % lines;
# CDL fails LENGTH (4 weeks); FORKLIFT fails LENGTH and NOT_IN_DEMAND; PHLB fails COMPLETION;
# MEDCODE fails PLACEMENT; PHARMTECH fails VAE (low wages against $8,900 tuition). Cohort weights are
# relative Workforce Pell cohort sizes: PHARMTECH is big enough for year-3 earnings (VAE needs 16).
OUTCOMES: dict[str, Outcome] = {
    "WELD": Outcome(0.92, 0.88, 43000, "welding", 1.1),
    "CNA": Outcome(0.93, 0.90, 29500, "nursing_care", 1.3),
    "CDL": Outcome(0.92, 0.88, 52000, "trucking", 0.9),
    "HVAC": Outcome(0.80, 0.82, 47000, "hvac", 1.2),
    "PHLB": Outcome(0.55, 0.85, 33000, "lab", 1.5),
    "ITSUP": Outcome(0.90, 0.86, 44000, "it", 1.1),
    "MEDCODE": Outcome(0.90, 0.50, 37000, "billing", 1.2),
    "PHARMTECH": Outcome(0.93, 0.92, 16500, "pharmacy", 2.0),
    "FORKLIFT": Outcome(0.95, 0.86, 34000, "warehouse", 0.9),
    "CYBER": Outcome(0.82, 0.84, 64000, "it"),
    "LPN": Outcome(0.70, 0.90, 46000, "nursing_care", 1.0),
    "ADN": Outcome(0.62, 0.92, 66000, "hospital", 1.0),
    "GENST": Outcome(0.45, 0.70, 31000, "generic", 1.0),
    "MEDASST": Outcome(0.68, 0.85, 34000, "clinic", 1.0),
    "MECH": Outcome(0.55, 0.88, 54000, "manufacturing", 1.0),
    "BUS": Outcome(0.50, 0.78, 41000, "finance", 1.0),
    "BSN": Outcome(0.70, 0.93, 70000, "hospital", 1.0),
    "BSCS": Outcome(0.64, 0.86, 78000, "it", 1.0),
    "BSACC": Outcome(0.68, 0.88, 60000, "finance", 1.0),
    "MBA": Outcome(0.80, 0.90, 88000, "management", 1.0),
    "MSDS": Outcome(0.82, 0.90, 95000, "it", 1.0),
    "DIGLIT": Outcome(1.0, 0.70, 30000, "generic", 1.0),
    "ELECAP": Outcome(0.64, 0.95, 64000, "electrical", 1.0),
    "PLMBAP": Outcome(0.60, 0.95, 62000, "hvac", 1.0),
    "CPHT": Outcome(0.74, 0.90, 26000, "pharmacy", 1.0),
    "CCMA": Outcome(0.78, 0.88, 37000, "clinic", 1.0),
}

IN_DEMAND: tuple[tuple[str, str, str], ...] = (
    ("51-4121", "Welders, Cutters, Solderers, and Brazers", "IN_DEMAND"),
    ("31-1131", "Nursing Assistants", "IN_DEMAND"),
    ("53-3032", "Heavy and Tractor-Trailer Truck Drivers", "IN_DEMAND"),
    ("49-9021", "Heating, Air Conditioning, and Refrigeration Mechanics and Installers", "IN_DEMAND"),
    ("31-9097", "Phlebotomists", "IN_DEMAND"),
    ("15-1232", "Computer User Support Specialists", "IN_DEMAND"),
    ("29-2072", "Medical Records Specialists", "IN_DEMAND"),
    ("29-2052", "Pharmacy Technicians", "IN_DEMAND"),
    ("15-1212", "Information Security Analysts", "HIGH_SKILL"),
    ("29-2061", "Licensed Practical and Licensed Vocational Nurses", "IN_DEMAND"),
    ("29-1141", "Registered Nurses", "HIGH_WAGE"),
    ("31-9092", "Medical Assistants", "IN_DEMAND"),
    ("49-9041", "Industrial Machinery Mechanics", "HIGH_SKILL"),
    ("15-1252", "Software Developers", "HIGH_WAGE"),
    ("15-2051", "Data Scientists", "HIGH_SKILL"),
    ("13-2011", "Accountants and Auditors", "HIGH_WAGE"),
    ("11-1021", "General and Operations Managers", "HIGH_WAGE"),
    ("47-2111", "Electricians", "IN_DEMAND"),
    ("47-2152", "Plumbers, Pipefitters, and Steamfitters", "IN_DEMAND"),
)

# NAICS 2022 six-digit industries where each labour-market sector's jobs are.
SECTORS: dict[str, tuple[str, ...]] = {
    "nursing_care": ("623110", "623311", "621610"),
    "hospital": ("622110", "621111"),
    "clinic": ("621111", "621498"),
    "lab": ("621511", "622110"),
    "pharmacy": ("456110", "622110"),
    "billing": ("524114", "621111", "561110"),
    "welding": ("332312", "333111", "332710"),
    "trucking": ("484121", "484110", "424410"),
    "hvac": ("238220",),
    "electrical": ("238210",),
    "it": ("541512", "518210", "541511", "513210"),
    "warehouse": ("493110", "423830", "492110"),
    "manufacturing": ("311612", "326199", "336390"),
    "finance": ("541211", "522110", "524126"),
    "management": ("551114", "522110", "541611"),
    "generic": ("722511", "722513", "445110", "455110", "561320", "721110", "561720", "611110"),
}

# County FIPS codes of the synthetic state (state code 27).
STATE_FIPS = "27"
COUNTIES = tuple(f"{STATE_FIPS}{c:03d}" for c in range(1, 174, 2))


def wpell_programs() -> list[Program]:
    return [p for p in PROGRAMS if p.wpell]


def program(provider_id: str, program_id: str) -> Program:
    return PROGRAM_BY_KEY[(provider_id, program_id)]


def programs_of(provider_id: str) -> list[Program]:
    return [p for p in PROGRAMS if p.provider_id == provider_id]
