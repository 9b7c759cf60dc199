"""1EdTech Open Badges 3.0 and CLR 2.0 readers (docs/submission_manual.md §1, §3, §4, §5).

`noncredit/*.json` holds one OpenBadgeCredential / AchievementCredential or a JSON array of them;
`transcripts/*.json` holds one ClrCredential (or an array of them) whose
`credentialSubject.verifiableCredential` lists achievement credentials. Either way, one output record
per achievement credential, `_line` being its 1-based ordinal in the file. Both the VC 2.0
(`validFrom`/`validUntil`) and the VC 1.1 (`issuanceDate`/`expirationDate`) data models are read.

Mapping rules (values are passed as written; SQL validation types and judges them):

- provider_id: the issuer (`issuer` string, or `issuer.id`) looked up as a provider's
  `badge_issuer_id`. Unknown or missing issuer: the record carries the problem
  `("provider_id", "issuer is not a badge_issuer_id in providers.csv")`. In a CLR the nested
  credential's issuer is tried first, then the ClrCredential's issuer.
- identity, from `credentialSubject.identifier[]` IdentityObjects (`identityHash` holds the value,
  hashed or plain; OB 2.0's `identity` is read too):
  `nationalIdentityNumber` plain -> ssn; hashed (`hashed: true`, or a value shaped `sha256$...` /
  `md5$...`) -> ssn_hash as written and ssn_salt; `studentId`, else `sisSourcedId` -> learner_id
  (OB) / student_id (CLR); `name` -> last token is last_name, the rest first_name ("Last, First" is
  split at the comma). Hashed ids or names cannot be matched, so they are ignored with a warning. In a
  CLR each of ssn, hashed ssn, roster id and name comes from the nested credential's subject when it
  has one, else from the ClrSubject's `identifier` list.
- source_credential_code (OB) / source_award_code (CLR): `achievement.achievementType` exactly as
  written; dbt owns the crosswalk to credential_level.
- cip_code: `targetCode` of the first achievement alignment whose `targetFramework` contains "CIP"
  (case-sensitive: "Principles" must not match), normalized by `codes.cip` (six digits "520201" and
  a dropped leading zero "1.0105" become NN.NNNN). soc_code (OB): the first alignment whose framework
  contains "SOC" or "O*NET", normalized by `codes.soc` (O*NET "15-1252.00" -> "15-1252"). A code
  that does not normalize is passed as written so validation rejects it. credential_ctid (OB): an
  alignment `targetCode` starting with "ce-", else a Credential Engine id at the end of a
  `targetUrl` (".../resources/ce-<uuid>", as CTDL alignments are usually written).
- credential_name (OB) / award_title (CLR): `achievement.name`, else the credential's `name`.
- credential_id / achievement_id: the credential's and the achievement's `id`.
- credential_date (OB) / award_date (CLR): `credentialSubject.activityEndDate`, else `validFrom`,
  else `issuanceDate`; date part. start_date (OB) / enrollment_start_date (CLR):
  `activityStartDate`, else the credential date. expires_on: `validUntil`, else `expirationDate`.
  "Date part" is `codes.date_part`: the YYYY-MM-DD of an ISO date or date-time (the date as written,
  offsets ignored); anything else is passed raw so validation rejects it.
- has_proof: "Y" when the credential (or, for CLR, its ClrCredential) has a non-empty `proof`.
- proof_status, proof_reason: the offline verification of the credential's own proof
  (`dagster_project.credentials.proofs`: VERIFIED, INVALID, UNVERIFIABLE, NO_PROOF, and a plain
  reason without values). A nested CLR credential without a proof of its own takes its
  ClrCredential's verdict (that proof covers it). docs/submission_manual.md §3.
- transcript_type (CLR): always "CLR".

Not an error but noted once per file in `ctx.warnings` (counts only, never values): credentials that
expired before the run date (still loaded), credentials without an achievementType, hashed
identifiers other than SSNs, ClrCredentials without nested credentials, ClrSubject achievements
that no nested credential awards (those are not loaded), and, when any credential of the file
carries a proof, how many credentials got each proof status.

Records the reader rejects itself: a credential whose `type` is neither OpenBadgeCredential nor
AchievementCredential (EndorsementCredential, a CLR in noncredit/, ...) and a nested CLR entry that
is not a JSON object (e.g. a compact JWT). Structural errors (the file is quarantined): malformed or
too-deep JSON (`load_json`), a top-level value that is not an object or an array of objects, and in
transcripts/ anything that is not a ClrCredential (an Open Badges credential belongs in noncredit/).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

from dagster_project.credentials.proofs import PROOF_STATUSES, ProofResult, check_credential, check_document
from dagster_project.landing import codes
from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import Contract
from dagster_project.landing.formats.jsonload import load_json
from dagster_project.landing.records import StructuralError, records_to_batches

ACCEPTED_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
CLR_TYPE = "ClrCredential"
TRANSCRIPT_TYPE = "CLR"

UNKNOWN_ISSUER = ("provider_id", "issuer is not a badge_issuer_id in providers.csv")
NOT_AN_OBJECT = ("type", "nested credential is not a JSON object (compact JWT credentials are not read)")

# Internal field name -> column name, per layout. Fields a layout lacks are simply not emitted.
OB3_COLUMNS = {
    "provider_id": "provider_id", "roster_id": "learner_id", "ssn": "ssn", "ssn_hash": "ssn_hash",
    "ssn_salt": "ssn_salt", "first_name": "first_name", "last_name": "last_name", "cip_code": "cip_code",
    "soc_code": "soc_code", "start_date": "start_date", "achievement_type": "source_credential_code",
    "title": "credential_name", "credential_date": "credential_date", "credential_ctid": "credential_ctid",
    "credential_id": "credential_id", "achievement_id": "achievement_id", "has_proof": "has_proof",
    "expires_on": "expires_on", "proof_status": "proof_status", "proof_reason": "proof_reason",
}
CLR_COLUMNS = {
    "provider_id": "provider_id", "roster_id": "student_id", "ssn": "ssn", "ssn_hash": "ssn_hash",
    "ssn_salt": "ssn_salt", "first_name": "first_name", "last_name": "last_name", "cip_code": "cip_code",
    "achievement_type": "source_award_code", "transcript_type": "transcript_type",
    "start_date": "enrollment_start_date", "credential_date": "award_date", "title": "award_title",
    "credential_id": "credential_id", "achievement_id": "achievement_id", "has_proof": "has_proof",
    "expires_on": "expires_on", "proof_status": "proof_status", "proof_reason": "proof_reason",
}

_HASH_SHAPE = re.compile(r"^(?:sha256|md5)\$", re.IGNORECASE)
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_CTID_IN_URL = re.compile(rf"/(ce-{_UUID})/?$", re.IGNORECASE)
# A type name safe to echo in a problem reason: letters only, optionally namespaced ("ext:Foo").
_SAFE_TYPE = re.compile(r"^[A-Za-z]{1,60}(?::[A-Za-z]{1,60})?$")

Problem = tuple[str | None, str]
Record = tuple[int, Mapping[str, str | None], Problem | None]


# --------------------------------------------------------------------------- small JSON helpers


def _as_list(value: Any) -> list[Any]:
    """JSON-LD lets any property be a single value or an array; treat both as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _objects(value: Any) -> list[dict]:
    return [v for v in _as_list(value) if isinstance(v, dict)]


def _first_object(value: Any) -> dict:
    """The first JSON object of a single-or-array property (VC allows an array of subjects)."""
    found = _objects(value)
    return found[0] if found else {}


def _types(obj: Mapping[str, Any]) -> list[str]:
    return [t for t in _as_list(obj.get("type")) if isinstance(t, str)]


def _present(*values: Any) -> Any:
    """The first value that is neither absent, null nor blank: the VC 2.0 name first, then the VC 1.1 one."""
    for value in values:
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return value
    return None


def _text(value: Any) -> str | None:
    """Raw text of a JSON value: strings as written, numbers/booleans as JSON, objects as compact JSON.

    Objects where a scalar is expected are kept (not dropped) so validation sees the bad value.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _date_part(value: Any) -> str | None:
    """YYYY-MM-DD of an ISO date-time as written (`codes.date_part`); else raw so validation rejects it."""
    text = _text(value)
    return codes.date_part(text) or text


def _has_proof(*holders: Mapping[str, Any]) -> str:
    return "Y" if any(h.get("proof") not in (None, "", [], {}) for h in holders) else "N"


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and issuer.strip() else None


# --------------------------------------------------------------------------- types


def is_badge_credential(obj: Mapping[str, Any]) -> bool:
    return bool(ACCEPTED_TYPES.intersection(_types(obj)))


def _type_problem(obj: Mapping[str, Any]) -> Problem:
    """Why an object is not an achievement credential, naming its type only when that is a plain name."""
    named = [t for t in _types(obj) if t != "VerifiableCredential"]
    if not _types(obj):
        label = "an object without a type"
    elif not named:
        label = "a VerifiableCredential without a more specific type"
    elif all(_SAFE_TYPE.match(t) for t in named):
        label = "/".join(named)
    else:
        label = "an unrecognized type"
    reason = f"{label} is not an OpenBadgeCredential or AchievementCredential"
    if CLR_TYPE in named:
        reason += " (CLR files belong in transcripts/)"
    return ("type", reason)


# --------------------------------------------------------------------------- codes


def _code(value: Any, normalize: Callable[[str | None, bool], str | None]) -> str | None:
    """An alignment code normalized (six bare digits allowed: the framework names the system), else
    as written, trimmed, so validation rejects it."""
    text = _text(value)
    text = (text.strip() or None) if text is not None else None
    return normalize(text, True) or text


def _alignment_code(alignments: Iterable[Mapping[str, Any]], *frameworks: str) -> Any:
    """targetCode of the first alignment whose targetFramework contains one of `frameworks`."""
    for a in alignments:
        framework = a.get("targetFramework")
        if isinstance(framework, str) and any(f in framework for f in frameworks):
            code = a.get("targetCode")
            if code not in (None, ""):
                return code
    return None


def _ctid(alignments: list[dict]) -> str | None:
    """A Credential Engine CTID: a targetCode "ce-...", else one ending a targetUrl."""
    for a in alignments:
        code = a.get("targetCode")
        if isinstance(code, str) and code.strip().lower().startswith("ce-"):
            return code.strip()
    for a in alignments:
        url = a.get("targetUrl")
        if isinstance(url, str) and (m := _CTID_IN_URL.search(url.strip())):
            return m.group(1)
    return None


# --------------------------------------------------------------------------- identity


@dataclass
class LearnerIds:
    """A learner's identifiers from one IdentityObject list; each group is filled independently."""

    ssn: str | None = None
    ssn_hash: str | None = None
    ssn_salt: str | None = None
    roster_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    ignored_hashed: int = 0

    def filled_from(self, other: LearnerIds) -> LearnerIds:
        """This identity with its empty groups taken from `other` (CLR: nested first, then ClrSubject)."""
        merged = LearnerIds(ignored_hashed=self.ignored_hashed + other.ignored_hashed)
        merged.ssn = self.ssn if self.ssn is not None else other.ssn
        src = self if self.ssn_hash is not None else other
        merged.ssn_hash, merged.ssn_salt = src.ssn_hash, src.ssn_salt
        merged.roster_id = self.roster_id if self.roster_id is not None else other.roster_id
        src = self if (self.first_name, self.last_name) != (None, None) else other
        merged.first_name, merged.last_name = src.first_name, src.last_name
        return merged


def split_name(name: str | None) -> tuple[str | None, str | None]:
    """(first, last): "Last, First" at the comma, else the last token is the last name."""
    if name is None or not name.strip():
        return None, None
    if "," in name:
        last, _, first = name.partition(",")
        return (first.strip() or None), (last.strip() or None)
    tokens = name.split()
    return (" ".join(tokens[:-1]) or None), tokens[-1]


def _is_hashed(entry: Mapping[str, Any], value: str) -> bool:
    """OB 3.0 `hashed` flag (true or "true"); a value shaped like an IdentityHash counts as hashed too."""
    flag = entry.get("hashed")
    if flag is True or (isinstance(flag, str) and flag.strip().lower() == "true"):
        return True
    return bool(_HASH_SHAPE.match(value.strip()))


def parse_identity(identifiers: Any) -> LearnerIds:
    """Identity columns from an `identifier` list of IdentityObjects (first of each kind wins)."""
    ident = LearnerIds()
    student_id = sis_id = None
    for entry in _objects(identifiers):
        kind = entry.get("identityType")
        if not isinstance(kind, str):
            kind = entry.get("type") if isinstance(entry.get("type"), str) else ""
        kind = kind.strip().lower()
        value = _text(_present(entry.get("identityHash"), entry.get("identity")))
        if value is None or not value.strip():
            continue
        hashed = _is_hashed(entry, value)
        if kind == "nationalidentitynumber":
            if hashed and ident.ssn_hash is None:
                ident.ssn_hash, ident.ssn_salt = value, _text(entry.get("salt"))
            elif not hashed and ident.ssn is None:
                ident.ssn = value
        elif kind in ("studentid", "sissourcedid", "name"):
            if hashed:
                ident.ignored_hashed += 1
            elif kind == "studentid" and student_id is None:
                student_id = value
            elif kind == "sissourcedid" and sis_id is None:
                sis_id = value
            elif kind == "name" and (ident.first_name, ident.last_name) == (None, None):
                ident.first_name, ident.last_name = split_name(value)
    ident.roster_id = student_id if student_id is not None else sis_id
    return ident


# --------------------------------------------------------------------------- one credential


def credential_fields(credential: Mapping[str, Any]) -> dict[str, str | None]:
    """The layout-neutral fields of one achievement credential, identity and provider excluded."""
    subject = _first_object(credential.get("credentialSubject"))
    achievement = _first_object(subject.get("achievement"))
    alignments = _objects(achievement.get("alignment"))
    end = _date_part(subject.get("activityEndDate"))
    if end is None:
        end = _date_part(_present(credential.get("validFrom"), credential.get("issuanceDate")))
    start = _date_part(subject.get("activityStartDate"))
    return {
        "cip_code": _code(_alignment_code(alignments, "CIP"), codes.cip),
        "soc_code": _code(_alignment_code(alignments, "SOC", "O*NET"), codes.soc),
        "credential_ctid": _ctid(alignments),
        "achievement_type": _text(achievement.get("achievementType")),
        "title": _text(_present(achievement.get("name"), credential.get("name"))),
        "credential_id": _text(credential.get("id")),
        "achievement_id": _text(achievement.get("id")),
        "credential_date": end,
        "start_date": start if start is not None else end,
        "expires_on": _date_part(_present(credential.get("validUntil"), credential.get("expirationDate"))),
    }


def _subject_identifiers(credential: Mapping[str, Any]) -> Any:
    return _first_object(credential.get("credentialSubject")).get("identifier")


def _identity_fields(ident: LearnerIds) -> dict[str, str | None]:
    return {"ssn": ident.ssn, "ssn_hash": ident.ssn_hash, "ssn_salt": ident.ssn_salt,
            "roster_id": ident.roster_id, "first_name": ident.first_name, "last_name": ident.last_name}


def _expired(expires_on: str | None, run_date: date) -> bool:
    try:
        return expires_on is not None and date.fromisoformat(expires_on) < run_date
    except ValueError:
        return False


@dataclass
class _Tally:
    """File-level counts that become warnings: counts only, so no value ever reaches a log."""

    expired: int = 0
    no_achievement_type: int = 0
    hashed_ignored: int = 0
    empty_clrs: int = 0
    unawarded_achievements: int = 0
    proofs: dict[str, int] | None = None

    def count(self, fields: Mapping[str, str | None], run_date: date) -> None:
        self.expired += _expired(fields.get("expires_on"), run_date)
        self.no_achievement_type += fields.get("achievement_type") is None

    def count_proof(self, status: str) -> None:
        self.proofs = self.proofs or dict.fromkeys(PROOF_STATUSES, 0)
        self.proofs[status] += 1

    def warnings(self) -> list[str]:
        out = []
        if self.expired:
            out.append(f"{self.expired} credential(s) expired before the run date (loaded all the same)")
        if self.no_achievement_type:
            out.append(f"{self.no_achievement_type} credential(s) have no achievementType")
        if self.hashed_ignored:
            out.append(f"{self.hashed_ignored} hashed studentId/sisSourcedId/name identifier(s) ignored: "
                       "only a hashed nationalIdentityNumber can be matched")
        if self.empty_clrs:
            out.append(f"{self.empty_clrs} ClrCredential(s) hold no nested credentials")
        if self.unawarded_achievements:
            out.append(f"{self.unawarded_achievements} ClrSubject achievement(s) have no nested credential "
                       "and were not loaded")
        proofs = self.proofs or {}
        if any(n for status, n in proofs.items() if status != "NO_PROOF"):
            counts = ", ".join(f"{n} {status}" for status, n in proofs.items() if n)
            out.append(f"proof status (checked offline): {counts}")
        return out


def _build(
    credential: Mapping[str, Any],
    ident: LearnerIds,
    provider_id: str | None,
    has_proof: str,
    proof: ProofResult,
    tally: _Tally,
    run_date: date,
) -> tuple[dict[str, str | None], Problem | None]:
    """Fields and reader problem of one credential; only accepted credentials feed the warnings."""
    fields = credential_fields(credential)
    fields.update(_identity_fields(ident))
    fields["provider_id"] = provider_id
    fields["has_proof"] = has_proof
    fields["proof_status"], fields["proof_reason"] = proof.status, proof.reason
    if not is_badge_credential(credential):
        return fields, _type_problem(credential)
    tally.count(fields, run_date)
    tally.count_proof(proof.status)
    tally.hashed_ignored += ident.ignored_hashed
    return fields, (UNKNOWN_ISSUER if provider_id is None else None)


def _columns(fields: Mapping[str, str | None], mapping: Mapping[str, str]) -> dict[str, str | None]:
    return {column: fields.get(name) for name, column in mapping.items()}


# --------------------------------------------------------------------------- Open Badges file


def _top_level_objects(value: Any, what: str) -> list[dict]:
    """The objects of a file holding one object or an array of objects; anything else is structural."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        for i, item in enumerate(value, start=1):
            if not isinstance(item, dict):
                raise StructuralError(f"array element {i} is not a JSON object: expected {what} objects")
        return value
    raise StructuralError(f"top-level JSON value is not {what} object or an array of them")


def ob3_records(value: Any, ctx: ReadContext) -> Iterator[Record]:
    """One record per credential of an Open Badges file (already parsed)."""
    tally = _Tally()
    for line, credential in enumerate(_top_level_objects(value, "an Open Badges credential"), start=1):
        ident = parse_identity(_subject_identifiers(credential))
        provider = ctx.providers.provider_for_issuer(_issuer_id(credential))
        fields, problem = _build(credential, ident, provider, _has_proof(credential),
                                 check_credential(credential), tally, ctx.run_date)
        yield line, _columns(fields, OB3_COLUMNS), problem
    ctx.warnings.extend(tally.warnings())


def read_ob3(path: Path, contract: Contract, ctx: ReadContext) -> Iterator[pa.RecordBatch]:
    value = load_json(path, ctx.max_json_depth)
    records = list(ob3_records(value, ctx))  # small files; build all before yielding so warnings are final
    yield from records_to_batches(contract.column_names, records)


# --------------------------------------------------------------------------- CLR file


def _clr_objects(value: Any) -> list[dict]:
    clrs = _top_level_objects(value, "a ClrCredential")
    for i, clr in enumerate(clrs, start=1):
        if CLR_TYPE not in _types(clr):
            where = "the top-level object" if isinstance(value, dict) else f"array element {i}"
            hint = " (Open Badges credentials belong in noncredit/)" if is_badge_credential(clr) else ""
            raise StructuralError(f"not a ClrCredential: {where} has no type ClrCredential{hint}")
    return clrs


def _unawarded(clr_subject: Mapping[str, Any], nested: list[Any]) -> int:
    """ClrSubject achievements that no nested credential awards (they carry no date or learner)."""
    awarded = {credential_fields(n)["achievement_id"] for n in nested if isinstance(n, dict)}
    listed = [_text(a.get("id")) for a in _objects(clr_subject.get("achievement"))]
    return sum(1 for a in listed if a not in awarded)


def clr_records(value: Any, ctx: ReadContext) -> Iterator[Record]:
    """One record per nested achievement credential of every ClrCredential in the file."""
    tally = _Tally()
    line = 0
    for clr in _clr_objects(value):
        clr_subject = _first_object(clr.get("credentialSubject"))
        clr_ident = parse_identity(clr_subject.get("identifier"))
        clr_provider = ctx.providers.provider_for_issuer(_issuer_id(clr))
        nested = _as_list(clr_subject.get("verifiableCredential"))
        clr_proof = check_document(clr)
        tally.empty_clrs += not nested
        tally.unawarded_achievements += _unawarded(clr_subject, nested)
        for credential in nested:
            line += 1
            if not isinstance(credential, dict):
                yield line, {"transcript_type": TRANSCRIPT_TYPE}, NOT_AN_OBJECT
                continue
            ident = parse_identity(_subject_identifiers(credential)).filled_from(clr_ident)
            provider = ctx.providers.provider_for_issuer(_issuer_id(credential)) or clr_provider
            fields, problem = _build(credential, ident, provider, _has_proof(credential, clr),
                                     check_credential(credential, clr_proof), tally, ctx.run_date)
            fields["transcript_type"] = TRANSCRIPT_TYPE
            yield line, _columns(fields, CLR_COLUMNS), problem
    ctx.warnings.extend(tally.warnings())


def read_clr(path: Path, contract: Contract, ctx: ReadContext) -> Iterator[pa.RecordBatch]:
    value = load_json(path, ctx.max_json_depth)
    records = list(clr_records(value, ctx))
    yield from records_to_batches(contract.column_names, records)
