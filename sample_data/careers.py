"""Employers and each person's jobs, turned into quarterly UI wage records.

A person's working life is a chain of segments (before training, during it, after it). Each segment
is filled with jobs: consecutive employers overlap by one quarter when someone changes jobs, which is
how most people with two employers in a quarter arise; a few also hold a second part-time job.
What happens after a spell follows the program's profile: completers are employed by the quarter
after completion with the program's placement probability, in its sector at its wage level; the
excluded exits (military, incarceration, death, medical) leave gaps the UI system never sees.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from sample_data.catalog import COUNTIES, OUTCOMES, SECTORS
from sample_data.spells import Person, Spell
from sample_data.timeline import FIRST_WAGE_Q, LAST_WAGE_Q, quarter_of

BASE_YEAR = 2017
INFLATION = 0.03  # nominal wage growth per year
MIN_QUARTER_WAGE = 40.0


@dataclass(frozen=True)
class Employer:
    account: str  # state UI account number, 10 digits
    fein: str
    naics: str  # blank for a few employers whose industry was never coded
    county: str
    reports_hours: bool
    dashes_ssn: bool
    omits_names: bool
    name: str


@dataclass
class Job:
    employer: Employer
    start_q: int
    end_q: int  # inclusive
    annual: float  # annual earnings rate at start_q
    growth: float  # yearly growth on top of inflation
    part_time: bool = False


@dataclass(frozen=True)
class WageRow:
    person: Person
    employer: Employer
    q: int
    wages: float
    hours: float | None


_NAME_PARTS = ("Prairie", "Northland", "Cedar", "Lakeshore", "Summit", "River", "Granite", "Pioneer",
               "Heartland", "Twin Pines", "Iron Range", "Bluestem", "North Star", "Maple", "Red Oak")
_NAME_KINDS = ("Services", "Industries", "Health", "Group", "Company", "Partners", "Logistics", "Systems")


class EmployerPool:
    """Employers per NAICS industry; more employers for bigger populations."""

    def __init__(self, rng: random.Random, n_people: int) -> None:
        self.by_naics: dict[str, list[Employer]] = {}
        used_accounts: set[str] = set()
        used_feins: set[str] = set()
        per_naics = max(2, round(n_people / 450))
        naics_codes = list(dict.fromkeys(code for codes in SECTORS.values() for code in codes))
        for naics in naics_codes:
            self.by_naics[naics] = [self._employer(rng, naics, used_accounts, used_feins)
                                    for _ in range(per_naics)]

    @staticmethod
    def _employer(rng: random.Random, naics: str, accounts: set[str], feins: set[str]) -> Employer:
        account = _unique_digits(rng, 10, accounts)
        fein = _unique_digits(rng, 9, feins, first_min=10)
        name = f"{rng.choice(_NAME_PARTS)} {rng.choice(_NAME_KINDS)}"
        return Employer(account, fein, "" if rng.random() < 0.03 else naics, rng.choice(COUNTIES),
                        rng.random() < 0.3, rng.random() < 0.08, rng.random() < 0.1, name)

    def pick(self, rng: random.Random, sector: str) -> Employer:
        return rng.choice(self.by_naics[rng.choice(SECTORS[sector])])

    def all(self) -> list[Employer]:
        return [e for group in self.by_naics.values() for e in group]


def _unique_digits(rng: random.Random, width: int, used: set[str], first_min: int = 1) -> str:
    while True:
        head = rng.randrange(first_min, 100)
        value = f"{head:02d}{rng.randrange(10 ** (width - 2)):0{width - 2}d}"
        if value not in used:
            used.add(value)
            return value


def inflate(amount: float, q: int) -> float:
    """2017 dollars to the nominal level of quarter q."""
    return amount * (1 + INFLATION) ** ((q - BASE_YEAR * 4) / 4)


class CareerBuilder:
    """Builds the jobs of one person from their enrollment spells."""

    def __init__(self, rng: random.Random, pool: EmployerPool) -> None:
        self.rng = rng
        self.pool = pool

    def run(self, q_from: int, q_to: int, sector: str, annual_2017: float, person: Person,
            part_time: bool = False) -> list[Job]:
        """Consecutive jobs filling quarters q_from..q_to, changing employer now and then."""
        rng = self.rng
        jobs: list[Job] = []
        q = q_from
        level = annual_2017 * person.wage_factor * (0.35 if person.profile == "part" or part_time else 1.0)
        while q <= q_to:
            length = 1 + int(rng.expovariate(1 / 11))
            end = min(q_to, q + length - 1)
            growth = rng.uniform(0.0, 0.025)
            jobs.append(Job(self.pool.pick(rng, sector), q, end, inflate(level, q), growth, part_time))
            level *= rng.uniform(1.02, 1.12)
            r = rng.random()
            q = end if r < 0.5 else end + 1 if r < 0.85 else end + 1 + rng.randint(1, 3)
            if end == q_to:
                break
        return jobs

    def pre_training(self, person: Person, q_from: int, q_to: int) -> list[Job]:
        rng = self.rng
        if q_to < q_from or rng.random() >= 0.62:
            return []
        begin = q_from + (rng.randint(0, 6) if rng.random() < 0.3 else 0)
        return self.run(begin, q_to, "generic", rng.lognormvariate(10.1, 0.3), person)

    def after_spell(self, person: Person, spell: Spell, q_from: int, q_to: int) -> list[Job]:
        """Jobs from the end of a spell until the next one starts (or the last wage quarter)."""
        rng = self.rng
        profile = OUTCOMES[spell.program.program_id]
        reason = spell.exit_reason
        if reason == "DECEASED":
            return []
        if reason in ("MILITARY", "INCARCERATED", "MEDICAL"):
            away = {"MILITARY": rng.randint(12, 20), "INCARCERATED": rng.randint(6, 16),
                    "MEDICAL": rng.randint(2, 5)}[reason]
            if rng.random() < 0.6:
                return self.run(q_from + away, q_to, "generic", rng.lognormvariate(10.15, 0.3), person)
            return []
        if spell.award_date is not None:
            if rng.random() < profile.p_employ:
                lag = rng.choices((0, 1, 2), (0.45, 0.4, 0.15))[0]
                in_field = rng.random() < 0.82
                sector = profile.sector if in_field else "generic"
                wage = profile.annual_wage if in_field else rng.lognormvariate(10.2, 0.25)
                return self.run(q_from + lag, q_to, sector, wage, person)
            if rng.random() < 0.55:
                later = q_from + 3 + int(rng.expovariate(1 / 4))
                return self.run(later, q_to, "generic", rng.lognormvariate(10.1, 0.3), person)
            return []
        if rng.random() < 0.62:
            lag = rng.randint(0, 3)
            return self.run(q_from + lag, q_to, "generic", rng.lognormvariate(10.15, 0.3), person)
        return []

    def during_spell(self, person: Person, spell: Spell, q_from: int, q_to: int) -> list[Job]:
        """Work while studying: apprentices are employed; degree students often part-time."""
        rng = self.rng
        prog = spell.program
        if prog.level == "APPRENTICESHIP":
            job = self.run(q_from, q_to, OUTCOMES[prog.program_id].sector,
                           OUTCOMES[prog.program_id].annual_wage * 0.55, person)
            for j in job:
                j.growth = 0.12  # the apprentice wage scale rises every year
            return job
        if rng.random() < 0.55:
            return self.run(q_from, q_to, "generic", 11000.0, person, part_time=True)
        return []

    def jobs_for_learner(self, person: Person) -> list[Job]:
        rng = self.rng
        # Badges earned alongside a program say nothing about work; the program's spell decides.
        spells = sorted((s for s in person.spells if s.program.level != "BADGE"), key=lambda s: s.start)
        jobs: list[Job] = []
        first = spells[0]
        pre_end = quarter_of(first.start)
        if first.is_short and rng.random() < 0.7:  # keeps the job held before the training
            done = first.award_date or first.end
            pre_end = quarter_of(done) if done else LAST_WAGE_Q
        working_age = quarter_of(date(person.birth.year + 16, person.birth.month, 1))
        jobs += self.pre_training(person, max(FIRST_WAGE_Q, working_age), pre_end)
        for i, spell in enumerate(spells):
            nxt = spells[i + 1] if i + 1 < len(spells) else None
            s_q = quarter_of(spell.start)
            if spell.end is None:  # still enrolled: study (and maybe work) to the end
                if not spell.is_short:
                    jobs += self.during_spell(person, spell, s_q, LAST_WAGE_Q)
                continue
            e_q = quarter_of(spell.award_date or spell.end)
            if not spell.is_short:
                jobs += self.during_spell(person, spell, s_q, e_q)
            stop = LAST_WAGE_Q if nxt is None else quarter_of(nxt.start if not nxt.is_short else
                                                              (nxt.end or nxt.start))
            if nxt is not None and nxt.start <= (spell.award_date or spell.end):
                continue  # overlapping enrollments: the later spell decides
            jobs += self.after_spell(person, spell, e_q, stop)
        return jobs + self.second_job(person, jobs)

    def jobs_for_worker(self, person: Person) -> list[Job]:
        """A worker in no education file: a career of varied industries and wage levels."""
        rng = self.rng
        if rng.random() < 0.12:
            return []
        begin = FIRST_WAGE_Q + (rng.randint(0, 30) if rng.random() < 0.25 else 0)
        end = LAST_WAGE_Q - (rng.randint(0, 30) if rng.random() < 0.15 else 0)
        sector = rng.choice(list(SECTORS))
        jobs = self.run(begin, end, sector, rng.lognormvariate(10.6, 0.45), person)
        return jobs + self.second_job(person, jobs)

    def second_job(self, person: Person, jobs: list[Job]) -> list[Job]:
        """A few people hold a second part-time job for a while (two employers in a quarter)."""
        rng = self.rng
        if not jobs or rng.random() >= 0.06:
            return []
        main = rng.choice(jobs)
        start = rng.randint(main.start_q, main.end_q)
        end = min(main.end_q, start + rng.randint(1, 10))
        return self.run(start, end, "generic", 9000.0, person, part_time=True)[:1]


def quarter_wages(rng: random.Random, person: Person, job: Job) -> list[WageRow]:
    """One wage row per quarter of a job inside the wage window (partial first and last quarters)."""
    rows: list[WageRow] = []
    lo, hi = max(job.start_q, FIRST_WAGE_Q), min(job.end_q, LAST_WAGE_Q)
    for q in range(lo, hi + 1):
        if person.profile == "intermittent" and rng.random() < 0.4:
            continue
        years = (q - job.start_q) / 4
        amount = job.annual / 4 * (1 + INFLATION + job.growth) ** years * rng.lognormvariate(0.0, 0.07)
        if q == job.start_q or q == job.end_q:
            amount *= rng.uniform(0.25, 0.95)
        if q % 4 == 3 and rng.random() < 0.15:
            amount *= 1.12  # year-end bonus
        if amount < MIN_QUARTER_WAGE:
            continue
        amount = round(amount, 2)
        hours = None
        if job.employer.reports_hours:
            hourly = max(7.25, job.annual / 2080 * (1 + INFLATION) ** years)
            hours = round(min(amount / hourly, 700.0), 1)
        rows.append(WageRow(person, job.employer, q, amount, hours))
    return rows


def wage_rows(rng: random.Random, pool: EmployerPool, learners: list[Person],
              workers: list[Person]) -> dict[int, list[WageRow]]:
    """All true wage records by quarter (one row per person, employer and quarter)."""
    builder = CareerBuilder(rng, pool)
    by_q: dict[int, dict[tuple[int, str], WageRow]] = {}
    people = [(p, builder.jobs_for_learner(p)) for p in learners]
    people += [(p, builder.jobs_for_worker(p)) for p in workers]
    for person, jobs in people:
        for job in jobs:
            for row in quarter_wages(rng, person, job):
                key = (person.pid, row.employer.account)
                bucket = by_q.setdefault(row.q, {})
                if key in bucket:  # the same employer twice in a quarter: one record, summed
                    old = bucket[key]
                    hours = None
                    if old.hours is not None and row.hours is not None:
                        hours = round(old.hours + row.hours, 1)
                    row = WageRow(person, row.employer, row.q, round(old.wages + row.wages, 2), hours)
                bucket[key] = row
    return {q: list(rows.values()) for q, rows in sorted(by_q.items())}
