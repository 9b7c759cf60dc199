"""Dagster assets: landing-zone ingestion, the dbt project, and the atomic publish."""
