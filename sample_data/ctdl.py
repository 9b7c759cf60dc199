"""Credential Engine CTDL JSON-LD descriptions (reference/*.json, docs/submission_manual.md §1, §3).

Two shapes the reader must accept: a single credential object, and an `@graph` holding the
credential plus its owning organization. Their `ceterms:ctid` values are the `credential_ctid`
written on the institute's noncredit rows, so the catalog can be joined to the registry.
"""

from __future__ import annotations

import json
from typing import Any

from sample_data.catalog import PROVIDER_BY_ID, Program, program
from sample_data.landing import LandingWriter
from sample_data.timeline import REFERENCE_MTIME

CONTEXT = "https://credreg.net/ctdl/schema/context/json"
RESOURCE = "https://credentialfinder.example.org/resources/"
CTDL_CLASS = {"NC_CERT": "ceterms:CertificateOfCompletion", "IND_CERT": "ceterms:Certification"}
PRIMARY_NAICS = {"PHARMTECH": "456110", "CYBER": "541512"}

Json = dict[str, Any]


def lang(text: str) -> Json:
    return {"en-US": text}


def alignment(framework: str, framework_name: str, code: str, name: str) -> Json:
    return {"@type": "ceterms:CredentialAlignmentObject", "ceterms:framework": framework,
            "ceterms:frameworkName": lang(framework_name), "ceterms:codedNotation": code,
            "ceterms:targetNodeName": lang(name)}


def organization_uri(provider_id: str) -> str:
    return f"{RESOURCE}org-{provider_id.lower()}"


def credential_node(prog: Program, occupation_titles: dict[str, str]) -> Json:
    return {
        "@id": RESOURCE + prog.ctid,
        "@type": CTDL_CLASS[prog.level],
        "ceterms:ctid": prog.ctid,
        "ceterms:name": lang(prog.name),
        "ceterms:description": lang(f"{prog.name}: {prog.clock_hours} clock hours over {prog.weeks} weeks, "
                                    "with an industry-recognized assessment at the end."),
        "ceterms:ownedBy": [organization_uri(prog.provider_id)],
        "ceterms:offeredBy": [organization_uri(prog.provider_id)],
        "ceterms:subjectWebpage": f"https://www.example.org/programs/{prog.program_id.lower()}",
        "ceterms:credentialStatusType": {
            "@type": "ceterms:CredentialAlignmentObject",
            "ceterms:framework": "https://credreg.net/ctdl/terms/CredentialStatus",
            "ceterms:targetNode": "credentialStat:Active",
            "ceterms:targetNodeName": lang("Active"),
        },
        "ceterms:instructionalProgramType": [
            alignment("https://nces.ed.gov/ipeds/cipcode/", "Classification of Instructional Programs",
                      prog.cip, prog.name)],
        "ceterms:occupationType": [
            alignment("https://www.bls.gov/soc/", "Standard Occupational Classification", soc,
                      occupation_titles.get(soc, soc)) for soc in prog.soc_codes],
        "ceterms:industryType": [
            alignment("https://www.census.gov/naics/", "North American Industry Classification System",
                      PRIMARY_NAICS[prog.program_id], "Primary employer industry")],
        "ceterms:inLanguage": ["en"],
    }


def organization_node(provider_id: str) -> Json:
    prov = PROVIDER_BY_ID[provider_id]
    return {"@id": organization_uri(provider_id), "@type": "ceterms:CredentialOrganization",
            "ceterms:name": lang(prov.name), "ceterms:subjectWebpage": prov.badge_issuer_id or RESOURCE}


def dump(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_ctdl(out: LandingWriter, occupation_titles: dict[str, str]) -> None:
    """PHARMTECH as a single object; CYBER as an @graph with its owning organization."""
    pharm = program("SWI", "PHARMTECH")
    single = {"@context": CONTEXT, **credential_node(pharm, occupation_titles)}
    out.write("reference", "ctdl_swi_pharmacy_technician.json", dump(single), REFERENCE_MTIME)
    cyber = program("SWI", "CYBER")
    graph = {"@context": CONTEXT, "@id": RESOURCE + cyber.ctid + "/graph",
             "@graph": [credential_node(cyber, occupation_titles), organization_node("SWI")]}
    out.write("reference", "ctdl_swi_cybersecurity_graph.json", dump(graph), REFERENCE_MTIME)
