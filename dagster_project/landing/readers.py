"""Which reader turns a layout's files into raw records: the one its contract names.

A contract's `reader` is a dotted `package.module:function` name, resolved here on first use (so the
contracts can name readers that live anywhere on the path). A reader has the `Reader` signature and
yields raw-text record batches (`records.py`); a `fast_reader` (`FastReader`), when the contract
names one, is tried first and may decline by returning None.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa

from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import Contract, ContractError

Reader = Callable[[Path, Contract, ReadContext], Iterator[pa.RecordBatch]]
# (connection, target table, file index, path, contract, context) -> rows appended, or None to decline
FastReader = Callable[[duckdb.DuckDBPyConnection, str, int, Path, Contract, ReadContext], int | None]


@cache
def resolve(name: str) -> Callable:
    """The function a `package.module:function` name refers to."""
    module, _, function = name.partition(":")
    try:
        found = getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError) as exc:
        raise ContractError(f"reader {name!r} cannot be found ({exc})") from None
    if not callable(found):
        raise ContractError(f"reader {name!r} is not a function")
    return found


def reader_for(c: Contract) -> Reader:
    return resolve(c.reader)


def fast_reader_for(c: Contract) -> FastReader | None:
    return resolve(c.fast_reader) if c.fast_reader else None
