# Tawasul: `make run` and `make test` do ALL set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup venv nlu-env nlu-model db run test faults lint check i18n clean

setup: venv nlu-env nlu-model db

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python >= 3.11 is required (found $(PYTHON))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $@

venv: $(STAMP)

# Rasa 3.6 lives in its own Python 3.10 environment (.venv-nlu); the script finds Python 3.10.
nlu-env:
	@bash nlu/setup_env.sh

# Trains nlu/models/ when the model is missing or older than its data, config or components.
nlu-model: nlu-env venv
	@bash nlu/train.sh

db: venv
	$(BIN)/tawasul db upgrade

run: setup
	$(BIN)/tawasul serve --host 127.0.0.1 --port 8000

test: setup
	$(BIN)/python -m pytest

# The fault suite (not part of `make test`; about 6 minutes here, FAULTS_DB=sqlite|postgresql for one): kill -9, database down, NLU dead or slow,
# provider 500/429/timeouts, bursts; SQLite and two `serve` processes on PostgreSQL. Exits 1 on any loss.
faults: venv
	$(BIN)/tawasul bench faults --db $(or $(FAULTS_DB),both)

lint: venv
	$(BIN)/ruff check bot storage connectors orgs nlu tests
	$(BIN)/mypy bot storage connectors orgs nlu
	$(BIN)/lint-imports  # the import contracts of pyproject.toml: pure flows, thin connectors, no circles

# Everything a change must pass: lint (ruff), types (mypy --strict), import contracts and the whole test suite.
check: lint test

i18n: venv
	@bash scripts/i18n.sh

clean:
	rm -rf $(VENV) .venv-nlu data
