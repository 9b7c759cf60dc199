"""Synthetic people: names, birth dates, demographic codes and SSNs (docs/submission_manual.md §2.1, §4).

The name lists include accents, apostrophes, hyphens and spaces because the identity key's
no-SSN recipe upper-cases and strips such names. SSNs are random valid numbers; the invalid ones
written for data-entry errors break exactly one of the §4 rules (area 000/666/9xx, group 00,
serial 0000) so each rule gets exercised.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date, timedelta

FEMALE_FIRST_NAMES = (
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen",
    "Nancy", "Lisa", "Betty", "Sandra", "Ashley", "Kimberly", "Emily", "Donna", "Michelle", "Carmen",
    "Aaliyah", "Imani", "Mei", "Priya", "Fatima", "Amina", "Nadia", "Sofía", "Valentina", "Pa", "Brittany",
    "Megan", "Zoë", "Renée", "Chloé", "Ana María", "Mary Ellen", "Nguyệt", "Winona", "Siobhán", "Élodie",
)
MALE_FIRST_NAMES = (
    "James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas", "Christopher",
    "Daniel", "Matthew", "Anthony", "Mark", "Steven", "Andrew", "Joshua", "Kevin", "Brian", "Luis",
    "Jamal", "Deshawn", "Wei", "Hiroshi", "Arjun", "Omar", "Ahmed", "Mateo", "Diego", "Tou", "Kyle",
    "Tyler", "José", "André", "Jean-Luc", "Bjørn", "Dakota",
)
FIRST_NAMES = FEMALE_FIRST_NAMES + MALE_FIRST_NAMES
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen",
    "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
    "Carter", "Roberts", "Vang", "Xiong", "Yang", "Olson", "Johansson", "Lindqvist", "Kowalski",
    "Nowak", "Schmidt", "Müller", "O'Brien", "O'Neill", "D'Angelo", "De La Cruz", "Van der Berg",
    "Smith-Jones", "García", "Nuñez", "Peña", "St. Pierre", "Al-Sayed", "Begay", "Yazzie", "Ødegaard",
)

SEX_CODES = (("F", 0.52), ("M", 0.455), ("X", 0.005), ("U", 0.02))
RACE_CODES = (("WHITE", 0.55), ("BLACK", 0.14), ("HISP", 0.16), ("ASIAN", 0.05), ("AIAN", 0.012),
              ("NHPI", 0.005), ("MULTI", 0.04), ("NRA", 0.008), ("UNK", 0.035))

# SSNs known to belong to real people or famous misuse: never emitted.
_BLOCKED = frozenset({"078051120", "219099999", "123456789", "111111111", "987654320"})


def weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    """One code from (code, weight) pairs; a list-based draw so results never depend on hashing."""
    return rng.choices([o[0] for o in options], weights=[o[1] for o in options])[0]


def random_birth_date(rng: random.Random, age_at: date, age: float) -> date:
    """A birth date making the person `age` (fractional years) old on `age_at`."""
    return age_at - timedelta(days=int(age * 365.25) + rng.randrange(0, 365))


def first_name(rng: random.Random, sex: str) -> str:
    """A first name that fits the recorded sex (either list when it is X or U)."""
    pool = FEMALE_FIRST_NAMES if sex == "F" else MALE_FIRST_NAMES if sex == "M" else FIRST_NAMES
    return rng.choice(pool)


def valid_ssn(rng: random.Random, used: set[str]) -> str:
    """A random SSN valid under docs/submission_manual.md §4 and not yet handed out."""
    while True:
        area = rng.randrange(1, 900)
        if area == 666:
            continue
        ssn = f"{area:03d}{rng.randrange(1, 100):02d}{rng.randrange(1, 10000):04d}"
        if ssn not in used and ssn not in _BLOCKED:
            used.add(ssn)
            return ssn


def invalid_ssn(rng: random.Random, true_ssn: str) -> str:
    """A data-entry error that breaks one §4 validity rule (so the learner cannot be matched)."""
    kind = rng.randrange(5)
    if kind == 0:
        return "000" + true_ssn[3:]
    if kind == 1:
        return "666" + true_ssn[3:]
    if kind == 2:
        return f"9{rng.randrange(0, 100):02d}" + true_ssn[3:]
    if kind == 3:
        return true_ssn[:3] + "00" + true_ssn[5:]
    return true_ssn[:5] + "0000"


def dashed(ssn: str) -> str:
    return f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}"


_NO_DECOMPOSITION = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "đ": "d", "Đ": "D"})


def ascii_upper(text: str) -> str:
    """Upper-case ASCII form used by fixed-width (ICESA) records: accents are dropped."""
    folded = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION))
    return "".join(c for c in folded if ord(c) < 128).upper()
