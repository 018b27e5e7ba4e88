# The README's two commands: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEFAULT_SOURCES := var/sources
DEMO_DIR := var/demo

.PHONY: run test test-fast install install-test compile assets data serve lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed compile

install-test: $(VENV)/.installed-test compile

# The package's bytecode, written once: the environment may forbid writing it at run time
# (PYTHONDONTWRITEBYTECODE), and every command would then compile the sources again.
# compileall rewrites only what changed.
compile: $(VENV)/.installed
	$(BIN)/python -m compileall -q tremplin

# Front-end packages (DSFR…) pinned in package.json and package-lock.json, served as static files.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json $(VENV)/.installed
	$(BIN)/tremplin assets node_modules

# Real files when TREMPLIN_SOURCES is set or `tremplin fetch` filled the default folder;
# otherwise the fictional demo territory, written in the official formats.
data: install
	@if [ -n "$$TREMPLIN_SOURCES" ]; then \
		$(BIN)/tremplin load "$$TREMPLIN_SOURCES"; \
	elif [ -n "$$(ls -A $(DEFAULT_SOURCES) 2>/dev/null)" ]; then \
		$(BIN)/tremplin load $(DEFAULT_SOURCES); \
	else \
		$(BIN)/tremplin demo $(DEMO_DIR) && $(BIN)/tremplin load $(DEMO_DIR); \
	fi

serve: install assets
	$(BIN)/tremplin serve

run: install assets data serve

test: install-test assets
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The edit loop: no real data, no browser, no PostgreSQL (a minute or two).
test-fast: install-test
	$(BIN)/python -m pytest -m "not realdata and not browser and not postgres" $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check tremplin tests benchmarks
	$(BIN)/ruff format --check tremplin tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

bench: install-test
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/diagnostic.py
	$(BIN)/python benchmarks/web.py
	$(BIN)/python benchmarks/near_me.py
	$(BIN)/python benchmarks/assignment.py
	$(BIN)/python benchmarks/planning.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/jobs.py
	$(BIN)/python benchmarks/passwords.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/search.py
	$(BIN)/python benchmarks/matching.py

clean:
	rm -rf $(VENV) node_modules var tremplin/web/static/vendor
