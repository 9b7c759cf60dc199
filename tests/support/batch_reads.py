"""Count the batch reads of the CSV fast reader (csv_fast.CsvFastReader.load) in a test."""

from __future__ import annotations

import pytest

from dagster_project.landing.formats import csv_fast


def count_batch_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of files of each `CsvFastReader.load` call from now on, in call order."""
    calls: list[int] = []
    load = csv_fast.CsvFastReader.load

    def counting_load(self, con, target, files, contract):  # noqa: ANN001, ANN202
        calls.append(len(files))
        return load(self, con, target, files, contract)

    monkeypatch.setattr(csv_fast.CsvFastReader, "load", counting_load)
    return calls
