"""State LER data warehouse: landing-zone ingestion, dbt models and Dagster orchestration."""
