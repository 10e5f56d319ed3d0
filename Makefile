# Tip Portal — two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Django 6 needs Python >= 3.12. Try the usual names first, then pyenv's installs, and run each
# candidate: a pyenv shim can exist for a version that is not active and fail when called.
define find_python
for c in python3.13 python3.12 python3 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
  if command -v "$$c" >/dev/null 2>&1 && "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
    command -v "$$c"; exit 0; fi; \
done; exit 1
endef

.PHONY: help run test lint format bench worker clean check-python

help:
	@echo "make run    - set up .venv, migrate, load demo data, serve on 127.0.0.1:$(PORT)"
	@echo "make test   - set up and run the test suite"
	@echo "make lint   - ruff check + ruff format --check + mypy"
	@echo "make bench  - benchmarks (not part of the test suite)"

check-python:
	@python=$$($(find_python)) || { \
	  echo "Tip Portal needs Python 3.12 or newer (Django 6 requires it)." >&2; \
	  echo "Install python3.12 or python3.13 (e.g. 'apt install python3.12' or 'pyenv install 3.13')." >&2; \
	  exit 1; }; \
	echo "Using $$python"

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory check-python
	@test -x $(PY) || "$$($(find_python))" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compile_translations
	$(PY) manage.py bootstrap_demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Most tests in parallel (one worker per core, each with its own test database); the tests that
# drive real servers, workers and a browser one at a time, since they bound how long a request
# may take. Exit status 5 is "no test selected", which a PYTEST_ARGS path can make of either.
test: $(STAMP)
	$(PY) manage.py compile_translations
	$(PY) -m pytest -n auto -m "not services and not browser and not production" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(PY) -m pytest -m "(services or browser) and not production" $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	$(PY) -m bench

worker: $(STAMP)
	$(VENV)/bin/celery -A portal worker --beat --loglevel=warning

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
