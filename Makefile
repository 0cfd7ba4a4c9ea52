# Anju — every command a developer needs. `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVICE ?= projects
MSG ?=
# pytest-xdist workers for make test: auto = one per core; TEST_WORKERS=0 runs serially (for debugging)
TEST_WORKERS ?= auto

.PHONY: help install run test lint typecheck imports queries openapi openapi-check migrate revision bench audit-verify clean

help: ## List the commands
	@echo "Anju 安居 — make <command>:"
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project (once; again when pyproject.toml changes)

run: $(STAMP) ## Start the 4 services and the gateway on :8000 (embedded PostgreSQL unless DATABASE_URL); Ctrl-C stops
	$(BIN)/python -m scripts.run_local

test: $(STAMP) ## Lint, types, import contracts, queries in repositories, contract drift, then the whole suite on every core (TEST_WORKERS=0: serially)
	@$(MAKE) --no-print-directory lint typecheck imports queries openapi-check
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

lint: $(STAMP) ## ruff
	$(BIN)/ruff check .

typecheck: $(STAMP) ## mypy (strict)
	$(BIN)/mypy kernel contracts services gateway scripts tests bench

imports: $(STAMP) ## Check the import contracts (slices keep their insides; routes -> service -> repository; rules pure)
	$(BIN)/lint-imports

queries: $(STAMP) ## Fail when a query is built outside a repository.py or a migration
	$(BIN)/python -m scripts.check_queries

openapi: $(STAMP) ## Write the contract to openapi/
	$(BIN)/python -m scripts.openapi write

openapi-check: $(STAMP) ## Fail when openapi/ differs from the code
	$(BIN)/python -m scripts.openapi check

migrate: $(STAMP) ## Apply every service's migrations (DATABASE_URL or embedded)
	$(BIN)/python -m scripts.run_local --migrate-only

revision: $(STAMP) ## New migration: make revision SERVICE=projects MSG="add tasks"
	@test -n "$(MSG)" || (echo 'usage: make revision SERVICE=projects MSG="what changes"' && exit 2)
	$(BIN)/python -m scripts.run_local --revision $(SERVICE) --message "$(MSG)"

audit-verify: $(STAMP) ## Recompute every service's audit hash chain; report the first broken link
	$(BIN)/python -m scripts.audit_verify

bench: $(STAMP) ## Run the benchmarks under bench/ (figures on each one's last line)
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean: ## Remove the virtual environment and local data (.anju/)
	rm -rf $(VENV) .anju
