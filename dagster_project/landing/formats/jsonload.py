"""Load a JSON submission safely: bounded nesting depth, clear structural errors (docs/submission_manual.md
§5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dagster_project.landing.records import StructuralError


def json_depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0, `[]` and `{}` are 1), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            depth += 1
            stack.extend((v, depth) for v in node.values())
        elif isinstance(node, list):
            depth += 1
            stack.extend((v, depth) for v in node)
        deepest = max(deepest, depth)
    return deepest


def load_json(path: Path, max_depth: int) -> Any:
    """Parse a JSON file (UTF-8, UTF-16 or UTF-32, BOM allowed) or raise StructuralError."""
    raw = path.read_bytes()
    if not raw.strip():
        raise StructuralError("empty file")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        value = json.loads(raw)
    except RecursionError:
        raise StructuralError(f"JSON nested deeper than {max_depth} levels") from None
    except UnicodeDecodeError:
        raise StructuralError("unreadable encoding: JSON must be UTF-8, UTF-16 or UTF-32") from None
    except json.JSONDecodeError as exc:
        raise StructuralError(f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if json_depth(value) > max_depth:
        raise StructuralError(f"JSON nested deeper than {max_depth} levels")
    return value
