# Two commands matter: `make demo` (the pipeline end to end, offline) and `make test` (everything CI runs).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv test lint typecheck pytest check-manifests build demo dev bench audit clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall when the dependency pins or the lock change.
$(STAMP): pyproject.toml requirements.lock | $(PY)
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy

pytest: venv
	$(VENV)/bin/pytest

check-manifests: venv
	$(PY) -m compiler build --check

test: lint typecheck check-manifests pytest

build: venv
	$(PY) -m compiler build

demo: venv
	$(PY) -m devservices demo

dev: venv
	$(PY) -m devservices dev

# A full run (about half an hour on two shared cores) that rewrites benchmarks/RESULTS.md;
# `$(PY) -m benchmarks --quick` is the smoke run.
bench: venv
	$(PY) -m benchmarks --write-results

audit: venv
	@report=$$(mktemp); \
	$(VENV)/bin/pip-audit --requirement requirements.lock --progress-spinner off --format json --output $$report; \
	$(PY) -m tools.audit_verdict $$report; verdict=$$?; rm -f $$report; exit $$verdict

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
