# The two commands that matter: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench schema report-pngs clean

AXE := tests/e2e/node_modules/axe-core/axe.min.js

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	@# setuptools warns about every editable install, a box of text per build step
	PYTHONWARNINGS='ignore:Editable installation' $(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# axe-core (npm) is injected into pages by the accessibility tests; without npm they skip.
$(AXE): tests/e2e/package.json
	-if command -v npm >/dev/null; then cd tests/e2e && npm ci --no-audit --no-fund --silent; fi

PORT ?= 8000
run: install
	$(BIN)/stagefit run-local --port $(PORT)

# A database and a server per worker (tests/conftest.py); JOBS=1 runs in one process.
# Bytecode caches on even where the environment turns them off (PYTHONDONTWRITEBYTECODE):
# without them every worker and every `stagefit` subprocess compiles, and pytest rewrites,
# every module anew, 5 s and more each time.
JOBS ?= auto
test: install $(AXE)
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $(JOBS) --dist loadfile

lint: install
	$(BIN)/ruff check app tests bench scripts
	$(BIN)/ruff format --check app tests bench scripts
	$(BIN)/mypy app

bench: install
	$(BIN)/python -m bench

schema: install
	$(BIN)/stagefit instrument schema -o questionnaires/schema.json

# Every page of the demo PDFs as PNG, for looking at: out/report-pngs/
report-pngs: install
	rm -rf out/report-pngs && mkdir -p out/report-pngs
	$(BIN)/stagefit db upgrade
	$(BIN)/stagefit report demo out/report-pngs
	for f in out/report-pngs/*.pdf; do pdftoppm -r 80 -png "$$f" "$${f%.pdf}"; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
