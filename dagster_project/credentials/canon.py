"""The two transformations a proof hashes: RDF Dataset Canonicalization and JSON Canonicalization.

- RDFC-1.0 (the W3C standard that PyLD calls URDNA2015) for `eddsa-rdfc-2022`, its pre-standard
  name `eddsa-2022`, and `Ed25519Signature2020`: the credential is read as JSON-LD with the bundled
  contexts only (`loader.py`) and written as canonical N-Quads.
- JCS (RFC 8785) for `eddsa-jcs-2022`: the JSON itself, keys sorted, numbers in one form.

JSON-LD silently drops a property that none of the document's contexts defines, so a signature over
the canonical form would not cover it: anyone could add such a property to a signed credential
without breaking the signature. Like JSON-LD "safe mode" (which the Data Integrity specification
recommends), a dropped property is an error here (`Untransformable`), never ignored.
"""

from __future__ import annotations

import re
from typing import Any

import rfc8785
from pyld import jsonld

from dagster_project.credentials.loader import jsonld_options, missing_context

_SAFE_TERM = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,60}$")


class Untransformable(Exception):
    """The document cannot be canonicalized; `reason` is a plain sentence (no values but context URLs).

    `invalid` tells a broken document (a property no context defines, JSON-LD that is not valid: no
    signature can vouch for it) from one that merely cannot be read offline (an unbundled context).
    """

    def __init__(self, reason: str, invalid: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.invalid = invalid


class _Dropped(Exception):
    def __init__(self, term: str | None) -> None:
        super().__init__(term)
        self.term = term


def _raise_dropped(term: str | None) -> None:
    raise _Dropped(term)


def rdfc(document: dict[str, Any]) -> str:
    """Canonical N-Quads of a JSON-LD document (RDFC-1.0), or Untransformable."""
    if "@context" not in document:
        raise Untransformable("the document has no @context, so it cannot be read as JSON-LD", True)
    options = {**jsonld_options(), "algorithm": "URDNA2015", "format": "application/n-quads"}
    try:
        return jsonld.JsonLdProcessor(on_property_dropped=_raise_dropped).normalize(document, options)
    except _Dropped as dropped:
        term = dropped.term if isinstance(dropped.term, str) and _SAFE_TERM.match(dropped.term) else None
        named = f"the property {term!r}" if term else "a property"
        raise Untransformable(f"{named} is not defined by the document's @context, so no signature "
                              "covers it", True) from None
    except jsonld.JsonLdError as exc:
        url = missing_context(exc)
        if url is not None:
            raise Untransformable(f"the JSON-LD context {url} is not bundled (contexts are never "
                                  "fetched)", False) from None
        raise Untransformable("the document is not valid JSON-LD", True) from None
    except RecursionError:
        raise Untransformable("the document is nested too deeply to canonicalize", False) from None


def jcs(value: Any) -> bytes:
    """RFC 8785 canonical JSON bytes, or Untransformable (e.g. a number JSON cannot carry exactly)."""
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        raise Untransformable("the document holds a value JSON canonicalization cannot write", True) from None
