# The two commands the README promises: `make demo` and `make test`. Both create .venv and
# install everything the project needs from the package registries; nothing downloads later.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install test lint demo stop clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# Bytecode even where PYTHONDONTWRITEBYTECODE is set: the workflow sandbox imports the
	# workflow modules afresh for every new workflow, and compiling them from source each time
	# cost a third of a launching worker's CPU (bench/launch.py).
	$(BIN)/python -m compileall -q campaigns contracts templates workflows activities signals winback
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) lint
	$(BIN)/pytest

demo: $(STAMP)
	$(BIN)/winback up --detach
	$(BIN)/winback launch campaigns/examples/demo-campaign.yaml --accounts campaigns/examples/accounts.csv
	@echo
	@echo "Temporal UI:  http://localhost:8233/namespaces/default/workflows"
	@echo "Outbox:       $$(pwd)/data/outbox"
	@echo "Tasks:        $(BIN)/winback tasks"
	@echo "Stop it with: $(BIN)/winback down"

stop: $(STAMP)
	$(BIN)/winback down

clean:
	rm -rf $(VENV) data

# The launch benchmark of bench/launch.py (fresh dev servers, no network; about 10 minutes on 2 cores).
.PHONY: bench bench-store
bench: $(STAMP)
	$(BIN)/python bench/launch.py

# The store's bulk writes against plain executemany inserts of the same rows (bench/store_import.py:
# SQLite in a temporary folder, under half a minute; pass ARGS="--database-url postgresql://..." for PostgreSQL).
bench-store: $(STAMP)
	$(BIN)/python bench/store_import.py $(ARGS)

# The long fuzz budget: tests/fuzz with thousands of fresh inputs per way in (README, Development).
# `make test` runs the same properties with a small derandomized budget.
.PHONY: fuzz
fuzz: $(STAMP)
	WINBACK_FUZZ_PROFILE=long $(BIN)/pytest tests/fuzz -p no:cacheprovider --hypothesis-show-statistics
