"""The offline JSON-LD document loader: bundled contexts only, never the network.

JSON-LD canonicalization needs every `@context` the credential names. A loader that fetched them
would let any submitted file make the warehouse reach out to a URL of the sender's choosing (and
would make a proof's verdict depend on what a server answers today), so the loader serves only the
files in `contexts/` (`contexts/index.json` maps each URL to its file; `contexts/NOTICE.md` says where
each came from and under which license) and raises `UnknownContext` for any other URL.

PyLD is always given this loader and its own context cache explicitly: its global default loader
would use the network.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from pyld.context_resolver import ContextResolver

CONTEXTS_DIR = Path(__file__).parent / "contexts"
INDEX_FILE = CONTEXTS_DIR / "index.json"


class UnknownContext(Exception):
    """A document names a context that is not bundled; `url` is the context's URL (not PII)."""

    def __init__(self, url: str) -> None:
        super().__init__(f"the JSON-LD context {url} is not bundled (contexts are never fetched)")
        self.url = url


@cache
def context_index() -> dict[str, str]:
    """URL -> file name under contexts/."""
    return json.loads(INDEX_FILE.read_text(encoding="utf-8"))


@cache
def _document(url: str) -> Any:
    return json.loads((CONTEXTS_DIR / context_index()[url]).read_text(encoding="utf-8"))


def _key(url: str) -> str:
    """The index key of a URL: trailing `#` fragments and surrounding blanks do not name another file."""
    return url.strip().split("#", 1)[0]


def is_bundled(url: str) -> bool:
    return isinstance(url, str) and _key(url) in context_index()


def load_document(url: str, options: dict | None = None) -> dict[str, Any]:
    """PyLD document loader: the bundled copy of `url`, else UnknownContext."""
    if not is_bundled(url):
        raise UnknownContext(url if isinstance(url, str) else repr(url))
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": _document(_key(url)),
        "tag": "static",  # lets PyLD keep the resolved context in the shared cache
    }


class _BoundedCache(dict):
    """PyLD's shared cache of resolved contexts (it needs `get` and item assignment). Bundled
    contexts never change, so they are resolved once per process; inline contexts of submitted
    files are cached too, so the cache is emptied when it grows past a few hundred entries."""

    LIMIT = 256

    def __setitem__(self, key: Any, value: Any) -> None:
        if len(self) >= self.LIMIT:
            self.clear()
        super().__setitem__(key, value)


_CACHE = _BoundedCache()


def jsonld_options() -> dict[str, Any]:
    """Options for every PyLD call: this loader, a context cache of our own, JSON-LD 1.1."""
    return {
        "documentLoader": load_document,
        "contextResolver": ContextResolver(_CACHE, load_document),
        "processingMode": "json-ld-1.1",
    }


def missing_context(exc: BaseException) -> str | None:
    """The URL of the unbundled context behind a PyLD error, if that is what it was."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, UnknownContext):
            return current.url
        stack.extend([current.__cause__, current.__context__])
        details = getattr(current, "details", None)
        if isinstance(details, dict):
            stack.extend(v for v in details.values() if isinstance(v, BaseException))
    return None
