"""Credential Engine CTDL credential descriptions (JSON-LD) in `reference/*.json` (docs/submission_manual.md
§1, §3).

A file is read as one JSON-LD graph. Its nodes are found by unwrapping, in any combination:
a top-level list (expanded JSON-LD's default graph), an object with `@graph` (the Credential
Registry's "graph" form), a Credential Registry envelope (its `decoded_resource`), and otherwise a
single node object. Nodes nested inside other nodes are never records of their own, and neither is a
blank node (`_:...`) of the graph that another node refers to: it is the flattened form of a nested
object, so the nested and `@graph` serializations of one credential give the same records.

One record per remaining node whose `@type` is a CTDL credential class (`CREDENTIAL_CLASSES`:
`ceterms:Credential` and its subclasses; the spec's data dictionary names ten of them). The reader
only extracts; the class is mapped to a `credential_level` in dbt. Mapping:

- `ctdl_class`: the credential type as written (`ceterms:BachelorDegree`); a full CTDL term IRI
  (`https://purl.org/ctdl/terms/BachelorDegree`) is written in the compact `ceterms:` form. With
  several types, the first specific one wins over the abstract `ceterms:Credential`.
- `ctid` = `ceterms:ctid`; `credential_uri` = `@id` (a blank node id is file-local, so: null).
- `credential_name` = `ceterms:name`: a plain string, a language map (`en-US`, then `en`, then the
  first language) or JSON-LD value objects (`{"@language", "@value"}`) chosen the same way.
- `owner_uri` = the `@id` of the first `ceterms:ownedBy` agent, else of the first
  `ceterms:offeredBy`; `owner_name` = that organization's name when the file describes it.
- `cip_codes`, `soc_codes`, `naics_codes`: `;`-joined, de-duplicated, in file order, from the
  `ceterms:codedNotation` of the CredentialAlignmentObjects in `ceterms:instructionalProgramType`,
  `ceterms:occupationType` and `ceterms:industryType` (plus the `ceterms:naics` string list). A
  notation counts when its framework (URL or name) names the scheme and it normalizes (CIP
  `NN.NNNN`, SOC `NN-NNNN` from O*NET `NN-NNNN.NN`, NAICS 2-6 digits), or when, without such a
  framework, it already has the scheme's unmistakable shape (`codes.py` holds the one normalizer
  per system; six bare digits count only under a CIP or SOC framework). A notation under a
  CIP/SOC/NAICS framework that does not normalize is left out and counted in a file warning.
- `credential_status` = the last segment of `ceterms:credentialStatusType`'s `ceterms:targetNode`
  (`credentialStat:Active` -> `Active`), else its `ceterms:targetNodeName`.
- `subject_webpage` = `ceterms:subjectWebpage` (a string or an `{"@id"}` object).

Every property value may be a reference (`"_:b0"`, `{"@id": ...}`) to a node of the same file; it is
resolved before use. `_line` is the record's 1-based ordinal in the file. Errors and warnings never
quote file content (descriptions may be pasted from anywhere).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from dagster_project.landing import codes
from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import Contract
from dagster_project.landing.formats.jsonload import load_json
from dagster_project.landing.records import StructuralError, records_to_batches

CETERMS = "ceterms:"
ABSTRACT_CREDENTIAL = "ceterms:Credential"

# ceterms:Credential and its subclasses (CTDL `ceterms:credentialType` range, plus the older
# degree subclasses and renamed classes still found in the Registry).
CREDENTIAL_CLASSES: frozenset[str] = frozenset(CETERMS + name for name in (
    "Credential",
    # the spec's data dictionary (§3)
    "Certificate", "AssociateDegree", "BachelorDegree", "MasterDegree", "DoctoralDegree",
    "CertificateOfCompletion", "Certification", "License", "ApprenticeshipCertificate", "DigitalBadge",
    # degrees
    "Degree", "AssociateOfArtsDegree", "AssociateOfScienceDegree", "AssociateOfAppliedArtsDegree",
    "AssociateOfAppliedScienceDegree", "BachelorOfArtsDegree", "BachelorOfScienceDegree",
    "MasterOfArtsDegree", "MasterOfScienceDegree", "ProfessionalDoctorate", "ResearchDoctorate",
    "SpecialistDegree",
    # certificates
    "AcademicCertificate", "BasicTechnicalCertificate", "CertificateOfParticipation",
    "ParticipationCertificate", "GeneralEducationLevel1Certificate", "GeneralEducationLevel2Certificate",
    "HigherEducationLevel1Certificate", "HigherEducationLevel2Certificate", "JourneymanCertificate",
    "MasterCertificate", "PostBaccalaureateCertificate", "PostMasterCertificate",
    "PreApprenticeshipCertificate", "ProfessionalCertificate", "ProficiencyCertificate",
    "SecondaryEducationCertificate", "TechnicalLevel1Certificate", "TechnicalLevel2Certificate",
    "TechnicalLevel3Certificate", "WorkBasedLearningCertificate",
    # diplomas, badges and the rest
    "Diploma", "SecondarySchoolDiploma", "GeneralEducationDevelopment", "Badge", "OpenBadge",
    "MicroCredential", "QualityAssuranceCredential",
))

# Full IRIs of CTDL terms, written back in the compact form the dictionary uses.
_CTDL_TERM_IRIS = ("https://purl.org/ctdl/terms/", "http://purl.org/ctdl/terms/",
                   "https://credreg.net/ctdl/terms/", "http://credreg.net/ctdl/terms/")

NO_CREDENTIAL = "no CTDL credential description (ceterms credential class) in the file"
NOT_JSON_LD = "a CTDL file must hold a JSON-LD object, an @graph or a list of nodes"

LANGUAGE_PREFERENCE = ("en-us", "en")

_CIP_IN_URL = re.compile(r"(?<![\d.])(\d{2}\.\d{4})(?![\d.])")
_SOC_IN_URL = re.compile(r"(?<![\d-])(\d{2}-\d{4})(?:\.\d{2})?(?![\d-])")


# --- JSON-LD plumbing -------------------------------------------------------------------------

def _as_list(value: Any) -> list[Any]:
    """JSON-LD lets any property hold one value or an array; callers always see a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _is_blank(node_id: Any) -> bool:
    """Blank node ids (`_:b0`) name a node only inside this file."""
    return isinstance(node_id, str) and node_id.startswith("_:")


def _top_level_nodes(document: Any) -> list[dict]:
    """The graph's node objects, unwrapping lists, `@graph` and Registry envelopes at any depth.

    Iterative so a pathological (but depth-limited) file cannot exhaust the Python stack.
    """
    nodes: list[dict] = []
    stack: list[Any] = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if "decoded_resource" in item:
                stack.append(item["decoded_resource"])
            elif "@graph" in item:
                stack.append(item["@graph"])
            else:
                nodes.append(item)
    return nodes


def _index_nodes(nodes: list[dict]) -> dict[str, dict]:
    """Every described node in the file by `@id`, nested ones included, so references resolve.

    A bare `{"@id": ...}` (with or without `@type`) is a reference, not a description, and is not
    indexed, so it never shadows the node it points to.
    """
    index: dict[str, dict] = {}
    stack: list[Any] = list(nodes)
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            node_id = item.get("@id")
            if isinstance(node_id, str) and set(item) - {"@id", "@type", "@context"}:
                index.setdefault(node_id, item)
            stack.extend(item.values())
    return index


def _referenced_ids(nodes: list[dict]) -> set[str]:
    """Ids that some node refers to (as an `{"@id"}` object or a blank-node string)."""
    found: set[str] = set()
    stack: list[Any] = []
    for node in nodes:
        stack.extend(v for k, v in node.items() if k not in ("@id", "@context"))
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _is_blank(item):
                found.add(item)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if isinstance(item.get("@id"), str):
                found.add(item["@id"])
            stack.extend(v for k, v in item.items() if k not in ("@id", "@context"))
    return found


def _resolve(value: Any, index: Mapping[str, dict]) -> Any:
    """A reference to a node described in the file becomes that node; anything else is unchanged."""
    if isinstance(value, str) and value in index:
        return index[value]
    if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id") in index:
        return index[value["@id"]]
    return value


def _values(node: Mapping[str, Any], prop: str, index: Mapping[str, dict]) -> list[Any]:
    """A property's values with references resolved, so nested and `@graph` forms read alike."""
    return [_resolve(v, index) for v in _as_list(node.get(prop))]


# --- text values ------------------------------------------------------------------------------

def _scalar(value: Any) -> str | None:
    """A JSON scalar as raw text; typing and judging values is validation's job, not the reader's."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _pick_language(by_language: list[tuple[str, Any]]) -> Any:
    """Choose among (language, value) pairs: en-US, then en, then the first (dictionary §3 is English)."""
    for wanted in LANGUAGE_PREFERENCE:
        for lang, value in by_language:
            if lang.lower() == wanted:
                return value
    return by_language[0][1] if by_language else None


def _text(value: Any) -> str | None:
    """Plain text of a literal: a string, a language map, a value object, or a list of those."""
    if isinstance(value, list):
        if not value:
            return None
        if all(isinstance(v, dict) and "@value" in v for v in value):
            pairs = [(str(v.get("@language") or ""), v["@value"]) for v in value]
            return _text(_pick_language(pairs))
        for v in value:
            if (t := _text(v)) is not None:
                return t
        return None
    if isinstance(value, dict):
        if "@value" in value:
            return _scalar(value["@value"])
        if "@id" in value:
            return None
        return _text(_pick_language([(str(k), v) for k, v in value.items() if not k.startswith("@")]))
    return _scalar(value)


def _iri(value: Any) -> str | None:
    """An IRI given as a string or as `{"@id": ...}` (the first of a list)."""
    for v in _as_list(value):
        if isinstance(v, dict):
            v = v.get("@id")
        if isinstance(v, str) and v:
            return v
    return None


def _node_uri(node: Any) -> str | None:
    """The node's `@id` (or the string itself), unless it is a file-local blank node id."""
    node_id = node.get("@id") if isinstance(node, dict) else node
    return node_id if isinstance(node_id, str) and node_id and not _is_blank(node_id) else None


def _prop_text(node: Mapping[str, Any], prop: str) -> str | None:
    """The text of a literal property (`ceterms:name`, `ceterms:ctid`)."""
    return _text(node.get(prop))


# --- class --------------------------------------------------------------------------------------

def _compact_type(type_name: str) -> str:
    """`ceterms:X` for a full CTDL term IRI, so dbt maps one spelling of each class."""
    for prefix in _CTDL_TERM_IRIS:
        if type_name.startswith(prefix):
            return CETERMS + type_name[len(prefix):]
    return type_name


def credential_class(node: Mapping[str, Any]) -> str | None:
    """The node's CTDL credential class, or None when it describes something else."""
    types = [_compact_type(t) for t in _as_list(node.get("@type")) if isinstance(t, str)]
    found = [t for t in types if t in CREDENTIAL_CLASSES]
    specific = [t for t in found if t != ABSTRACT_CREDENTIAL]
    return (specific or found or [None])[0]


# --- owner --------------------------------------------------------------------------------------

def _owner(node: Mapping[str, Any], index: Mapping[str, dict]) -> tuple[str | None, str | None]:
    """(uri, name) of the first owning agent, else the first offering agent."""
    for prop in ("ceterms:ownedBy", "ceterms:offeredBy"):
        agents = _values(node, prop, index)
        if agents:
            agent = agents[0]
            if isinstance(agent, dict):
                return _node_uri(agent), _prop_text(agent, "ceterms:name")
            return _node_uri(_scalar(agent)), None
    return None, None


# --- codes --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Scheme:
    """One code scheme: the property holding its alignments, the words that name it, its normalizer."""

    prop: str
    names: re.Pattern[str]
    normalize: Callable[[str, bool], str | None]  # (notation, framework names the scheme)
    in_url: re.Pattern[str] | None

    def named_by(self, alignment: Mapping[str, Any]) -> bool:
        """Whether the alignment's framework (URL or name) says it is this scheme."""
        labels = (_iri(alignment.get("ceterms:framework")), _text(alignment.get("ceterms:framework")),
                  _text(alignment.get("ceterms:frameworkName")))
        return any(self.names.search(label) for label in labels if label)


CIP = _Scheme("ceterms:instructionalProgramType",
              re.compile(r"\bcip(?:code)?\b|classification of instructional programs", re.I),
              codes.cip, _CIP_IN_URL)
SOC = _Scheme("ceterms:occupationType",
              re.compile(r"\bsoc\b|\bo\*?net\b|onetcenter|onetonline|standard occupational classification",
                         re.I),
              codes.soc, _SOC_IN_URL)
NAICS = _Scheme("ceterms:industryType",
                re.compile(r"naics|north american industry classification", re.I),
                lambda code, _trusted: codes.naics(code), None)


def _alignment_codes(node: Mapping[str, Any], scheme: _Scheme, index: Mapping[str, dict]) -> tuple[
        list[str], int]:
    """(codes, notations dropped) of a scheme's alignment objects on the node."""
    found: list[str] = []
    dropped = 0
    for alignment in _values(node, scheme.prop, index):
        if not isinstance(alignment, dict):
            continue
        trusted = scheme.named_by(alignment)
        notation = _text(alignment.get("ceterms:codedNotation"))
        if notation is not None:
            code = scheme.normalize(notation, trusted)
        elif trusted and scheme.in_url is not None:
            code = _code_in_url(_iri(alignment.get("ceterms:targetNode")), scheme.in_url)
        else:
            code = None
        if code is not None:
            found.append(code)
        elif trusted and notation is not None and notation.strip():
            dropped += 1
    return found, dropped


def _code_in_url(url: str | None, pattern: re.Pattern[str]) -> str | None:
    """A code written in the target node's URL (O*NET and CIP pages), used when no notation is given."""
    if not url:
        return None
    m = pattern.search(url)
    return m.group(1) if m else None


def _join(values: list[str]) -> str | None:
    """`;`-joined, first occurrence kept: the same code from two alignments is one code."""
    unique = list(dict.fromkeys(values))
    return ";".join(unique) if unique else None


# --- status -------------------------------------------------------------------------------------

def _status(node: Mapping[str, Any], index: Mapping[str, dict]) -> str | None:
    """Last segment of the status concept (`credentialStat:Active`, `.../credentialStat/Active`)."""
    for status in _values(node, "ceterms:credentialStatusType", index):
        target = _iri(status.get("ceterms:targetNode")) if isinstance(status, dict) else _scalar(status)
        if target:
            return re.split(r"[/:#]", target.rstrip("/"))[-1] or None
        if isinstance(status, dict) and (name := _text(status.get("ceterms:targetNodeName"))):
            return name
    return None


# --- record ------------------------------------------------------------------------------------

def credential_record(node: Mapping[str, Any], ctdl_class: str, index: Mapping[str, dict]) -> tuple[
        dict[str, str | None], int]:
    """(contract values, code notations dropped) of one credential node."""
    owner_uri, owner_name = _owner(node, index)
    cip, cip_dropped = _alignment_codes(node, CIP, index)
    soc, soc_dropped = _alignment_codes(node, SOC, index)
    naics, naics_dropped = _alignment_codes(node, NAICS, index)
    for code in _as_list(node.get("ceterms:naics")):
        text = _text(code)
        if text is None:
            continue
        if (normalized := codes.naics(text)) is not None:
            naics.append(normalized)
        elif text.strip():
            naics_dropped += 1
    values = {
        "ctid": _prop_text(node, "ceterms:ctid"),
        "credential_uri": _node_uri(node),
        "credential_name": _prop_text(node, "ceterms:name"),
        "ctdl_class": ctdl_class,
        "owner_uri": owner_uri,
        "owner_name": owner_name,
        "cip_codes": _join(cip),
        "soc_codes": _join(soc),
        "naics_codes": _join(naics),
        "credential_status": _status(node, index),
        "subject_webpage": _iri(node.get("ceterms:subjectWebpage")),
    }
    return values, cip_dropped + soc_dropped + naics_dropped


def credential_nodes(document: Any) -> tuple[list[tuple[dict, str]], dict[str, dict]]:
    """The (node, class) pairs that are records, in file order, and the file's node index."""
    if not isinstance(document, (dict, list)):
        raise StructuralError(NOT_JSON_LD)
    nodes = _top_level_nodes(document)
    index = _index_nodes(nodes)
    referenced = _referenced_ids(nodes)
    found = []
    for node in nodes:
        ctdl_class = credential_class(node)
        if ctdl_class is None:
            continue
        if _is_blank(node.get("@id")) and node["@id"] in referenced:
            continue  # a flattened nested description (e.g. a prerequisite credential), not a record
        found.append((node, ctdl_class))
    if not found:
        raise StructuralError(NO_CREDENTIAL)
    return found, index


def read_ctdl(path: Path, contract: Contract, ctx: ReadContext) -> Iterator[pa.RecordBatch]:
    """One raw record per CTDL credential description in the file (see the module docstring)."""
    document = load_json(path, ctx.max_json_depth)
    found, index = credential_nodes(document)
    columns = contract.column_names
    records = []
    dropped = 0
    for ordinal, (node, ctdl_class) in enumerate(found, start=1):
        values, node_dropped = credential_record(node, ctdl_class, index)
        dropped += node_dropped
        records.append((ordinal, values, None))
    if dropped:
        ctx.warnings.append(
            f"{dropped} CIP/SOC/NAICS coded notation(s) that do not normalize (CIP NN.NNNN, SOC NN-NNNN, "
            "NAICS 2-6 digits) were left out of the code lists"
        )
    yield from records_to_batches(columns, records)
