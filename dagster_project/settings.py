"""Run settings: every threshold and location comes from a `LER_*` environment variable or a CLI flag.

One registry (`SETTINGS`) names each setting once, with its environment variable, its default from
the contract (docs/submission_manual.md, docs/reporting_rules.md), and the dbt var it feeds, so the
spec's defaults live in exactly one place in Python
(dbt_project.yml repeats them as var defaults for `dbt` run by hand; a test keeps the two equal).
dbt_project.yml's other vars are rule constants the spec fixes (`RULE_CONSTANT_VARS`), not settings.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.project_paths import DEFAULT_ICESA_LAYOUT, SAMPLE_LANDING_DIR

# The documented, public demo key used only by the sample-data run (docs/submission_manual.md §4). It protects
# nothing: sample data is synthetic. Real runs must set LER_HASH_KEY.
DEMO_HASH_KEY = "ler-sample-data-demo-key-not-secret"
# The shortest LER_HASH_KEY a run accepts (docs/submission_manual.md §4). Only 10^9 SSNs exist, so a
# short or guessable secret would let anyone holding a key table try them all; 32 characters is the
# spec's floor. A rule the spec fixes, not a setting: no variable may lower it.
MIN_HASH_KEY_LENGTH = 32
# dbt threads of the warehouse build. Measured 2026-12-01 on the 2-core machine (hand-built state,
# `dbt build` with a seeded partial parse, 4 runs each, medians): 1 thread 35 s of dbt execution,
# 2 threads 26 s, 4 threads 23 s; most of a node's cost is dbt's Python, which a thread waiting on
# DuckDB leaves to another. dbt/profiles.yml has the same default for dbt run by hand.
DBT_THREADS_DEFAULT = 4
# DuckDB's memory limit of ingestion, the operational checks and the dbt build (dbt/profiles.yml
# `config_options`, from LER_DUCKDB_MEMORY_LIMIT, which every run passes to dbt). DuckDB's own default is
# 80 % of the machine, which on a 24 GB machine shared with other work let a state-size dbt build
# reach 21 GB (issue 10); past the limit DuckDB spills to its temp folder. Ingestion and dbt run one
# after the other, so two of these plus Python stay under the 8 GB target.
DUCKDB_MEMORY_LIMIT_DEFAULT = "3GB"
# The wage freshness check's allowed lag (docs/reporting_rules.md §9, "Operational checks"): employers
# report a quarter's wages by the end of the month after it and the UI agency passes them on after
# its own edits, so a warehouse normally holds wage data through one or two quarters before the
# calendar quarter of the run (on 2 December: Q3, or Q2 early in the cycle). Three or more is late.
WAGE_FRESHNESS_LAG_DEFAULT = 2

# What builds the warehouse (issue 13, docs/spark.md): DuckDB, the default, or the same dbt project on
# Spark (dbt-spark's session method, the `spark` extra); the first is the dbt target `warehouse`.
ENGINES = ("duckdb", "spark")


@dataclass(frozen=True)
class Setting:
    name: str  # attribute name on Settings
    env: str  # environment variable
    default: object
    kind: type  # int, float, str, Path
    dbt_var: str | None  # namespaced dbt var it feeds, if any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("landing_dir", "LER_LANDING_DIR", None, Path, None, "landing zone folder (§1)"),
    Setting("warehouse_dir", "LER_WAREHOUSE_DIR", Path("warehouse"), Path, None, "output folder (§9)"),
    Setting(
        "keep_publications",
        "LER_KEEP_PUBLICATIONS",
        7,
        int,
        None,
        "publications kept readable under publications/, at least 1 (§9)",
    ),
    Setting(
        "wage_lag_quarters",
        "LER_WAGE_LAG_QUARTERS",
        0,
        int,
        "ler:wage_lag_quarters",
        "quarters subtracted from the latest loaded wage quarter (§6)",
    ),
    Setting(
        "min_annual_earnings",
        "LER_MIN_ANNUAL_EARNINGS",
        15080.0,
        float,
        "ler:min_annual_earnings",
        "labour-force attachment threshold in dollars (§6)",
    ),
    Setting(
        "vae_min_n",
        "LER_VAE_MIN_N",
        16,
        int,
        "ler:wpell:vae_min_n",
        "minimum year-3 earners for value-added earnings (§7.1)",
    ),
    Setting(
        "min_cohort",
        "LER_MIN_COHORT",
        10,
        int,
        "ler:wpell:min_cohort",
        "minimum denominator for a Workforce Pell rate (§7.1)",
    ),
    Setting("min_cell", "LER_MIN_CELL", 10, int, "ler:min_cell", "suppression minimum cell (§8)"),
    Setting(
        "wpell_min_clock_hours",
        "LER_WPELL_MIN_CLOCK_HOURS",
        150,
        int,
        "ler:wpell:min_clock_hours",
        "shortest eligible program, clock hours (§7.1)",
    ),
    Setting(
        "wpell_max_clock_hours",
        "LER_WPELL_MAX_CLOCK_HOURS",
        599,
        int,
        "ler:wpell:max_clock_hours",
        "longest eligible program, clock hours (§7.1)",
    ),
    Setting(
        "wpell_min_weeks",
        "LER_WPELL_MIN_WEEKS",
        8,
        int,
        "ler:wpell:min_weeks",
        "shortest eligible program, weeks (§7.1)",
    ),
    Setting(
        "wpell_max_weeks_exclusive",
        "LER_WPELL_MAX_WEEKS_EXCLUSIVE",
        15,
        int,
        "ler:wpell:max_weeks_exclusive",
        "eligible programs are shorter than this many weeks (§7.1)",
    ),
    Setting(
        "wpell_completion_threshold",
        "LER_WPELL_COMPLETION_THRESHOLD",
        0.70,
        float,
        "ler:wpell:completion_threshold",
        "minimum completion rate (§7.1)",
    ),
    Setting(
        "wpell_placement_threshold",
        "LER_WPELL_PLACEMENT_THRESHOLD",
        0.70,
        float,
        "ler:wpell:placement_threshold",
        "minimum placement rate (§7.1)",
    ),
    Setting(
        "wpell_normal_time_factor",
        "LER_WPELL_NORMAL_TIME_FACTOR",
        1.5,
        float,
        "ler:wpell:normal_time_factor",
        "completion window as a multiple of normal time (§7.1)",
    ),
    Setting(
        "poverty_multiplier",
        "LER_POVERTY_MULTIPLIER",
        1.5,
        float,
        "ler:wpell:poverty_multiplier",
        "value-added earnings subtract this multiple of the poverty guideline (§7.1)",
    ),
    Setting(
        "max_reject_rate",
        "LER_MAX_REJECT_RATE",
        0.10,
        float,
        None,
        "a file with a larger share of rejected rows is quarantined (§5)",
    ),
    Setting(
        "max_field_length", "LER_MAX_FIELD_LENGTH", 1000, int, None, "a longer field rejects its row (§5)"
    ),
    Setting("max_json_depth", "LER_MAX_JSON_DEPTH", 64, int, None, "deeper JSON is quarantined (§5)"),
    Setting(
        "wage_freshness_lag_quarters",
        "LER_WAGE_FRESHNESS_LAG_QUARTERS",
        WAGE_FRESHNESS_LAG_DEFAULT,
        int,
        None,
        "warn when the latest wage quarter is more quarters before the run's quarter than this (§9)",
    ),
    Setting(
        "row_count_change_pct",
        "LER_ROW_COUNT_CHANGE_PCT",
        50.0,
        float,
        None,
        "warn when a table's row count changes by more percent than this since the last published run (§9)",
    ),
    Setting(
        "unmapped_codes_max_pct",
        "LER_UNMAPPED_CODES_MAX_PCT",
        5.0,
        float,
        None,
        "warn when more percent of a code system's records carry a code no crosswalk knows (§9)",
    ),
    Setting(
        "icesa_layout",
        "LER_ICESA_LAYOUT",
        DEFAULT_ICESA_LAYOUT,
        Path,
        None,
        "ICESA record layout file (§2.4)",
    ),
    Setting(
        "engine",
        "LER_ENGINE",
        "duckdb",
        str,
        None,
        "what builds the warehouse: duckdb, or spark (dbt-spark in a local PySpark session, docs/spark.md)",
    ),
    Setting(
        "dbt_threads",
        "LER_DBT_THREADS",
        DBT_THREADS_DEFAULT,
        int,
        None,
        "dbt threads of the warehouse build (a machine setting, not a rule)",
    ),
    Setting(
        "dbt_debug_artifacts",
        "LER_DBT_DEBUG_ARTIFACTS",
        False,
        bool,
        None,
        "1 = dbt writes its debug log (every statement) and manifest.json / run_results.json to "
        "<warehouse>/.tmp/dbt-target; default: dbt.log as text at info level, no JSON artifacts",
    ),
    Setting(
        "warm_dbt",
        "LER_WARM_DBT",
        True,
        bool,
        None,
        "1 = `ler run` starts dbt's process while it ingests, so the build does not wait for dbt's "
        "imports (dagster_project/warm_dbt.py); 0 = dbt starts cold when the build does",
    ),
    Setting(
        "duckdb_threads",
        "LER_DUCKDB_THREADS",
        0,
        int,
        None,
        "DuckDB threads of ingestion and the operational checks; 0 = one per core (a machine setting)",
    ),
    Setting(
        "duckdb_memory_limit",
        "LER_DUCKDB_MEMORY_LIMIT",
        DUCKDB_MEMORY_LIMIT_DEFAULT,
        str,
        None,
        "DuckDB memory limit of ingestion, the checks and dbt, each, e.g. 3GB; beyond it DuckDB spills",
    ),
    Setting(
        "duckdb_temp_dir",
        "LER_DUCKDB_TEMP_DIR",
        None,
        Path,
        None,
        "where ingestion and the checks spill (default: inside the restricted warehouse folder)",
    ),
    Setting(
        "count_invalid_proofs",
        "LER_COUNT_INVALID_PROOFS",
        False,
        bool,
        "ler:count_invalid_proofs",
        "count credentials whose proof is INVALID as awards (docs/learner_records.md)",
    ),
    Setting(
        "issuer_key_file",
        "LER_ISSUER_KEY_FILE",
        None,
        Path,
        None,
        "the state's key that signs learner records (`ler issuer-key --out FILE` makes one)",
    ),
    Setting(
        "issuer_name", "LER_ISSUER_NAME", "State LER Warehouse", str, None, "issuer name on learner records"
    ),
    Setting(
        "issuer_id", "LER_ISSUER_ID", None, str, None, "issuer id on learner records (default: its did:key)"
    ),
    Setting("issuer_url", "LER_ISSUER_URL", None, str, None, "issuer web page on learner records"),
)

# dbt vars of dbt_project.yml that are not settings: rules the spec fixes (docs/reporting_rules.md
# §6, §7.1), named once as vars so the SQL has no buried literal and dbt unit tests can vary them.
RULE_CONSTANT_VARS = ("ler:wpell:excluded_exit_reasons", "ler:attachment_min_quarters")

_BY_NAME = {s.name: s for s in SETTINGS}


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable and what was expected."""


_TRUE_FALSE = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def _convert(setting: Setting, raw: object) -> object:
    if raw is None:
        return None
    if isinstance(raw, setting.kind):
        return raw
    text = str(raw).strip()
    try:
        if setting.kind is int:
            return int(text)
        if setting.kind is float:
            return float(text)
        if setting.kind is Path:
            return Path(text).expanduser()
        if setting.kind is bool:
            return _TRUE_FALSE[text.lower()]
        return text
    except (ValueError, KeyError) as exc:
        raise SettingsError(
            f"{setting.env}={text!r} is not a valid {setting.kind.__name__} ({setting.help})"
        ) from exc


@dataclass(frozen=True)
class Settings:
    """Everything one run needs to know; build it with `Settings.load`."""

    hash_key: str = field(repr=False)
    is_sample_run: bool
    landing_dir: Path
    warehouse_dir: Path
    keep_publications: int
    wage_lag_quarters: int
    min_annual_earnings: float
    vae_min_n: int
    min_cohort: int
    min_cell: int
    wpell_min_clock_hours: int
    wpell_max_clock_hours: int
    wpell_min_weeks: int
    wpell_max_weeks_exclusive: int
    wpell_completion_threshold: float
    wpell_placement_threshold: float
    wpell_normal_time_factor: float
    poverty_multiplier: float
    max_reject_rate: float
    max_field_length: int
    max_json_depth: int
    wage_freshness_lag_quarters: int
    row_count_change_pct: float
    unmapped_codes_max_pct: float
    icesa_layout: Path
    count_invalid_proofs: bool
    issuer_key_file: Path | None
    issuer_name: str
    issuer_id: str | None
    issuer_url: str | None
    engine: str
    dbt_threads: int
    dbt_debug_artifacts: bool
    warm_dbt: bool
    duckdb_threads: int
    duckdb_memory_limit: str
    duckdb_temp_dir: Path | None

    @classmethod
    def load(
        cls,
        overrides: Mapping[str, object] | None = None,
        environ: Mapping[str, str] | None = None,
        sample: bool | None = None,
        need_landing: bool = True,
    ) -> Settings:
        """Resolve settings: CLI overrides beat `LER_*` variables, which beat the spec defaults.

        `need_landing=False` for commands that only read a warehouse (`ler learner-record`): then
        `landing_dir` may be unset (None).

        A run without `LER_HASH_KEY` refuses to start unless it is the sample-data run
        (`sample=True` or `LER_SAMPLE_RUN=1`), which uses the documented demo key.
        """
        env = os.environ if environ is None else environ
        overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        if sample is None:
            sample = env.get("LER_SAMPLE_RUN", "").strip().lower() in {"1", "true", "yes"}
        values: dict[str, object] = {}
        for setting in SETTINGS:
            raw = overrides.get(setting.name, env.get(setting.env, setting.default))
            if raw == "":
                raw = setting.default
            values[setting.name] = _convert(setting, raw)
        if values["landing_dir"] is None and need_landing:
            if not sample:
                raise SettingsError("no landing zone: set LER_LANDING_DIR or pass --landing DIR")
            values["landing_dir"] = SAMPLE_LANDING_DIR
        key = str(overrides.get("hash_key") or env.get("LER_HASH_KEY", "")).strip()
        if not key:
            if not sample:
                raise SettingsError(
                    "LER_HASH_KEY is not set: a real run needs the state's secret key for person keys "
                    "(docs/submission_manual.md §4). Only the sample-data run (`ler run --sample`) may use "
                    "the demo key."
                )
            key = DEMO_HASH_KEY
        check_hash_key(key)
        if values["landing_dir"] is not None:
            values["landing_dir"] = Path(values["landing_dir"]).resolve()
        values["warehouse_dir"] = Path(values["warehouse_dir"]).resolve()
        if values["keep_publications"] < 1:
            raise SettingsError(
                f"LER_KEEP_PUBLICATIONS={values['keep_publications']}: at least 1 is kept (§9)"
            )
        limit = values["duckdb_memory_limit"]
        if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", limit, re.IGNORECASE):
            raise SettingsError(f"LER_DUCKDB_MEMORY_LIMIT={limit!r}: expected an amount such as 3GB or 512MB")
        values["engine"] = str(values["engine"]).lower()
        if values["engine"] not in ENGINES:
            raise SettingsError(
                f"LER_ENGINE={values['engine']!r}: expected one of {', '.join(ENGINES)} (docs/spark.md)"
            )
        if values["duckdb_threads"] < 0:
            raise SettingsError(f"LER_DUCKDB_THREADS={values['duckdb_threads']}: 0 (one per core) or more")
        for name in ("wage_freshness_lag_quarters", "row_count_change_pct", "unmapped_codes_max_pct"):
            if values[name] < 0:
                s = _BY_NAME[name]
                raise SettingsError(f"{s.env}={values[name]}: expected 0 or more ({s.help})")
        values["duckdb_threads"] = values["duckdb_threads"] or os.cpu_count() or 1
        return cls(hash_key=key, is_sample_run=bool(sample), **values)

    @property
    def uses_demo_key(self) -> bool:
        return self.hash_key == DEMO_HASH_KEY

    def dbt_vars(self) -> dict[str, object]:
        """The thresholds as namespaced dbt vars (`ler:wpell:min_cohort` ...)."""
        return {s.dbt_var: getattr(self, s.name) for s in SETTINGS if s.dbt_var}

    def dbt_var_overrides(self) -> dict[str, object]:
        """The dbt vars whose value is not the spec default (dbt_project.yml has the defaults).

        What `ler run` passes as `--vars`: dbt re-parses the whole project when `--vars` change, so a
        run with the spec defaults passes none and keeps the partial parse of earlier runs valid.
        """
        return {s.dbt_var: v for s in SETTINGS if s.dbt_var and (v := getattr(self, s.name)) != s.default}

    def in_force(self) -> dict[str, object]:
        """Settings recorded in run metadata (never the key)."""
        return {s.name: (str(v) if isinstance(v := getattr(self, s.name), Path) else v) for s in SETTINGS}

    def to_environ(self) -> dict[str, str]:
        """The same settings as `LER_*` variables, for child processes (dbt, Dagster run workers)."""
        env = {s.env: str(v) for s in SETTINGS if (v := getattr(self, s.name)) is not None}
        env["LER_HASH_KEY"] = self.hash_key
        if self.is_sample_run:
            env["LER_SAMPLE_RUN"] = "1"
        return env


def check_hash_key(key: str) -> None:
    """Refuse a key shorter than MIN_HASH_KEY_LENGTH, saying why and how to make one (never the key).

    Every run's settings pass here (`ler run`, and the runs of the Dagster code location, whose
    settings resource loads them before the first step), the sample run's demo key included.
    """
    if len(key) < MIN_HASH_KEY_LENGTH:
        raise SettingsError(
            f"LER_HASH_KEY is {len(key)} characters long; it must be at least {MIN_HASH_KEY_LENGTH} "
            "(docs/submission_manual.md §4): person keys of SSNs are only as safe as the secret, and a "
            "short one can be found by trying keys. Make one with "
            "`python -c 'import secrets; print(secrets.token_hex(32))'` and keep it unchanged."
        )


def setting(name: str) -> Setting:
    return _BY_NAME[name]


def setting_value(name: str, environ: Mapping[str, str] | None = None) -> object:
    """One setting's value from its `LER_*` variable or its default, checked like `Settings.load`."""
    s = _BY_NAME[name]
    raw = (os.environ if environ is None else environ).get(s.env, s.default)
    return _convert(s, s.default if raw == "" else raw)
