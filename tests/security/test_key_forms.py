"""A credential in any spelling stays out of output: a key with a trailing newline (a Secret made from a file), a
malformed key refused before any request without being echoed, and run-local masking every form of a secret."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
import yaml

from compiler import exit_codes
from devservices.openaq_server.app import OpenAQServer
from tests.assets.cities import day_key

REPO = Path(__file__).resolve().parents[2]
MATERIALIZE = [sys.executable, "-m", "compiler", "materialize", "--module", "assets", "--asset"]


def forms(secret: str) -> list[str]:
    """The spellings a leak would take: raw, stripped, repr- and JSON-escaped, URL-encoded."""
    values = {secret, secret.strip()}
    spelled = {
        v for value in values for v in (value, repr(value)[1:-1], json.dumps(value)[1:-1], quote(value, safe=""))
    }
    spelled |= {quote_plus(value) for value in values}
    return sorted(spelled)


def assert_no_form(secret: str, text: str) -> None:
    for form in forms(secret):
        assert form not in text, f"a form of the secret ({len(form)} chars) leaked"


def test_a_key_with_a_trailing_newline_works_and_never_reaches_the_pod_log(
    s3_env: dict[str, str], openaq_env: OpenAQServer
) -> None:
    key = openaq_env.api_key + "\n"
    result = subprocess.run(
        [*MATERIALIZE, "openaq/raw_measurements", "--partition", day_key("2026-11-09")],
        cwd=REPO,
        env={**os.environ, "OPENAQ_API_KEY": key},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert_no_form(key, result.stdout + result.stderr)


@pytest.mark.parametrize("key", ["k3y-part-one\nk3y-part-two", "k3y-left k3y-right", "k3y-crlf\r\nX-Evil: yes"])
def test_a_malformed_key_is_refused_before_any_request_without_being_echoed(
    s3_env: dict[str, str], openaq_env: OpenAQServer, key: str
) -> None:
    result = subprocess.run(
        [*MATERIALIZE, "openaq/raw_measurements", "--partition", day_key("2026-11-09")],
        cwd=REPO,
        env={**os.environ, "OPENAQ_API_KEY": key},
        capture_output=True,
        text=True,
        timeout=240,
    )
    output = result.stdout + result.stderr
    assert result.returncode == exit_codes.FAILED_PERMANENTLY, result.stdout[-2000:]
    assert "OPENAQ_API_KEY" in result.stdout.splitlines()[-1]
    assert openaq_env.counters.requests == 0
    assert_no_form(key, output)
    for part in key.split():
        assert part not in output


def test_run_local_masks_every_form_of_a_secret(tmp_path: Path) -> None:
    """The task prints the secret as libraries do (repr in an exception, URL-encoded, stripped) and fails."""
    secret = "s3cr3t/Value with+space\n"
    leak = (
        "import os, json, urllib.parse as u; s = os.environ['STEP_SECRET']; "
        "print('raw', s); print('stripped', s.strip()); print('repr', repr(s)); print('json', json.dumps(s)); "
        "print('url', u.quote(s, safe='')); print('plus', u.quote_plus(s)); raise SystemExit(1)"
    )
    manifest = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "WorkflowTemplate",
        "metadata": {"name": "leaky"},
        "spec": {
            "entrypoint": "main",
            "templates": [
                {"name": "main", "dag": {"tasks": [{"name": "leak", "template": "step"}]}},
                {
                    "name": "step",
                    "container": {
                        "image": "python:3.11-slim",
                        "command": [sys.executable, "-c", leak],
                        "env": [
                            {
                                "name": "STEP_SECRET",
                                "valueFrom": {"secretKeyRef": {"name": "credentials", "key": "secret"}},
                            }
                        ],
                    },
                },
            ],
        },
    }
    path = tmp_path / "leaky.yaml"
    path.write_text(yaml.safe_dump(manifest), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "compiler", "run-local", str(path)],
        cwd=REPO,
        env={**os.environ, "STEP_SECRET": secret},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    output = result.stdout + result.stderr
    for label in ("raw", "stripped", "repr", "json", "url", "plus"):
        assert re.search(rf"│ {label} ['\"]?\*\*\*['\"]?$", output, re.MULTILINE), output  # the line, not the value
    assert_no_form(secret, output)
