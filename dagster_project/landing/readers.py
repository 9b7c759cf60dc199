"""Which reader turns a layout's files into raw records."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa

from dagster_project.landing.context import ReadContext
from dagster_project.landing.contracts import Contract
from dagster_project.landing.formats import csv_layout, ctdl, icesa, openbadges, pesc

Reader = Callable[[Path, Contract, ReadContext], Iterator[pa.RecordBatch]]

READERS: dict[str, Reader] = {
    "transcript_csv": csv_layout.read_csv_layout,
    "noncredit_csv": csv_layout.read_csv_layout,
    "wage_csv": csv_layout.read_csv_layout,
    "providers": csv_layout.read_csv_layout,
    "programs": csv_layout.read_csv_layout,
    "in_demand_occupations": csv_layout.read_csv_layout,
    "pesc_xml": pesc.read_pesc,
    "clr_json": openbadges.read_clr,
    "ob3_json": openbadges.read_ob3,
    "icesa": icesa.read_icesa,
    "ctdl_json": ctdl.read_ctdl,
}
