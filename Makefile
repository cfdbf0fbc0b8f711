# The two commands that matter: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench schema clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

run: install
	$(BIN)/stagefit run-local

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check app tests bench scripts
	$(BIN)/ruff format --check app tests bench scripts
	$(BIN)/mypy app/scoring app/instrument

bench: install
	$(BIN)/python -m bench

schema: install
	$(BIN)/stagefit instrument schema -o questionnaires/schema.json

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
