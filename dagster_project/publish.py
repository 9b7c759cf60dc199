"""Moved to the package `dagster_project.publication`; this name stays until its importers
(`assets/publish.py`, `tests/bench/run_bench.py`) are switched over."""

from dagster_project.publication import PUBLISHED_SCHEMA, PublishResult, publish

__all__ = ["PUBLISHED_SCHEMA", "PublishResult", "publish"]
