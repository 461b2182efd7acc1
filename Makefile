# sejahtera: the README's two commands (`make run`, `make test`) and the developer's others.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Optional extras installed with the project (CI adds `spark`, for the Splink-on-Spark equality test, and `k8s`,
# for the Kubernetes deployment's config checks). Each set of extras has its own stamp, so changing EXTRAS installs.
EXTRAS ?= dev
comma := ,
STAMP := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

export SEJAHTERA_LANDING ?= $(CURDIR)/data/landing
export SEJAHTERA_WAREHOUSE ?= $(CURDIR)/data/warehouse/sejahtera.duckdb
# The Dagster instance lives beside the warehouse it guards (sejahtera/settings.py): one warehouse, one instance.
export DAGSTER_HOME ?= $(dir $(SEJAHTERA_WAREHOUSE))dagster_home
DEMO_HOUSEHOLDS ?= 10000
DEMO_SEED ?= 42
UI_PORT ?= 3000
# The demo's export key: random, made once per checkout, kept out of the repository (data/ is ignored).
# Set SEJAHTERA_EXPORT_KEY yourself to use a real one; the demo's key is never used then.
DEMO_EXPORT_KEY := $(CURDIR)/data/.demo_export_key
WITH_EXPORT_KEY = SEJAHTERA_EXPORT_KEY="$${SEJAHTERA_EXPORT_KEY:-$$(cat "$(DEMO_EXPORT_KEY)")}"

.PHONY: install run ui test bench bench-scale bench-fixed bench-households lint format clean demo-export-key

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	touch $(STAMP)

## Generate the demo landing zone (once), run the nightly job through Dagster, print the registry summary.
run: install demo-export-key
	@if [ ! -d "$(SEJAHTERA_LANDING)" ]; then \
	  $(BIN)/sejahtera generate --out "$(SEJAHTERA_LANDING)" --households $(DEMO_HOUSEHOLDS) --seed $(DEMO_SEED); \
	fi
	$(WITH_EXPORT_KEY) $(BIN)/sejahtera run

## Open the Dagster UI on the same instance as `make run` (its runs are in the run history).
ui: install demo-export-key
	$(BIN)/python -c "from sejahtera.settings import Settings, ensure_dagster_home; ensure_dagster_home(Settings.from_env())"
	umask 077; $(WITH_EXPORT_KEY) $(BIN)/dagster dev -w workspace.yaml -p $(UI_PORT)

demo-export-key:
	@if [ -z "$$SEJAHTERA_EXPORT_KEY" ] && [ ! -s "$(DEMO_EXPORT_KEY)" ]; then \
	  mkdir -p "$(dir $(DEMO_EXPORT_KEY))" && (umask 077; $(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > "$(DEMO_EXPORT_KEY)"); \
	fi

## The whole suite, on as many workers as TEST_WORKERS (pytest-xdist; a test file runs on one worker, so its
## fixtures are built once; end-to-end files first: tests/conftest.py).
TEST_WORKERS ?= 2
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

bench: install
	$(BIN)/python -m benchmarks

## The nightly job at S and M sizes (add L with SCALE_SIZES="S M L"): benchmarks/results/scale.md
SCALE_SIZES ?= S M
bench-scale: install
	$(BIN)/python benchmarks/scale_bench.py $(SCALE_SIZES)

## A run's fixed cost: the no-op run and a tiny zone's full build, with where the time goes (median of 3):
## benchmarks/results/fixed_cost.md. FIXED_SIZES="300 3000" also splits fixed from per-row cost.
FIXED_SIZES ?= 300
bench-fixed: install
	$(BIN)/python benchmarks/fixed_cost.py $(FIXED_SIZES)

## Household and person linkage quality at 2 000 and 20 000 households: the default generator (seed 42), then
## the configuration household linkage was not tuned on (seed 7031, harsher noise and family changes; issue 14)
bench-households: install
	$(BIN)/python benchmarks/linkage_bench.py 2000 20000
	$(BIN)/python benchmarks/linkage_bench.py 2000 20000 --seed 7031 --harsher

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) data .dagster_home .pytest_cache .ruff_cache
