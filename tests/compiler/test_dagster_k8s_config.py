"""Every supported `dagster-k8s/config` key lands where Kubernetes reads it in the compiled step template (both
spellings dagster-k8s accepts), and unknown, conflicting or loosening keys stop the build naming asset and key."""

from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from compiler.builder.load import project_from_definitions
from compiler.builder.plan import make_plan
from compiler.errors import UnsupportedInputError
from tests.compiler.shapes import make_asset
from tests.compiler.support import compile_defs, dag, demo_settings, run_compiler, workflow_template, write_project

SECRET_ENV = {"name": "DB_PASSWORD", "value_from": {"secret_key_ref": {"name": "db", "key": "password"}}}
CONFIG_ENV = {"name": "REGION", "valueFrom": {"configMapKeyRef": {"name": "site", "key": "region"}}}
FIELD_ENV = {"name": "POD_IP", "value_from": {"field_ref": {"field_path": "status.podIP"}}}
AFFINITY = {
    "node_affinity": {
        "required_during_scheduling_ignored_during_execution": {
            "node_selector_terms": [
                {"match_expressions": [{"key": "pool", "operator": "In", "values": ["batch"]}]},
            ]
        }
    },
    "podAntiAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {
                "weight": 10,
                "podAffinityTerm": {"labelSelector": {"matchLabels": {"app_name": "x"}}, "topologyKey": "zone"},
            }
        ]
    },
}
FULL = {
    "container_config": {
        "env": [SECRET_ENV, CONFIG_ENV, FIELD_ENV, {"name": "MODE", "value": "fast"}],
        "env_from": [{"config_map_ref": {"name": "extra-settings"}}],
        "volumeMounts": [{"name": "cache", "mount_path": "/cache", "read_only": True}],
        "security_context": {"run_as_user": 2000, "seccomp_profile": {"type": "Localhost", "localhost_profile": "p"}},
    },
    "pod_spec_config": {
        "volumes": [{"name": "cache", "persistent_volume_claim": {"claim_name": "cache-pvc"}}],
        "affinity": AFFINITY,
        "priority_class_name": "nightly-batch",
        "imagePullSecrets": [{"name": "registry-login"}],
        "security_context": {"fs_group": 3000, "run_as_user": 2000},
    },
    "pod_template_spec_metadata": {"labels": {"team": "air"}, "annotations": {"example.com/cost_center": "42"}},
}


def _step(config: dict[str, Any], **settings: Any) -> dict[str, Any]:
    asset = make_asset("tagged", [], op_tags={"dagster-k8s/config": config})
    document = workflow_template(compile_defs(dg.Definitions(assets=[asset]), **settings))
    template_name = dag(document)["tagged"]["template"]
    [step] = [t for t in document["spec"]["templates"] if t["name"] == template_name]
    return step


def _error(config: dict[str, Any], **settings: Any) -> str:
    asset = make_asset("tagged", [], op_tags={"dagster-k8s/config": config})
    with pytest.raises(UnsupportedInputError) as error:
        make_plan(project_from_definitions("p", dg.Definitions(assets=[asset])), demo_settings(**settings))
    return str(error.value)


def test_every_supported_key_lands_in_the_pod_spec() -> None:
    step = _step(FULL)
    container = step["container"]
    env = {entry["name"]: entry for entry in container["env"]}
    assert env["DB_PASSWORD"] == {
        "name": "DB_PASSWORD",
        "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}},
    }
    assert env["REGION"]["valueFrom"] == {"configMapKeyRef": {"name": "site", "key": "region"}}
    assert env["POD_IP"]["valueFrom"] == {"fieldRef": {"fieldPath": "status.podIP"}}
    assert env["MODE"] == {"name": "MODE", "value": "fast"}
    assert env["OPENAQ_API_KEY"]["valueFrom"]["secretKeyRef"]["name"] == "openaq"  # the settings' env stays
    assert container["envFrom"] == [{"configMapRef": {"name": "extra-settings"}}]
    assert container["volumeMounts"] == [
        {"name": "tmp", "mountPath": "/tmp"},
        {"name": "cache", "mountPath": "/cache", "readOnly": True},
    ]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "runAsUser": 2000,
        "seccompProfile": {"type": "Localhost", "localhostProfile": "p"},
    }
    assert step["volumes"] == [{"name": "cache", "persistentVolumeClaim": {"claimName": "cache-pvc"}}]
    terms = step["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert terms == [{"matchExpressions": [{"key": "pool", "operator": "In", "values": ["batch"]}]}]
    anti = step["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]
    assert anti["podAffinityTerm"]["labelSelector"]["matchLabels"] == {"app_name": "x"}  # data keys stay as written
    assert step["priorityClassName"] == "nightly-batch"
    assert step["podSpecPatch"] == '{"imagePullSecrets": [{"name": "registry-login"}]}'
    assert step["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 2000,
        "runAsGroup": 1000,
        "fsGroup": 3000,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert step["metadata"]["labels"]["team"] == "air"
    assert step["metadata"]["labels"]["dagster.io/asset"] == "{{inputs.parameters.task}}"
    assert step["metadata"]["annotations"]["example.com/cost_center"] == "42"


@pytest.mark.parametrize(
    ("config", "named"),
    [
        (
            {"container_config": {"volume_mounts": [{"name": "cache", "mount_path": "/c", "sub_path_typo": "x"}]}},
            "sub_path_typo",
        ),
        ({"pod_spec_config": {"affinity": {"node_afinity": {}}}}, "node_afinity"),
        ({"pod_spec_config": {"priority_class_name": "a", "priorityClassName": "b"}}, "priorityClassName"),
        (
            {"container_config": {"env_from": [{"config_map_ref": {"name": "a"}, "configMapRef": {"name": "b"}}]}},
            "configMapRef",
        ),
        ({"pod_template_spec_metadata": {"name": "x"}}, "name"),
        ({"pod_template_spec_metadata": {"labels": {"dagster.io/asset": "x"}}}, "dagster.io/asset"),
        ({"pod_spec_config": {"volumes": [{"name": "tmp", "empty_dir": {}}]}}, "'tmp'"),
        ({"container_config": {"volume_mounts": [{"name": "nowhere", "mount_path": "/x"}]}}, "nowhere"),
        (
            {
                "container_config": {
                    "env": [{"name": "X", "value": "a", "value_from": {"field_ref": {"field_path": "a"}}}]
                }
            },
            "X",
        ),
        (
            {"container_config": {"env": [{"name": "OPENAQ_BASE_URL", "valueFrom": {"fieldRef": {"fieldPath": "a"}}}]}},
            "OPENAQ_BASE_URL",
        ),
        ({"container_config": {"security_context": {"privileged": True}}}, "privileged"),
        ({"container_config": {"security_context": {"read_only_root_filesystem": False}}}, "readOnlyRootFilesystem"),
        ({"container_config": {"security_context": {"capabilities": {"add": ["NET_ADMIN"]}}}}, "capabilities"),
        ({"pod_spec_config": {"security_context": {"run_as_user": 0}}}, "runAsUser"),
        ({"pod_spec_config": {"security_context": {"seccomp_profile": {"type": "Unconfined"}}}}, "seccompProfile"),
        ({"job_config": {}}, "job_config"),
    ],
)
def test_unknown_conflicting_or_loosening_keys_name_asset_and_key(config: dict[str, Any], named: str) -> None:
    message = _error(config)
    assert "asset tagged" in message
    assert named in message


def test_security_context_as_written_when_the_settings_opt_out() -> None:
    config = {"container_config": {"security_context": {"read_only_root_filesystem": False}}}
    step = _step(config, defaults={"security_context": "user"})
    assert step["container"]["securityContext"]["readOnlyRootFilesystem"] is False


def test_secret_key_ref_is_never_refused() -> None:
    for name in ("API_TOKEN", "DB_PASSWORD", "PRIVATE_KEY"):
        entry = {"name": name, "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}
        env = {e["name"]: e for e in _step({"container_config": {"env": [entry]}})["container"]["env"]}
        assert env[name] == entry


def test_build_exits_2_naming_asset_and_key(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        "tagged",
        """
        import dagster as dg

        @dg.asset(op_tags={"dagster-k8s/config": {"pod_spec_config": {"affinity": {"node_afinity": {}}}}})
        def tagged() -> None: ...

        defs = dg.Definitions(assets=[tagged])
        """,
    )
    result = run_compiler("build", "--module", "tagged", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) <= 2, result.stderr
    assert "asset tagged" in result.stderr
    assert "node_afinity" in result.stderr
