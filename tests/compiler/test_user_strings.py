"""User-supplied strings on their way into a manifest: no literal credential, no live `{{...}}`, anywhere."""

from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml

from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from compiler.errors import UnsupportedInputError
from compiler.exit_codes import INFRASTRUCTURE_RETRY_EXPRESSION
from tests.compiler.shapes import make_asset
from tests.compiler.support import demo_settings, run_compiler, write_project

# Credential-shaped values under names that do not look secret: the value alone must give them away.
CREDENTIAL_VALUES = [
    ("S3_ID", "AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
    ("GH", "ghp_" + "a1B2" * 9, "a GitHub token"),
    ("SLACK_HOOK_ID", "xoxb-1234567890-abcdefghij", "a Slack token"),
    ("DB_URL", "postgresql://db.example/app?sslmode=require&password=hunter2", "a password, secret, token or key"),
    ("DSN", "Server=db;User Id=app;Password=hunter2", "a password, secret, token or key"),
    ("MIRROR", "https://builder:s3cr3t@mirror.example/simple", "user:password@"),
    ("HEADER", "Bearer abcdefghijklmnopqrstuvwxyz012345", "an Authorization header value"),
    (
        "SESSION",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "a JSON",
    ),
]


def _tag_error(config: dict[str, object]) -> str:
    asset = make_asset("tagged", [], op_tags={"dagster-k8s/config": config})
    with pytest.raises(UnsupportedInputError) as error:
        project_from_definitions("p", dg.Definitions(assets=[asset]))
    return str(error.value)


@pytest.mark.parametrize(("name", "value", "kind"), CREDENTIAL_VALUES)
def test_a_credential_shaped_env_value_is_refused_in_a_tag_without_echoing_it(name: str, value: str, kind: str) -> None:
    message = _tag_error({"container_config": {"env": [{"name": name, "value": value}]}})
    assert "asset tagged" in message
    assert name in message
    assert kind in message
    assert value not in message
    assert "[tool.compiler.secrets]" in message


@pytest.mark.parametrize(("name", "value", "kind"), CREDENTIAL_VALUES)
def test_a_credential_shaped_env_value_is_refused_in_settings(name: str, value: str, kind: str) -> None:
    with pytest.raises(UnsupportedInputError) as error:
        demo_settings(env={"HOME": "/tmp", name: value})
    assert f"[tool.compiler.env]: {name}" in str(error.value)
    assert kind in str(error.value)
    assert value not in str(error.value)


@pytest.mark.parametrize("name", ["DB_PWD", "ADMIN_PASSWD", "TLS_CERT_KEY"])
def test_secret_looking_names_are_refused_whatever_the_value(name: str) -> None:
    assert name in _tag_error({"container_config": {"env": [{"name": name, "value": "plain"}]}})


@pytest.mark.parametrize(
    "value",
    ["/tmp", "http://minio.storage.svc:9000", "INFO", "https://api.openaq.org/v3?limit=1000&page=2", "key-value store"],
)
def test_ordinary_values_pass(value: str) -> None:
    assert dict(demo_settings(env={"HOME": "/tmp", "SETTING": value}).env)["SETTING"] == value


@pytest.mark.parametrize(
    ("config", "where"),
    [
        ({"pod_spec_config": {"tolerations": [{"key": "pool", "value": "{{workflow.name}}"}]}}, "tolerations[0].value"),
        ({"pod_spec_config": {"tolerations": [{"key": "{{x}}", "operator": "Exists"}]}}, "tolerations[0].key"),
        ({"pod_spec_config": {"node_selector": {"{{pool}}": "a"}}}, "node_selector.{{pool}}"),
        ({"container_config": {"resources": {"limits": {"memory": "{{m}}"}}}}, "limits.memory"),
        ({"container_config": {"env": [{"name": "MODE", "value": "}} {{"}]}}, "env[MODE].value"),
    ],
)
def test_a_live_argo_expression_anywhere_in_the_tag_is_refused(config: dict[str, object], where: str) -> None:
    message = _tag_error(config)
    assert where in message
    assert "Argo would evaluate" in message


def test_a_live_argo_expression_anywhere_in_the_settings_is_refused() -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"defaults": {"resources": {"limits": {"memory": "{{inputs.parameters.m}}"}}}}, "limits.memory"),
        ({"secrets": {"TOKEN": {"name": "s", "key": "{{k}}"}}}, "secrets.TOKEN.key"),
    ]
    for overrides, where in cases:
        with pytest.raises(UnsupportedInputError, match="Argo would evaluate") as error:
            demo_settings(**overrides)
        assert where in str(error.value)


def _step_of(asset: dg.AssetsDefinition, **settings: Any) -> dict[str, Any]:
    result = compile_project(project_from_definitions("p", dg.Definitions(assets=[asset])), demo_settings(**settings))
    [text] = result.files.values()
    templates = yaml.safe_load(text)["spec"]["templates"]
    [task] = templates[0]["dag"]["tasks"]
    [step] = [t for t in templates if t["name"] == task["template"]]
    return dict(step)


@pytest.mark.parametrize("section", ["job_spec_config", "pod_spec_config"])
def test_a_step_deadline_comes_from_the_dagster_k8s_tag(section: str) -> None:
    asset = make_asset("slow", [], op_tags={"dagster-k8s/config": {section: {"active_deadline_seconds": 900}}})
    assert _step_of(asset)["activeDeadlineSeconds"] == "900"
    assert _step_of(make_asset("plain", []))["activeDeadlineSeconds"] == "7200"
    assert (
        _step_of(make_asset("plain", []), defaults={"step_active_deadline_seconds": 60})["activeDeadlineSeconds"]
        == "60"
    )


def test_a_step_deadline_must_be_positive_seconds() -> None:
    assert "positive number of seconds" in _tag_error({"job_spec_config": {"active_deadline_seconds": "1h"}})
    with pytest.raises(UnsupportedInputError, match="exceeds active_deadline_seconds"):
        demo_settings(defaults={"step_active_deadline_seconds": 7 * 3600})


def test_every_step_retries_infrastructure_faults_unless_told_not_to() -> None:
    default = _step_of(make_asset("plain", []))["retryStrategy"]
    assert default == {
        "limit": "2",
        "retryPolicy": "Always",
        "expression": INFRASTRUCTURE_RETRY_EXPRESSION,  # never after a failure: Dagster runs it once
        "backoff": {"duration": "10", "factor": "2"},
    }
    told = _step_of(make_asset("plain", []), defaults={"retry_failures": True})["retryStrategy"]
    assert told == {**default, "expression": "asInt(lastRetry.exitCode) != 2 && asInt(lastRetry.exitCode) != 3"}
    tuned = _step_of(make_asset("plain", []), defaults={"retry_limit": 5, "retry_backoff_seconds": 3})
    assert tuned["retryStrategy"]["limit"] == "5"
    assert tuned["retryStrategy"]["backoff"] == {"duration": "3", "factor": "2"}
    assert "retryStrategy" not in _step_of(make_asset("plain", []), defaults={"retry_limit": 0})
    never = make_asset("once", [], retry_policy=dg.RetryPolicy(max_retries=0))  # Dagster's "do not retry"
    assert "retryStrategy" not in _step_of(never)


ENV_MODE = {"name": "MODE", "value": "fast"}
LITERAL_SECRET_PROJECT = """
import dagster as dg

TAG = {"container_config": {"env": [{"name": "S3_SK", "value": "S3SECRET-kw88Vq-7731Zx"}]}}

@dg.asset(op_tags={"dagster-k8s/config": TAG})
def uploads() -> None: ...

defs = dg.Definitions(assets=[uploads])
"""


def test_a_literal_env_value_in_a_tag_needs_a_declared_plain_name_whatever_it_looks_like(tmp_path: Path) -> None:
    """Neither the name nor the value looks secret, and it is one: only the project's declaration lets a literal
    into the committed YAML. `build` exits 2 naming the asset, the variable and the rule; nothing is written."""
    write_project(tmp_path, "project", LITERAL_SECRET_PROJECT)
    out = tmp_path / "argo_out"
    result = run_compiler("build", "--module", "project", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: asset uploads: dagster-k8s/config container_config.env S3_SK: ")
    assert "plain_env" in line
    assert "secret_key_ref" in line
    assert "S3SECRET" not in result.stdout + result.stderr
    assert not out.exists()


def test_a_declared_plain_name_keeps_its_literal_value() -> None:
    asset = make_asset("uploads", [], op_tags={"dagster-k8s/config": {"container_config": {"env": [ENV_MODE]}}})
    documents = compile_project(project_from_definitions("p", dg.Definitions(assets=[asset])), demo_settings()).files
    assert any('"MODE"' in text and '"fast"' in text for text in documents.values())
    with pytest.raises(UnsupportedInputError, match="add MODE to plain_env"):
        compile_project(project_from_definitions("p", dg.Definitions(assets=[asset])), demo_settings(plain_env=[]))


@pytest.mark.parametrize(
    ("plain_env", "message"),
    [
        (["DB_PASSWORD"], "plain_env: DB_PASSWORD looks like a credential"),
        (["OPENAQ_API_KEY"], "OPENAQ_API_KEY looks like a credential"),
        (["MODE-1"], "plain_env must be a list of environment variable names"),
    ],
)
def test_plain_env_cannot_declare_a_secret_non_secret(plain_env: list[str], message: str) -> None:
    with pytest.raises(UnsupportedInputError, match=message):
        demo_settings(plain_env=plain_env)


def test_shortened_keeps_short_values_and_names_the_length_of_long_ones() -> None:
    from compiler.user_text import SHOWN_CHARACTERS, shortened

    assert shortened("vienna|2026-11-27") == "vienna|2026-11-27"
    assert shortened("a'b", quoted=True) == '"a\'b"'
    long = "y" * 10_000
    assert shortened(long) == "y" * SHOWN_CHARACTERS + "… (10,000 characters)"
    assert shortened(long, 5, quoted=True) == "'yyyyy'… (10,000 characters)"
    assert shortened("y" * SHOWN_CHARACTERS) == "y" * SHOWN_CHARACTERS  # at the limit: whole
