"""Open Badges 3.0 credentials from the workforce institute and a CLR 2.0 from a college (§1, §3, §4).

Open Badges: single-credential files, one JSON array file, and one `Course` achievement (a learning
achievement, not a credential). Subjects are identified by a plain `nationalIdentityNumber`, by
`studentId` (the learner_id in the institute's own CSV) or by a salted hash of the SSN
(`"sha256$" + hex(sha256(ssn + salt))`, the OB 3.0 IdentityObject rule) whose SSN is also in the CSV.
CLR: one `ClrCredential` nesting the college's AchievementCredentials (an associate degree and two
courses) for a learner whose earlier certificate is in the college's CSV.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from sample_data.catalog import PROVIDER_BY_ID, Program
from sample_data.landing import LandingWriter
from sample_data.population import BadgeAward
from sample_data.spells import Person, Spell
from sample_data.timeline import stamp, stamp_mtime

BADGE_STAMP = date(2025, 9, 25)
CLR_STAMP = date(2025, 9, 22)
OB_CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
CLR_CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
               "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]

Json = dict[str, Any]


def urn(rng: random.Random) -> str:
    return f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def ts(d: date, hour: int = 0) -> str:
    return f"{d.isoformat()}T{hour:02d}:00:00Z"


def hashed_ssn(ssn: str, salt: str) -> str:
    """The OB 3.0 hashed identity: sha256 of the identifier followed by the salt, hex, with its prefix."""
    return "sha256$" + hashlib.sha256((ssn + salt).encode("utf-8")).hexdigest()


def identity(kind: str, value: str, hashed: bool = False, salt: str = "") -> Json:
    obj: Json = {"type": "IdentityObject", "identityType": kind, "hashed": hashed, "identityHash": value}
    if salt:
        obj["salt"] = salt
    return obj


def identifiers(rng: random.Random, person: Person, student_id: str, route: str) -> list[Json]:
    """How the subject is named: plain SSN (+ name), studentId only, or salted SSN hash only."""
    if route == "student_id":
        return [identity("studentId", student_id)]
    if route == "hashed":
        salt = f"{rng.getrandbits(64):016x}"
        return [identity("nationalIdentityNumber", hashed_ssn(person.ssn, salt), True, salt)]
    return [identity("nationalIdentityNumber", person.ssn), identity("name", f"{person.first} {person.last}")]


def issuer(provider_id: str) -> Json:
    prov = PROVIDER_BY_ID[provider_id]
    return {"id": prov.badge_issuer_id, "type": ["Profile"], "name": prov.name}


def slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def cip_alignment(cip: str, name: str) -> Json:
    return {"type": ["Alignment"], "targetName": name, "targetCode": cip, "targetFramework": "CIP 2020",
            "targetUrl": "https://nces.ed.gov/ipeds/cipcode"}


def achievement(provider_id: str, kind: str, name: str, cip: str, narrative: str) -> Json:
    parts = urlsplit(PROVIDER_BY_ID[provider_id].badge_issuer_id)
    base = f"{parts.scheme}://{parts.netloc}"
    return {"id": f"{base}/achievements/{slug(name)}", "type": ["Achievement"], "achievementType": kind,
            "name": name, "description": narrative, "criteria": {"narrative": narrative},
            "alignment": [cip_alignment(cip, name)]}


def program_achievement(prog: Program, kind: str) -> Json:
    return achievement(prog.provider_id, kind, prog.name, prog.cip,
                       f"Completed the {prog.name} requirements ({prog.clock_hours or prog.credit_hours} "
                       f"{'clock' if prog.clock_hours else 'credit'} hours).")


def credential(rng: random.Random, provider_id: str, subject_ids: list[Json], start: date, end: date,
               ach: Json, cred_type: str = "OpenBadgeCredential", context: bool = True) -> Json:
    cred: Json = {}
    if context:
        cred["@context"] = OB_CONTEXT
    cred.update({
        "id": urn(rng),
        "type": ["VerifiableCredential", cred_type],
        "issuer": issuer(provider_id),
        "validFrom": ts(end + timedelta(days=1), 12),
        "name": ach["name"],
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": subject_ids,
            "activityStartDate": ts(start),
            "activityEndDate": ts(end),
            "achievement": ach,
        },
    })
    return cred


def badge_credential(rng: random.Random, award: BadgeAward, kind: str, cred_type: str) -> Json:
    spell = award.spell
    ids = identifiers(rng, award.person, spell.local_id, award.route)
    end = spell.award_date or spell.start
    return credential(rng, "SWI", ids, spell.start, end, program_achievement(spell.program, kind), cred_type)


def course_credential(rng: random.Random, award: BadgeAward) -> Json:
    spell = award.spell
    start = spell.start + timedelta(days=3)
    ach = achievement("SWI", "Course", "OSHA 10-Hour General Industry", "15.0701",
                      "Completed the 10-hour OSHA general industry safety course.")
    ids = identifiers(rng, award.person, spell.local_id, "ssn")
    return credential(rng, "SWI", ids, start, start + timedelta(days=4), ach)


def dump(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_badges(out: LandingWriter, rng: random.Random, awards: list[BadgeAward],
                 course: BadgeAward | None) -> dict[str, int]:
    """Single-credential files for the first awards, one JSON array for the rest, and the course."""
    when = stamp_mtime(BADGE_STAMP)
    special = [a for a in awards if a.route != "ssn"]
    plain = [a for a in awards if a.route == "ssn"]
    n_batch = max(2, len(plain) // 2) if len(plain) >= 3 else 0
    singles, batch = special + plain[: len(plain) - n_batch], plain[len(plain) - n_batch:]
    singles.sort(key=lambda a: a.person.pid)
    for i, award in enumerate(singles):
        cred = badge_credential(rng, award, "Badge", "OpenBadgeCredential")
        if i == 0:
            earned = award.spell.award_date or award.spell.start
            cred["validUntil"] = ts(earned + timedelta(days=3 * 365), 12)  # an expiring badge
        out.write("noncredit", f"swi_badge_{i:03d}_{stamp(BADGE_STAMP)}.json", dump(cred), when)
    if batch:
        creds = [badge_credential(rng, a, ("MicroCredential", "Badge")[i % 2],
                                  ("AchievementCredential", "OpenBadgeCredential")[i % 2])
                 for i, a in enumerate(batch)]
        out.write("noncredit", f"swi_badges_batch_{stamp(BADGE_STAMP)}.json", dump(creds), when)
    if course is not None:
        data = dump(course_credential(rng, course))
        out.write("noncredit", f"swi_course_{stamp(BADGE_STAMP)}.json", data, when)
    return {"badges_single": len(singles), "badges_in_array": len(batch)}


def clr_document(rng: random.Random, person: Person, degree: Spell) -> Json:
    """A CLR 2.0 ClrCredential with the degree and two of its courses as nested credentials."""
    prog = degree.program
    end = degree.award_date or degree.start
    ids = [identity("studentId", degree.local_id), identity("nationalIdentityNumber", person.ssn)]
    degree_ach = program_achievement(prog, "AssociateDegree")
    plc = achievement(prog.provider_id, "Course", "Programmable Logic Controllers I", prog.cip,
                      "Passed MNT 210 with a grade of C or better.")
    safety = achievement(prog.provider_id, "Course", "Industrial Safety and OSHA 30", prog.cip,
                         "Passed MNT 120 and earned the OSHA 30 card.")
    nested = [
        credential(rng, prog.provider_id, ids, degree.start, end, degree_ach, "AchievementCredential"),
        credential(rng, prog.provider_id, ids, degree.start + timedelta(days=140),
                   degree.start + timedelta(days=250), plc, "AchievementCredential"),
        credential(rng, prog.provider_id, ids, degree.start, degree.start + timedelta(days=110), safety,
                   "AchievementCredential"),
    ]
    return {
        "@context": CLR_CONTEXT,
        "id": urn(rng),
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": issuer(prog.provider_id),
        "validFrom": ts(end + timedelta(days=10), 15),
        "name": f"{PROVIDER_BY_ID[prog.provider_id].name} Comprehensive Learner Record",
        "credentialSubject": {
            "type": ["ClrSubject"],
            "identifier": ids,
            "verifiableCredential": nested,
            "achievement": [degree_ach, plc, safety],
            "association": [
                {"type": "Association", "associationType": "isParentOf", "sourceId": degree_ach["id"],
                 "targetId": plc["id"]},
                {"type": "Association", "associationType": "isParentOf", "sourceId": degree_ach["id"],
                 "targetId": safety["id"]},
            ],
        },
        "credentialSchema": [{
            "id": "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019"}],
    }


def write_clr(out: LandingWriter, rng: random.Random, people: list[Person]) -> int:
    n = 0
    for person in people:
        degree = next(s for s in person.spells if s.channel == "clr")
        name = f"clr_{degree.program.provider_id}_{degree.local_id}_{stamp(CLR_STAMP)}.json"
        out.write("transcripts", name, dump(clr_document(rng, person, degree)), stamp_mtime(CLR_STAMP))
        n += 1
    return n
