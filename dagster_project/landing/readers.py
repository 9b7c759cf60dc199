"""Which reader turns a layout's files into raw records: the one its contract names.

A contract's `reader` is a dotted `package.module:function` name, resolved here on first use (so the
contracts can name readers that live anywhere on the path). A reader has the `Reader` signature and
yields raw-text record batches (`records.py`); a `fast_reader` (`FastReader`), when the contract
names one, is tried first and may decline by returning None.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import duckdb
import pyarrow as pa

from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import Contract, ContractError

Reader = Callable[[Path, Contract, ReadContext], Iterator[pa.RecordBatch]]
# (connection, target table, file index, path, contract, context) -> rows appended, or None to decline
FastReader = Callable[[duckdb.DuckDBPyConnection, str, int, Path, Contract, ReadContext], int | None]


@runtime_checkable
class BatchFastReader(Protocol):
    """A `FastReader` that can also read a batch's files in one pass (`batch.PendingBatch`): `accept`
    a file (its header checked; None: read it alone), then `load` the accepted ones, getting the
    records of each file it read by file index (a declined file is absent and has no row)."""

    def accept(self, file_idx: int, path: Path, contract: Contract, warnings: list[str]) -> Any: ...

    def load(
        self, con: duckdb.DuckDBPyConnection, target: str, files: Sequence[Any], contract: Contract
    ) -> dict[int, int]: ...


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
