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
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

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
