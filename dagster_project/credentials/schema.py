"""The 1EdTech JSON Schemas (draft 2019-09) of OB 3.0 and CLR 2.0 credentials, bundled and offline.

The schemas are the published purl.imsglobal.org files (`schemas/NOTICE.md`); each is
self-contained (`#/$defs/...` references only), so validation never fetches anything. A credential
is checked against the schema of its most specific type; a type without a 1EdTech schema is not
checked. Problems are reported as the JSON path and the rule that failed, never the value there
(a credential holds names and identifiers).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator

SCHEMAS_DIR = Path(__file__).parent / "schemas"
CLR_SCHEMA = "clr_v2p0_clrcredential_schema.json"
ACHIEVEMENT_SCHEMA = "ob_v3p0_achievementcredential_schema.json"
ENDORSEMENT_SCHEMA = "ob_v3p0_endorsementcredential_schema.json"
# Most specific type first: a ClrCredential is checked as one even if it also says AchievementCredential.
SCHEMA_BY_TYPE = (
    ("ClrCredential", CLR_SCHEMA),
    ("AchievementCredential", ACHIEVEMENT_SCHEMA),
    ("OpenBadgeCredential", ACHIEVEMENT_SCHEMA),
    ("EndorsementCredential", ENDORSEMENT_SCHEMA),
)
MAX_PROBLEMS = 5
_SAFE_KEY = re.compile(r"^[A-Za-z@][A-Za-z0-9_@]{0,60}$")


@dataclass(frozen=True)
class SchemaResult:
    schema: str | None  # file name of the schema used, None when the type has none
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.schema is not None and not self.problems


@cache
def validator(name: str) -> Draft201909Validator:
    schema = json.loads((SCHEMAS_DIR / name).read_text(encoding="utf-8"))
    return Draft201909Validator(schema)


def schema_for(credential: Mapping[str, Any]) -> str | None:
    types = credential.get("type")
    types = types if isinstance(types, list) else [types]
    for kind, name in SCHEMA_BY_TYPE:
        if kind in types:
            return name
    return None


def _path(parts: Any) -> str:
    out = []
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        else:
            out.append(("." if out else "") + (part if _SAFE_KEY.match(str(part)) else "<key>"))
    return "".join(out) or "(the credential)"


def _describe(error: Any) -> str:
    """Where and which rule, with the schema's own words for `required` (property names), no value."""
    where = _path(error.absolute_path)
    if error.validator == "required":
        missing = [p for p in error.validator_value if isinstance(p, str) and p not in error.instance]
        names = ", ".join(repr(p) for p in missing if _SAFE_KEY.match(p)) or "a required property"
        return f"{where}: missing {names}"
    return f"{where}: breaks the schema's {error.validator!r} rule"


def check_schema(credential: Mapping[str, Any], name: str | None = None) -> SchemaResult:
    """Validate against the named schema, or the one for the credential's type."""
    name = name or schema_for(credential)
    if name is None:
        return SchemaResult(None, ())
    errors = sorted(validator(name).iter_errors(credential), key=lambda e: list(map(str, e.absolute_path)))
    problems = tuple(dict.fromkeys(_describe(e) for e in errors))
    if len(problems) > MAX_PROBLEMS:
        problems = (*problems[:MAX_PROBLEMS], f"and {len(problems) - MAX_PROBLEMS} more")
    return SchemaResult(name, problems)
