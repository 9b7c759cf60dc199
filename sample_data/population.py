"""Who the learners are and where they enroll.

Workforce Pell cohorts are filled by quota, not by chance: each candidate program gets a fixed share
of learners in every award year (largest-remainder rounding), so at the default size every
(program, cohort year) has enough members for the rates to be computed. Other learners follow
pathways between providers (certificate then associate degree, community college transfer to the
university, pharmacy-technician training then the certification exam), which gives people several
enrollments and several identities to reconcile.

A few "showcase" learners are always created so every alternative submission format (PESC, CLR,
Open Badges) has content whatever the size.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sample_data import identity
from sample_data.catalog import OUTCOMES, PROVIDER_BY_ID, Program, program, wpell_programs
from sample_data.spells import Person, Spell, add_recorded_amounts, simulate_spell
from sample_data.timeline import AWARD_YEARS, LAST_AWARD_YEAR, award_year_of

WPELL_SHARE = 0.78  # share of learners whose first spell is in a Workforce Pell candidate program
WAGE_ONLY_SHARE = 0.25  # workers in the wage files who are in no education file, per learner
P_SSN_BLANK = 0.03
P_SSN_INVALID = 0.012
P_REENROLL = 0.04  # non-completers who start the same program again
LAST_START = date(LAST_AWARD_YEAR + 1, 6, 30)

# Follow-on enrollments after a first spell: (provider, program, probability, only after completing).
FOLLOW_ONS: dict[str, tuple[tuple[str, str, float, bool], ...]] = {
    "CNA": (("CHCC", "ADN", 0.14, True), ("CHCC", "LPN", 0.06, True)),
    "PHLB": (("CHCC", "CNA", 0.06, False), ("LKTC", "MEDASST", 0.05, False)),
    "PHARMTECH": (("NHSC", "CPHT", 0.3, True),),
    "HVAC": (("LKTC", "MECH", 0.12, True),),
    "ITSUP": (("NPSU", "BSCS", 0.10, True),),
    "FORKLIFT": (("CHCC", "CDL", 0.08, False),),
    "LPN": (("CHCC", "ADN", 0.25, True),),
    "GENST": (("NPSU", "BSN", 0.10, False), ("NPSU", "BSCS", 0.10, False), ("NPSU", "BSACC", 0.10, False)),
    "MEDASST": (("NHSC", "CCMA", 0.5, True),),
    "BSACC": (("NPSU", "MBA", 0.12, True),),
    "BSCS": (("NPSU", "MSDS", 0.08, True),),
}

# First spells of learners outside the Workforce Pell quotas, with weights.
OTHER_PATHWAYS: tuple[tuple[str, str, float], ...] = (
    ("CHCC", "ADN", 0.11), ("CHCC", "LPN", 0.05), ("CHCC", "GENST", 0.12),
    ("LKTC", "MECH", 0.06), ("LKTC", "BUS", 0.06), ("LKTC", "MEDASST", 0.06),
    ("NPSU", "BSN", 0.10), ("NPSU", "BSCS", 0.10), ("NPSU", "BSACC", 0.08),
    ("NPSU", "MBA", 0.05), ("NPSU", "MSDS", 0.04),
    ("JATC", "ELECAP", 0.05), ("JATC", "PLMBAP", 0.04),
    ("NHSC", "CPHT", 0.02), ("NHSC", "CCMA", 0.02), ("SWI", "CYBER", 0.05),
)


@dataclass
class HighSchoolRecord:
    """An early-college student's high-school transcript, sent by the university as PESC XML."""

    person: Person
    first_session: date
    diploma_date: date


@dataclass
class BadgeAward:
    """An Open Badges credential and how its subject is identified (ssn, student_id, hashed)."""

    person: Person
    spell: Spell
    route: str


@dataclass
class Population:
    learners: list[Person]
    wage_only: list[Person]
    showcase: dict[str, list[Person]] = field(default_factory=dict)
    high_school: list[HighSchoolRecord] = field(default_factory=list)
    badges: list[BadgeAward] = field(default_factory=list)
    course: BadgeAward | None = None


class PersonFactory:
    """Creates people with unique SSNs and per-provider learner ids."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used_ssns: set[str] = set()
        self.next_pid = 0
        self.next_local: dict[str, int] = {}

    def person(self, age: float, at: date) -> Person:
        rng = self.rng
        profile = rng.choices(("full", "part", "intermittent"), (0.8, 0.12, 0.08))[0]
        sex = identity.weighted(rng, identity.SEX_CODES)
        p = Person(
            pid=self.next_pid,
            ssn=identity.valid_ssn(rng, self.used_ssns),
            first=identity.first_name(rng, sex),
            last=rng.choice(identity.LAST_NAMES),
            birth=identity.random_birth_date(rng, at, age),
            sex=sex,
            race=identity.weighted(rng, identity.RACE_CODES),
            profile=profile,
            wage_factor=rng.lognormvariate(0.0, 0.22),
        )
        self.next_pid += 1
        return p

    def local_id(self, person: Person, provider_id: str) -> str:
        """The provider's id for the person, assigned on the first enrollment there."""
        if provider_id not in person.local_ids:
            n = self.next_local.get(provider_id, 0) + 1
            self.next_local[provider_id] = n
            prefix = PROVIDER_BY_ID[provider_id].id_prefix
            person.local_ids[provider_id] = f"{prefix}{n:07d}"
        return person.local_ids[provider_id]


def largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integer parts proportional to `weights` (ties go to the earlier part)."""
    wsum = sum(weights)
    if total <= 0 or wsum <= 0:
        return [0] * len(weights)
    raw = [total * w / wsum for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def short_start(rng: random.Random, award_year: int) -> date:
    """A Monday in the award year: short programs start cohorts all year round."""
    d = date(award_year, 7, 1) + timedelta(days=rng.randrange(365))
    monday = d - timedelta(days=d.weekday())
    return monday if monday >= date(award_year, 7, 1) else monday + timedelta(days=7)


def term_start(rng: random.Random, award_year: int) -> date:
    """A fall, spring or summer term start inside the award year."""
    term = rng.choices(("fall", "spring", "summer"), (0.7, 0.25, 0.05))[0]
    if term == "fall":
        return date(award_year, 8, rng.randint(19, 30))
    if term == "spring":
        return date(award_year + 1, 1, rng.randint(8, 19))
    return date(award_year + 1, 6, rng.randint(2, 12))


def start_in(rng: random.Random, prog: Program, award_year: int) -> date:
    if prog.level in ("ASSOC", "BACH", "MAST", "CERT_1_2"):
        return term_start(rng, award_year)
    return short_start(rng, award_year)


def start_after(rng: random.Random, prog: Program, earliest: date) -> date | None:
    """The first start date of `prog` on or after `earliest`, or None past the last award year."""
    ay = max(award_year_of(earliest), award_year_of(prog.start_date))
    for year in range(ay, LAST_AWARD_YEAR + 1):
        for _ in range(4):
            d = start_in(rng, prog, year)
            if d >= earliest:
                return d
    return None


def age_for(rng: random.Random, prog: Program) -> float:
    level = prog.level
    if level == "BACH":
        return 18.0 if rng.random() < 0.75 else rng.uniform(19, 35)
    if level == "MAST":
        return rng.uniform(23, 45)
    if level == "ASSOC":
        return 18.0 if rng.random() < 0.55 else rng.uniform(19, 48)
    if level == "APPRENTICESHIP":
        return rng.uniform(19, 34)
    return min(62.0, 18 + rng.expovariate(1 / 11))


class Enroller:
    """Adds spells to people, with identity errors and provider-recorded amounts."""

    def __init__(self, rng: random.Random, factory: PersonFactory) -> None:
        self.rng = rng
        self.factory = factory

    def enroll(self, person: Person, prog: Program, start: date, force_complete: bool = False) -> Spell:
        rng = self.rng
        spell = simulate_spell(rng, prog, start, force_complete)
        spell.local_id = self.factory.local_id(person, prog.provider_id)
        r = rng.random()
        if r < P_SSN_BLANK:
            spell.ssn_mode, spell.reported_ssn = "blank", ""
        elif r < P_SSN_BLANK + P_SSN_INVALID:
            spell.ssn_mode, spell.reported_ssn = "invalid", identity.invalid_ssn(rng, person.ssn)
        else:
            spell.ssn_mode, spell.reported_ssn = "ok", person.ssn
        add_recorded_amounts(rng, spell, award_year_of(start))
        person.spells.append(spell)
        return spell

    def follow_ons(self, person: Person, spell: Spell) -> None:
        """Later enrollments a spell leads to (pathways, re-enrollment after withdrawing)."""
        rng = self.rng
        prog = spell.program
        if spell.end is None:
            return
        if spell.exit_reason == "WITHDREW" and rng.random() < P_REENROLL:
            again = start_after(rng, prog, spell.end + timedelta(days=rng.randint(40, 270)))
            if again is not None:
                self.follow_ons(person, self.enroll(person, prog, again))
            return
        for provider_id, program_id, p, needs_award in FOLLOW_ONS.get(prog.program_id, ()):
            if needs_award and spell.award_date is None:
                continue
            if rng.random() >= p:
                continue
            nxt = program(provider_id, program_id)
            start = start_after(rng, nxt, spell.end + timedelta(days=rng.randint(14, 400)))
            if start is None:
                continue
            if provider_id != prog.provider_id:
                if spell.award_date is None and spell.exit_reason == "WITHDREW":
                    spell.exit_reason = "TRANSFERRED"
                elif spell.award_date is not None and rng.random() < 0.4:
                    spell.exit_reason = "TRANSFERRED"  # an award with an exit reason other than COMPLETED
            self.follow_ons(person, self.enroll(person, nxt, start))
            return


def wpell_cells(n_people: int) -> list[tuple[Program, int, int]]:
    """(program, award year, number of learners) for every Workforce Pell cohort."""
    cells = [(p, ay) for p in wpell_programs() for ay in AWARD_YEARS if ay >= award_year_of(p.start_date)]
    counts = largest_remainder(n_people, [OUTCOMES[p.program_id].cohort_weight for p, _ in cells])
    return [(p, ay, n) for (p, ay), n in zip(cells, counts, strict=True)]


def _new_learner(factory: PersonFactory, prog: Program, start: date) -> Person:
    return factory.person(age_for(factory.rng, prog), start)


def build_showcase(rng: random.Random, factory: PersonFactory, enroller: Enroller) -> dict[str, list[Person]]:
    """Learners that every landing zone has: PESC, CLR and early-college records."""
    show: dict[str, list[Person]] = {"pesc": [], "clr": [], "high_school": []}
    pesc_specs = (("BSCS", 2017, True), ("BSACC", 2018, True), ("MBA", 2019, True),
                  ("MSDS", 2020, True), ("BSN", 2019, False))
    for program_id, ay, complete in pesc_specs:
        prog = program("NPSU", program_id)
        start = date(ay, 8, rng.randint(19, 30))
        person = _new_learner(factory, prog, start)
        spell = enroller.enroll(person, prog, start, force_complete=complete)
        if not complete:
            spell.exit_reason, spell.end, spell.award_date = "WITHDREW", start + timedelta(days=250), None
        spell.channel, spell.ssn_mode, spell.reported_ssn = "pesc", "ok", person.ssn
        show["pesc"].append(person)
    # CLR: an HVAC certificate reported in the college's CSV, then the AAS sent only as a CLR.
    hvac, mech = program("LKTC", "HVAC"), program("LKTC", "MECH")
    start = date(2018, 1, 8)
    person = _new_learner(factory, hvac, start)
    first = enroller.enroll(person, hvac, start, force_complete=True)
    first.ssn_mode, first.reported_ssn = "ok", person.ssn
    aas = enroller.enroll(person, mech, date(2018, 8, 27), force_complete=True)
    aas.channel, aas.ssn_mode, aas.reported_ssn = "clr", "ok", person.ssn
    show["clr"].append(person)
    # Early college: a high-school diploma (PESC high-school transcript), then the BSN in the CSV.
    bsn = program("NPSU", "BSN")
    person = factory.person(17.6, date(2019, 8, 26))
    enroller.enroll(person, bsn, date(2019, 8, 26))
    show["high_school"].append(person)
    return show


def build_population(rng: random.Random, n_learners: int) -> Population:
    """All learners (exactly `n_learners` people with an education record) and wage-only workers."""
    factory = PersonFactory(rng)
    enroller = Enroller(rng, factory)
    showcase = build_showcase(rng, factory, enroller)
    learners = [p for group in showcase.values() for p in group]
    remaining = max(0, n_learners - len(learners))
    n_wpell = round(remaining * WPELL_SHARE)
    for prog, ay, count in wpell_cells(n_wpell):
        for _ in range(count):
            start = start_in(rng, prog, ay)
            person = _new_learner(factory, prog, start)
            enroller.follow_ons(person, enroller.enroll(person, prog, start))
            learners.append(person)
    others = [(program(pv, pg), w) for pv, pg, w in OTHER_PATHWAYS]
    for _ in range(remaining - n_wpell):
        prog = rng.choices([p for p, _ in others], [w for _, w in others])[0]
        ay = rng.choice([y for y in AWARD_YEARS if y >= award_year_of(prog.start_date)])
        start = start_in(rng, prog, ay)
        person = _new_learner(factory, prog, start)
        enroller.follow_ons(person, enroller.enroll(person, prog, start))
        learners.append(person)
    hs_person = showcase["high_school"][0]
    high_school = [HighSchoolRecord(hs_person, date(2017, 8, 21), date(2019, 5, 24))]
    n_wage_only = round(n_learners * WAGE_ONLY_SHARE)
    wage_only = [factory.person(rng.uniform(18, 60), date(2016, 1, 1)) for _ in range(n_wage_only)]
    pop = Population(learners, wage_only, showcase, high_school)
    pop.badges, pop.course = award_badges(rng, enroller, learners)
    return pop


def award_badges(rng: random.Random, enroller: Enroller,
                 learners: list[Person]) -> tuple[list[BadgeAward], BadgeAward | None]:
    """Digital-literacy badges (Open Badges only, never in the CSV) for learners of the institute.

    Recipients have a valid SSN on an SWI CSV spell, so every identity route can be resolved:
    plain SSN, `studentId` (their learner_id) and a salted SSN hash.
    """
    diglit = program("SWI", "DIGLIT")
    candidates = [(p, s) for p in learners for s in p.spells
                  if s.program.provider_id == "SWI" and s.channel == "csv" and s.ssn_mode == "ok"
                  and s.start <= LAST_START - timedelta(days=30)]
    if not candidates:
        return [], None
    n = min(len(candidates), max(8, min(40, len(candidates) // 25)))
    chosen = rng.sample(candidates, n)
    chosen.sort(key=lambda ps: ps[0].pid)
    awards: list[BadgeAward] = []
    taken: set[int] = set()
    for person, base in chosen:
        if person.pid in taken:
            continue
        taken.add(person.pid)
        start = base.start + timedelta(days=rng.randint(7, 28))
        badge = enroller.enroll(person, diglit, start, force_complete=True)
        badge.channel, badge.ssn_mode, badge.reported_ssn = "ob3", "ok", person.ssn
        k = len(awards)
        route = "student_id" if k in (1, 2) else "hashed" if k == 3 else "ssn"
        awards.append(BadgeAward(person, badge, route))
    course_person, course_base = chosen[0]
    course = BadgeAward(course_person, course_base, "ssn")
    return awards, course
