# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SAMPLE_LANDING := sample_data/landing
SAMPLE_WAREHOUSE := warehouse
LEARNERS ?= 1500

.PHONY: run test lint bench sample clean dev

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

test: $(STAMP)
	$(BIN)/python -m sample_data.generate --out $(SAMPLE_LANDING) --learners $(LEARNERS)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python tests/bench/run_bench.py

dev: sample
	LER_LANDING_DIR=$(SAMPLE_LANDING) LER_WAREHOUSE_DIR=$(SAMPLE_WAREHOUSE) LER_SAMPLE_RUN=1 $(BIN)/dagster dev

clean:
	rm -rf $(SAMPLE_LANDING) $(SAMPLE_WAREHOUSE) dbt/target dbt/logs .pytest_cache
