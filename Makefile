# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SAMPLE_LANDING := sample_data/landing
SAMPLE_WAREHOUSE := warehouse
LEARNERS ?= 1500
# `make dev PORT=3001` to serve the UI elsewhere; the Dagster instance (run history, schedule and
# sensor switches) lives under the warehouse folder, so it survives a restart.
PORT ?= 3000
DAGSTER_HOME_DIR := $(abspath $(SAMPLE_WAREHOUSE))/.dagster
# Both cores, a whole test module per worker (its fixtures built once); end-to-end scenarios are
# built once and shared by the workers, the most shared prebuilt in the background
# (tests/support/scenarios.py, tests/support/shared_runs.py). Long modules first, in the order
# tests/conftest.py gives them: --no-loadscope-reorder, else xdist hands out the modules with the
# most tests first and the few long runs (crash safety) last, one worker running them alone.
# Bytecode is written even where the caller's environment sets PYTHONDONTWRITEBYTECODE: every
# worker, warm ler and subprocess would otherwise compile the project and rewrite the test modules
# anew (collection alone 14 s against 8 s a worker).
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder

.PHONY: run test test-fast test-crash test-attack test-spark .venv-spark lint bench sample clean dev chromium

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

sample: $(STAMP)
	$(BIN)/python -m sample_data.generate --out $(SAMPLE_LANDING) --learners $(LEARNERS)

run: sample
	$(BIN)/ler run --sample --landing $(SAMPLE_LANDING) --warehouse $(SAMPLE_WAREHOUSE)

test: $(STAMP) chromium
	$(BIN)/python -m sample_data.generate --out $(SAMPLE_LANDING) --learners $(LEARNERS)
	$(BIN)/ruff check .
	$(PYTEST) --durations=15

# Debian's headless Chromium, for the report's render test (tests/test_report.py, which fails
# without it): installed once, a no-op when it is there. apt-get needs root (CI and these machines
# run as root), else sudo.
chromium:
	@command -v chromium >/dev/null 2>&1 || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

# The inner loop: everything but the full pipeline builds and the tests marked slow (code locations
# started as Dagster starts them, the DuckDB 1.4 client, GX on a sample); make test runs them all.
test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(PYTEST) -m "not e2e and not slow"

# The kill test at 25 random moments instead of make test's 3 (LER_TEST_SEED repeats a failure).
test-crash: $(STAMP)
	LER_TEST_KILLS=25 $(PYTEST) tests/test_crash_safety.py

# The attacker test on generated states of three sizes (make test attacks one, of 600 learners).
test-attack: $(STAMP)
	LER_TEST_ATTACK_LEARNERS=600,3000,12000 $(PYTEST) tests/test_attacker.py

# The Spark engine (issue 13, docs/spark.md): its own venv with the `spark` extra (dbt-spark's session
# method, PySpark), so .venv keeps the pinned DuckDB stack as it is. Spark 4 needs Java 17: Debian's
# headless JRE is installed when no java is on PATH (as root, else sudo, like chromium above).
VENV_SPARK := .venv-spark
SPARK_STAMP := $(VENV_SPARK)/.installed-stamp

$(SPARK_STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required (found " + sys.version.split()[0] + ")")'
	@command -v java >/dev/null 2>&1 || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq openjdk-17-jre-headless; }
	@test -x $(VENV_SPARK)/bin/python || $(PYTHON) -m venv $(VENV_SPARK)
	$(VENV_SPARK)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_SPARK)/bin/python -m pip install --quiet -e '.[dev,spark]'
	@touch $(SPARK_STAMP)

.venv-spark: $(SPARK_STAMP)

# Both engines on the hand-built state and the worked example v2: every marts and reporting table,
# the publication and its exports equal cell for cell (tests/spark, left out of make test).
test-spark: $(SPARK_STAMP)
	LER_TEST_SPARK=1 $(VENV_SPARK)/bin/python -m pytest -q -n 0 tests/spark

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m tests.bench.run_bench

dev: sample
	$(BIN)/python -c 'import sys, pathlib; from dagster_project.run_instance import prepare_home; prepare_home(pathlib.Path(sys.argv[1]))' $(DAGSTER_HOME_DIR)
	DAGSTER_HOME=$(DAGSTER_HOME_DIR) LER_LANDING_DIR=$(SAMPLE_LANDING) LER_WAREHOUSE_DIR=$(SAMPLE_WAREHOUSE) \
		LER_SAMPLE_RUN=1 $(BIN)/dagster dev -m dagster_project.definitions -p $(PORT)

clean:
	rm -rf $(SAMPLE_LANDING) $(SAMPLE_WAREHOUSE) dbt/target dbt/logs .pytest_cache
