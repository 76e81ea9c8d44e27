# Two commands for a fresh machine (Python 3.11 with venv):
#   make run    install, migrate, load the seeded registry into SQLite and serve it on http://127.0.0.1:8000/
#   make test   install the test tools and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
# Test processes of `make test` (pytest-xdist): one per core by default; PYTEST_WORKERS=0 runs in this process alone.
PYTEST_WORKERS ?= auto

.PHONY: run test coverage-report test-browser install install-dev lint openapi bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(PY)
	$(PY) -m pip install --quiet -r requirements.txt

install-dev: $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt

# DEBUG=1 is the local-development default of `make run` only; production sets DEBUG=0 and a SECRET_KEY.
run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_seeds
	DEBUG=1 $(PY) manage.py runserver $(HOST)

# Under coverage.py (pyproject.toml): the last line is the share of registry/ the run executed, in percent.
test: install-dev
	$(PY) -m coverage erase
	$(PY) -m coverage run -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
	$(PY) -m coverage combine --quiet
	@printf 'coverage of registry/: %s%%\n' "$$($(PY) -m coverage report --format=total)"

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
