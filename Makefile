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

bench: venv
	$(PY) -m benchmarks

# Strict: a dependency that could not be audited fails, unless *none* could (the vulnerability service is out of
# reach, e.g. offline): then say so loudly and pass. Known vulnerabilities always fail.
AUDIT_VERDICT := import json, sys; deps = json.load(open(sys.argv[1]))["dependencies"]; \
	vulns = [d for d in deps if d.get("vulns")]; skipped = [d for d in deps if "skip_reason" in d]; \
	offline = bool(deps) and len(skipped) == len(deps); \
	[print("audit: VULNERABLE %s %s: %s" % (d["name"], d["version"], ", ".join(v["id"] for v in d["vulns"]))) \
	 for d in vulns]; \
	[print("audit: NOT AUDITED %s: %s" % (d["name"], d["skip_reason"])) for d in skipped if not offline]; \
	print("audit: WARNING nothing was audited: the vulnerability service knew none of the %d locked dependencies " \
	"(it is unreachable from here); run make audit where it is reachable" % len(deps)) if offline else None; \
	sys.exit(1 if vulns or (skipped and not offline) else 0)

audit: venv
	@report=$$(mktemp); \
	$(VENV)/bin/pip-audit --requirement requirements.lock --progress-spinner off --format json --output $$report; \
	$(PY) -c '$(AUDIT_VERDICT)' $$report; verdict=$$?; rm -f $$report; exit $$verdict

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
