"""What a format reader may know besides its file: the provider directory and a few limits."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


def _digits(code: str | None) -> str | None:
    if code is None:
        return None
    text = "".join(ch for ch in str(code) if ch.isdigit())
    return text or None


@dataclass(frozen=True)
class ProviderDirectory:
    """Lookups from the identifiers other standards use to our `provider_id`.

    FICE codes are compared as 6 digits and OPEIDs as 8 digits (a 6-digit OPEID means the main
    campus, branch `00`), because senders drop or keep leading zeros at will.
    """

    by_fice: Mapping[str, str] = field(default_factory=dict)
    by_opeid: Mapping[str, str] = field(default_factory=dict)
    by_badge_issuer: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str | None]]) -> ProviderDirectory:
        fice, opeid, issuer = {}, {}, {}
        for row in rows:
            pid = row.get("provider_id")
            if not pid:
                continue
            if (f := cls.fice_key(row.get("fice"))) is not None:
                fice[f] = pid
            if (o := cls.opeid_key(row.get("opeid"))) is not None:
                opeid[o] = pid
            if row.get("badge_issuer_id"):
                issuer[str(row["badge_issuer_id"]).strip()] = pid
        return cls(fice, opeid, issuer)

    def fingerprint(self) -> str:
        """A digest of every lookup, so a cached file is judged again when the directory changes."""
        maps = (self.by_fice, self.by_opeid, self.by_badge_issuer)
        return hashlib.sha256(json.dumps([sorted(m.items()) for m in maps]).encode()).hexdigest()

    @staticmethod
    def fice_key(code: str | None) -> str | None:
        d = _digits(code)
        return d.zfill(6) if d else None

    @staticmethod
    def opeid_key(code: str | None) -> str | None:
        d = _digits(code)
        if not d:
            return None
        return (d.zfill(6) + "00") if len(d) <= 6 else d.zfill(8)

    def provider_for_fice(self, code: str | None) -> str | None:
        key = self.fice_key(code)
        return self.by_fice.get(key) if key else None

    def provider_for_opeid(self, code: str | None) -> str | None:
        key = self.opeid_key(code)
        return self.by_opeid.get(key) if key else None

    def provider_for_issuer(self, issuer_id: str | None) -> str | None:
        return self.by_badge_issuer.get(issuer_id.strip()) if issuer_id else None


@dataclass
class ReadContext:
    """Passed to every reader. Readers append file-level notes to `warnings` (never row values).

    A contract lists in `depends_on` the other fields its reader reads; the file cache keys a cached
    file on exactly those (a test watches each reader's reads).
    """

    providers: ProviderDirectory = field(default_factory=ProviderDirectory)
    icesa_layout: Path | None = None
    max_json_depth: int = 64
    run_date: date = field(default_factory=date.today)
    warnings: list[str] = field(default_factory=list)
