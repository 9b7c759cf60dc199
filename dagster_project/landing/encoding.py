"""Text encodings of submitted files (docs/submission_manual.md §1): UTF-8 with or without BOM, else
Windows-1252.

Institutions export from Excel and old student systems; a careful office reads what it can and says
what it did, rather than rejecting a file over its encoding.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from dagster_project.landing.records import StructuralError

_CHUNK = 1 << 20
_SNIFF = 1 << 16


@dataclass(frozen=True)
class TextEncoding:
    codec: str  # name for open(..., encoding=codec)
    warning: str | None  # recorded in the load manifest when not plain UTF-8


def detect_text_encoding(path: Path) -> TextEncoding:
    """Choose how to decode a text submission; raise StructuralError for binary content.

    UTF-16 needs a BOM (it is the one way to tell it apart); UTF-8 is verified over the whole file
    with an incremental decoder (C speed, constant memory); anything else is tried as Windows-1252,
    whose five undefined bytes make a file unreadable.
    """
    with path.open("rb") as fh:
        head = fh.read(_SNIFF)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return TextEncoding("utf-16", "file is UTF-16; accepted, but UTF-8 is the documented encoding")
    if b"\x00" in head:
        raise StructuralError("binary content (NUL bytes): not a text file")
    if _decodes(path, "utf-8"):
        return TextEncoding("utf-8-sig", None)
    if _decodes(path, "cp1252"):
        return TextEncoding("cp1252", "not valid UTF-8; read as Windows-1252")
    raise StructuralError("unreadable encoding: neither UTF-8 nor Windows-1252")


def _decodes(path: Path, codec: str) -> bool:
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                if b"\x00" in chunk:
                    raise StructuralError("binary content (NUL bytes): not a text file")
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
