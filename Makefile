# Two commands matter: `make demo` (the pipeline end to end, offline) and `make test` (everything CI runs).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv dist test test-clone lint typecheck pytest check-manifests build demo dev services dev-reset bench audit clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall when the dependency pins or the lock change. Both distributions of the repository install together: the
# compiler (dagster-argo/, editable) and the air-quality pipeline that depends on it, against the one lock.
$(STAMP): pyproject.toml dagster-argo/pyproject.toml requirements.lock | $(PY)
	$(PY) -m pip install --quiet -c requirements.lock -e ./dagster-argo -e '.[dev]'
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

# `make test` in a fresh clone of this checkout's HEAD in an empty temporary folder: no ../shared beside it, no
# SHARED_DIR, no leftovers. Proves a new user's clone passes (the cross-checks that need shared files are skipped).
# The folder stays private (mktemp's 0700), as a home directory is: under root the embedded PostgreSQL runs as an
# unprivileged user, who must not need to reach into the clone (devservices/postgres/reachable.py).
test-clone:
	@parent=$$(mktemp -d); trap 'rm -rf "$$parent"' EXIT; \
	git clone --quiet --no-hardlinks "$(CURDIR)" "$$parent/repo" && \
	cd "$$parent/repo" && env -u SHARED_DIR $(MAKE) test

build: venv
	$(PY) -m compiler build

# The compiler's own distribution (wheel and sdist of dagster-argo) into dist/, for a platform team's image.
dist: venv
	rm -rf dist/dagster_argo-* dagster-argo/build
	$(PY) -m build --no-isolation --outdir dist dagster-argo

demo: venv
	$(PY) -m devservices demo

# `make dev DEV_CLI=dg` serves with Dagster's `dg dev` instead of `dagster dev`.
DEV_CLI ?= dagster
dev: venv
	$(PY) -m devservices dev --cli $(DEV_CLI)

# The local object store and OpenAQ server for other shells (`source .dev/services.env`); Ctrl-C stops them.
services: venv
	$(PY) -m devservices services

# The dev object store, the dev Dagster instance (PostgreSQL) and its replay files live together under .dev/.
dev-reset:
	rm -rf .dev

# A full run (30-45 minutes on two shared cores, 10,000-asset builds included) that rewrites benchmarks/RESULTS.md;
# `$(PY) -m benchmarks --quick` is the smoke run.
bench: venv
	$(PY) -m benchmarks --write-results

# The locked set exactly as pinned (--no-deps: no resolver, --disable-pip: no throwaway venv). Exit 1: a known
# vulnerability; exit 2: could not audit (e.g. the vulnerability service is unreachable). Only a full audit passes.
audit: venv
	@report=$$(mktemp); \
	$(VENV)/bin/pip-audit --requirement requirements.lock --no-deps --disable-pip --progress-spinner off \
		--format json --output $$report; \
	$(PY) -m tools.audit_verdict $$report requirements.lock; verdict=$$?; rm -f $$report; exit $$verdict

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info dagster-argo/*.egg-info dist
