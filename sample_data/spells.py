"""One enrollment spell: when it starts, how it ends, and what the provider records about it.

Outcomes follow the program's profile (catalog.OUTCOMES): a small share leave for the reasons the
Workforce Pell rule excludes (docs/reporting_rules.md §7.1), some finish after 150 % of the normal time (so
they
count as completers in the legislative report but not in `n_completers_150`), and spells still
running on the extract date are ENROLLED with no end date.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sample_data.catalog import OUTCOMES, Program
from sample_data.timeline import EXTRACT_DATE

EXCLUDED_REASONS = ("INCARCERATED", "DECEASED", "MILITARY", "MEDICAL")
P_EXCLUDED = 0.035
P_LATE = 0.05  # completers who finish after 150 % of the normal time

# Years a degree completer takes, with weights.
DEGREE_YEARS: dict[str, tuple[tuple[float, float], ...]] = {
    "ASSOC": ((2.0, 0.45), (2.5, 0.15), (3.0, 0.25), (4.0, 0.15)),
    "BACH": ((4.0, 0.55), (4.5, 0.15), (5.0, 0.2), (6.0, 0.1)),
    "MAST": ((1.5, 0.3), (2.0, 0.5), (2.5, 0.1), (3.0, 0.1)),
}


@dataclass
class Person:
    pid: int
    ssn: str
    first: str
    last: str
    birth: date
    sex: str
    race: str
    profile: str  # labour-market attachment: "full", "part" (low earner) or "intermittent"
    wage_factor: float
    spells: list[Spell] = field(default_factory=list)
    local_ids: dict[str, str] = field(default_factory=dict)


@dataclass
class Spell:
    program: Program
    start: date
    end: date | None
    exit_reason: str
    award_date: date | None
    completed: bool
    local_id: str = ""
    ssn_mode: str = "ok"  # ok | blank | invalid
    reported_ssn: str = ""
    channel: str = "csv"  # csv | pesc | clr | ob3
    credits_attempted: float = 0.0
    credits_earned: float = 0.0
    hours_completed: float = 0.0
    funding: str = ""
    tuition_charged: float = 0.0
    pell: str = ""
    award_pending: bool = False  # the first submission of a resubmitted file lacked this award

    @property
    def is_short(self) -> bool:
        """Short-term training: people usually keep the job they had while taking it."""
        return self.program.level not in DEGREE_YEARS and self.program.level != "APPRENTICESHIP"


def nominal_days(program: Program) -> float:
    return program.weeks * 7.0


def term_end_near(rng: random.Random, d: date) -> date:
    """The nearest end of term (May, December or August) to an approximate finishing date."""
    if 3 <= d.month <= 7:
        return date(d.year, 5, rng.randint(8, 18))
    if d.month >= 10:
        return date(d.year, 12, rng.randint(12, 20))
    if d.month <= 1:
        return date(d.year - 1, 12, rng.randint(12, 20))
    return date(d.year, 8, rng.randint(4, 10))


def _completion_end(rng: random.Random, program: Program, start: date) -> date:
    level = program.level
    if level in DEGREE_YEARS:
        years = rng.choices([y for y, _ in DEGREE_YEARS[level]], [w for _, w in DEGREE_YEARS[level]])[0]
        return term_end_near(rng, start + timedelta(days=int(years * 365.25) - 90))
    if level == "APPRENTICESHIP":
        return start + timedelta(days=int(4 * 365.25) + rng.randint(-60, 90))
    if program.provider_id == "NHSC":  # certification exam taken after some preparation
        return start + timedelta(days=rng.randint(7, 90))
    factor = rng.uniform(1.6, 2.4) if rng.random() < P_LATE else rng.uniform(0.95, 1.05)
    return start + timedelta(days=max(1, math.floor(nominal_days(program) * factor)))


def _partial_end(rng: random.Random, program: Program, start: date) -> date:
    span = nominal_days(program)
    if program.level in DEGREE_YEARS:
        span = 365.25 * 2.5
    return start + timedelta(days=max(1, int(span * rng.uniform(0.08, 0.85))))


def simulate_spell(rng: random.Random, program: Program, start: date, force_complete: bool = False) -> Spell:
    """Dates, exit reason and award of one spell; the provider-recorded amounts are added later."""
    profile = OUTCOMES[program.program_id]
    completed = False
    if not force_complete and rng.random() < P_EXCLUDED:
        reason = rng.choice(EXCLUDED_REASONS)
        end = _partial_end(rng, program, start)
    elif force_complete or rng.random() < profile.p_complete:
        completed = True
        reason = "COMPLETED"
        end = _completion_end(rng, program, start)
    else:
        reason = "WITHDREW"
        if program.credit_type == "CREDIT" and rng.random() < 0.22:
            reason = "TRANSFERRED"
        end = _partial_end(rng, program, start)
    award: date | None = end if completed else None
    if completed and program.level in DEGREE_YEARS:
        award = end + timedelta(days=rng.randint(0, 7))  # conferral after the last day attended
    if end > EXTRACT_DATE or (award is not None and award > EXTRACT_DATE):
        return Spell(program, start, None, "ENROLLED", None, False)
    return Spell(program, start, end, reason, award, completed)


def _num(x: float) -> float:
    return round(x * 2) / 2


def add_recorded_amounts(rng: random.Random, spell: Spell, start_award_year: int) -> None:
    """Credits, clock hours, funding, tuition and Pell flag as the provider would record them."""
    prog = spell.program
    done = spell.award_date is not None
    frac = 1.0 if done else rng.uniform(0.1, 0.9)
    if spell.exit_reason == "ENROLLED":
        elapsed = (EXTRACT_DATE - spell.start).days / max(1.0, nominal_days(prog))
        frac = min(0.95, max(0.05, elapsed))
    if prog.credit_type == "CREDIT":
        extra = rng.choice((0, 0, 0, 3, 4)) if prog.level in DEGREE_YEARS else 0
        spell.credits_attempted = prog.credit_hours * (1.0 if done else min(1.0, frac + 0.1)) + extra
        spell.credits_earned = _num(prog.credit_hours * frac if not done else prog.credit_hours)
        spell.credits_attempted = _num(max(spell.credits_attempted, spell.credits_earned))
        spell.pell = rng.choices(("Y", "N", ""), (0.38, 0.6, 0.02))[0]
        return
    spell.hours_completed = round(prog.clock_hours * frac)
    spell.tuition_charged = prog.tuition
    if prog.provider_id == "JATC":
        spell.funding = "EMPLOYER"
    elif prog.provider_id == "NHSC":
        spell.funding = rng.choices(("SELF", "EMPLOYER", "WIOA"), (0.6, 0.3, 0.1))[0]
    elif prog.wpell and start_award_year >= 2024 and rng.random() < 0.35:
        spell.funding = "WPELL"  # the state's Workforce Pell pilot, 2024-25 starts only
    else:
        spell.funding = rng.choices(("WIOA", "SELF", "EMPLOYER", "OTHER", "PELL"),
                                    (0.3, 0.35, 0.15, 0.12, 0.03))[0]
        if spell.funding == "WIOA" and rng.random() < 0.2:
            spell.tuition_charged = round(prog.tuition * 0.9, 2)  # negotiated WIOA rate
