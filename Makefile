# Two commands for a fresh machine (Python 3.11 with venv):
#   make run    install, migrate, load the seeded registry into SQLite and serve it on http://127.0.0.1:8000/
#   make test   install the test tools and run the whole test suite (prints how long it took)
# Then: make serve (serve the data as it is: no migrate, no seeds), make editor NAME=… (an admin editor),
# make test-quick (the suite without the live-server and browser tests).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
# When this make started, for the "took … s" lines of the test targets (installing included).
STARTED := $(shell date +%s)
TOOK = printf 'make $@ took %s s\n' "$$(( $$(date +%s) - $(STARTED) ))"
# Test processes of `make test` (pytest-xdist): one per core by default; PYTEST_WORKERS=0 runs in this process alone.
PYTEST_WORKERS ?= auto

.PHONY: run serve editor test test-quick coverage-report test-browser install install-dev lint openapi bench clean

# A pipeline fails when any of its commands does (the installs below filter pip's output).
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# pip shows each package it collects, downloads and installs (a first install takes about a minute); the packages
# already installed, one line each on every later run, are left out.
PIP_INSTALL = $(PY) -m pip install --progress-bar off
ONLY_NEWS = sed -u '/^Requirement already satisfied/d'

$(PY):
	@echo "creating the virtual environment $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(PY)
	@echo "installing requirements.txt into $(VENV)"
	$(PIP_INSTALL) -r requirements.txt | $(ONLY_NEWS)

install-dev: $(PY)
	@echo "installing requirements-dev.txt (requirements.txt and the test tools) into $(VENV)"
	$(PIP_INSTALL) -r requirements-dev.txt | $(ONLY_NEWS)

# DEBUG=1 is the local-development default of `make run` only; production sets DEBUG=0 and a SECRET_KEY.
run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_seeds
	DEBUG=1 $(PY) manage.py runserver $(HOST)

# The registry as it is now: no migration, no seeds (after `make run`, or on a database you restored).
serve: install
	DEBUG=1 $(PY) manage.py runserver $(HOST)

# A staff editor for the admin (not a superuser: the editor group's permissions), password printed once.
editor: install
	@test -n "$(NAME)" || { echo 'usage: make editor NAME=username' >&2; exit 2; }
	DEBUG=1 $(PY) manage.py create_editor "$(NAME)"

# Under coverage.py (pyproject.toml): the share of registry/ the run executed, in percent, then the time it took.
test: install-dev
	$(PY) -m coverage erase
	$(PY) -m coverage run -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
	$(PY) -m coverage combine --quiet
	@printf 'coverage of registry/: %s%%\n' "$$($(PY) -m coverage report --format=total)"
	@$(TOOK)

# The suite without the tests marked live (they start gunicorn) or browser (chromium), and without coverage: the quick
# loop while working. `make test` runs the live ones too; the browser ones run in `make test-browser`.
test-quick: install-dev
	$(PY) -m pytest -n $(PYTEST_WORKERS) -m 'not live and not browser' $(PYTEST_ARGS)
	@$(TOOK)

# What the last `make test` left unexecuted, file by file (COVERAGE_FILE as for that run).
coverage-report: install-dev
	$(PY) -m coverage report

# The public pages in Debian's chromium (installs chromium and axe-core if missing; see .ci/browser).
test-browser:
	bash .ci/browser

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

# Regenerate the committed contract after an API change (tests fail while it differs from the served schema).
openapi: install-dev
	SECRET_KEY=schema $(PY) manage.py spectacular --lang en --validate --fail-on-warn --file openapi.yaml
	$(PY) -m openapi_spec_validator openapi.yaml

# The registry under gunicorn against its plain-Django floor, at 10% and 100% of national scale, on PostgreSQL
# (bench/README.md; generates the databases if missing). BENCH_DURATION=seconds per URL (default 10).
bench: install-dev
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache .coverage .coverage.*
