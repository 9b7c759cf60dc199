"""The feedback asset: every provider's feedback about its submissions, written with each run into the
restricted area `<warehouse>/feedback/` (dagster_project/feedback, docs/feedback.md).

It depends on exactly the warehouse tables the feedback reads, so it runs once dbt has built them and
independently of the publication (a provider's feedback is not published).
"""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from dagster_project.feedback.data import SOURCE_TABLES
from dagster_project.resources import LerSettingsResource


@asset(
    key=AssetKey(["feedback"]),
    deps=[AssetKey(table.split(".")) for table in SOURCE_TABLES],
    group_name="feedback",
    kinds={"html", "csv"},
    description="Each provider's feedback (feedback/<provider>/feedback.html and CSV files, restricted): "
    "files received with status and why, rejected rows by field and reason with line numbers, unmapped "
    "codes, learners without a valid SSN, the change since its previous submission; only its own "
    "records, no personal data. feedback/unattributed_files.csv lists the files nobody could be told "
    "from, for the data office.",
)
def provider_feedback(context: AssetExecutionContext, ler_settings: LerSettingsResource) -> MaterializeResult:
    from dagster_project.credentials.warehouse import open_read_only
    from dagster_project.feedback.write import feedback_root, write_all

    settings = ler_settings.load()
    con = open_read_only(settings.warehouse_dir)
    try:
        result = write_all(con, settings.warehouse_dir)
    finally:
        con.close()
    folder = feedback_root(settings.warehouse_dir)
    context.log.info(f"feedback for {len(result.providers)} provider(s) in {folder}")
    return MaterializeResult(
        metadata={
            "folder": str(folder),
            "providers": len(result.providers),
            "unattributed_files": result.unattributed_files,
            "files_quarantined": sum(w.feedback.metrics["files_quarantined"] for w in result.providers),
        }
    )
