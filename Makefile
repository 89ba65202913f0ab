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
	$(BIN)/python -m compileall -q campaigns contracts inbound templates workflows activities signals winback
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The templates check first: a missing or mistaken translation is one line naming the file.
test: $(STAMP) lint
	$(BIN)/winback templates check
	$(BIN)/pytest

demo: $(STAMP)
	$(BIN)/winback up --detach
	$(BIN)/winback launch campaigns/examples/demo-campaign.yaml --accounts campaigns/examples/accounts.csv
	# A few saves of at-risk renewals. The example file is dated as of 2027-03-01 (its golden
	# plan); read relative to that day, every renewal lies as many days after today, so the
	# demo shows the same efforts, modes and escalation on whatever day it runs. A save marked
	# lost starts its 3/6/12-month win-back stages in the spring campaign, under its rules; a saved
	# one is watched as long as the saves settings file says.
	$(BIN)/winback saves launch --accounts campaigns/examples/renewals.csv \
		--approvers campaigns/examples/approvers.yaml --renewals-relative-to 2027-03-01 \
		--winback-campaign campaigns/examples/spring-winback.yaml --config campaigns/examples/saves.yaml
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

# `winback plan` on 175,000 rows that all carry the same misspelt time zone (target < 15 s).
.PHONY: bench-accounts
bench-accounts: $(STAMP)
	$(BIN)/python bench/accounts_bad_zone.py $(ARGS)

# A reply's way from the inbound webhook to a stopped sequence, with 100 and 2,000 sequences
# running on a fresh dev server (bench/reply.py: p50/p99; target p99 < 1 s at 2,000; a few minutes).
.PHONY: bench-reply
bench-reply: $(STAMP)
	$(BIN)/python bench/reply.py $(ARGS)

# Headlines to matched events with 1,000, 10,000 and 100,000 accounts indexed, against the naive
# loop over every account (bench/match.py: entries/s, per-entry cost flat in the number of accounts;
# target >= 5,000 entries/s; about a minute).
.PHONY: bench-match
bench-match: $(STAMP)
	$(BIN)/python bench/match.py $(ARGS)

# The long fuzz budget: tests/fuzz with thousands of fresh inputs per way in (README, Development).
# `make test` runs the same properties with a small derandomized budget.
.PHONY: fuzz
fuzz: $(STAMP)
	WINBACK_FUZZ_PROFILE=long $(BIN)/pytest tests/fuzz -p no:cacheprovider --hypothesis-show-statistics
