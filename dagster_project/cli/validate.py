"""`ler validate FILE`: check one submission file the way the pipeline would, without loading it
(docs/submission_manual.md §5); exits 1 when the file would be quarantined."""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import tempfile
from pathlib import Path

from dagster_project.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail
from dagster_project.landing.registry import Registry
from dagster_project.settings import Settings


def register(sub: argparse._SubParsersAction, registry: Registry) -> None:
    validate = sub.add_parser("validate", help="check one submission file without loading it")
    validate.add_argument("file", type=Path)
    validate.add_argument(
        "--kind",
        choices=registry.kinds,
        help="source kind (default: the name of the file's folder)",
    )
    validate.add_argument(
        "--reference",
        type=Path,
        help="folder with providers.csv / programs.csv to check codes against "
        "(default: LER_LANDING_DIR/reference when set)",
    )
    validate.set_defaults(handler=execute)


def execute(args: argparse.Namespace, registry: Registry) -> int:
    from dagster_project.landing.contracts import REFERENCE_KIND
    from dagster_project.landing.ingest import QUARANTINED, ingest_kind

    path: Path = args.file.resolve()
    if not path.is_file():
        return fail("validate", f"{path} is not a file", EXIT_USAGE)
    kind = args.kind or path.parent.name
    if kind not in registry.kinds:
        return fail("validate", "cannot tell the kind from the folder name; pass --kind", EXIT_USAGE)
    reference = args.reference
    if reference is None and os.environ.get("LER_LANDING_DIR"):
        reference = Path(os.environ["LER_LANDING_DIR"]) / REFERENCE_KIND
    layout = registry.classify(kind, path)

    with tempfile.TemporaryDirectory(prefix="ler-validate-") as tmp:
        landing, warehouse = Path(tmp) / "landing", Path(tmp) / "warehouse"
        (landing / kind).mkdir(parents=True)
        (landing / kind / path.name).symlink_to(path)
        has_reference = kind == REFERENCE_KIND or (reference is not None and reference.is_dir())
        if kind != REFERENCE_KIND and has_reference:
            shutil.copytree(reference, landing / REFERENCE_KIND, symlinks=True)
        env = {k: v for k, v in os.environ.items() if k.startswith("LER_") and k != "LER_HASH_KEY"}
        settings = Settings.load(
            {"landing_dir": landing, "warehouse_dir": warehouse, "hash_key": secrets.token_hex(32)},
            environ=env,
            sample=False,
        )
        quiet = lambda _msg: None  # noqa: E731 - the report below says it all
        if kind != REFERENCE_KIND:
            ingest_kind(REFERENCE_KIND, settings, warn=quiet, registry=registry)
        report = ingest_kind(kind, settings, warn=quiet, check_references=has_reference, registry=registry)
        result = next(r for r in report.files if r.file.name == path.name)
        rejects = _rejected_rows(warehouse, kind)

    print(f"{path.name}: {result.status} ({layout.layout if layout else 'unsupported type'})")
    c = result.counts
    print(
        f"  rows read {c.rows_read}, would load {c.rows_loaded}, rejected {c.rows_rejected}, "
        f"exact duplicates {c.rows_duplicate}"
    )
    if result.message:
        print(f"  {result.message}")
    if not has_reference:
        print(
            "  note: no reference folder given, so provider and program codes were not checked "
            "(pass --reference DIR or set LER_LANDING_DIR)"
        )
    for line, reason in rejects:
        print(f"  line {line}: {reason}")
    return EXIT_FAILED if result.status == QUARANTINED else EXIT_OK


def _rejected_rows(warehouse: Path, kind: str) -> list[tuple[int, str]]:
    import duckdb

    parquet = warehouse / "lake" / "_audit" / f"rejected_rows__{kind}.parquet"
    if not parquet.exists():
        return []
    con = duckdb.connect()
    try:
        return con.execute(
            "select line_number, reason from read_parquet(?) order by line_number", [str(parquet)]
        ).fetchall()
    finally:
        con.close()
