"""Issue 25: op/graph jobs' settings, compiled without running: a job's dagster-k8s/config tag, its resources'
EnvVars and Secrets, its ops' pools, and what is warned (compiler/builder/op_jobs.py, op_job_plan.py)."""

import dagster as dg
import pytest

from compiler.builder.load import project_from_definitions
from compiler.errors import UnsupportedInputError
from tests.compiler.support import compile_defs, dag, workflow_template


def test_a_job_dagster_k8s_tag_sets_its_pod_and_other_jobs_share_the_default_step() -> None:
    @dg.op(tags={"dagster-k8s/config": {"container_config": {"resources": {"limits": {"memory": "1Gi"}}}}})
    def heavy() -> None:
        return None

    tag = {"dagster-k8s/config": {"container_config": {"resources": {"requests": {"cpu": "250m"}}}}}

    @dg.job(tags=tag)
    def tagged() -> None:
        heavy()

    @dg.job
    def plain() -> None:
        heavy()

    project = project_from_definitions("project", dg.Definitions(jobs=[tagged, plain]))
    # the op's own tag has no pod of its own: named, not dropped silently
    assert any(w.startswith("job tagged: op heavy's dagster-k8s/config tag is not applied") for w in project.warnings)
    template = workflow_template(compile_defs(dg.Definitions(jobs=[tagged, plain])))
    templates = {t["name"]: t for t in template["spec"]["templates"]}
    assert template["spec"]["entrypoint"] == "job-plain"  # no assets, so no main: the first job by name
    assert dag(template, "job-tagged")["tagged"]["template"] == "op-job-tagged"
    assert dag(template, "job-plain")["plain"]["template"] == "op-job"
    assert templates["op-job-tagged"]["container"]["resources"]["requests"]["cpu"] == "250m"
    assert "requests" not in templates["op-job"]["container"].get("resources", {}) or (
        templates["op-job"]["container"]["resources"]["requests"].get("cpu") != "250m"
    )
    args = templates["op-job"]["container"]["args"]
    assert args[args.index("--job") + 1] == "{{inputs.parameters.asset}}"
    assert "--asset" not in args


class _Store(dg.ConfigurableResource):
    endpoint: str
    key: str


def _store_job(variable: str) -> dg.JobDefinition:
    @dg.op
    def upload(store: _Store) -> None:
        return None

    @dg.job(resource_defs={"store": _Store(endpoint=dg.EnvVar("MINIO_ENDPOINT"), key=dg.EnvVar(variable))})
    def uploads() -> None:
        upload()

    return uploads


def test_an_op_job_resource_envvar_nothing_sets_is_refused_naming_the_job() -> None:
    with pytest.raises(UnsupportedInputError) as refused:
        compile_defs(dg.Definitions(jobs=[_store_job("STORE_TOKEN")]))
    assert str(refused.value).startswith("job uploads: resources read EnvVar(s) that [tool.compiler] maps to nothing")
    assert "STORE_TOKEN (resource 'store')" in str(refused.value)
    assert "MINIO_ENDPOINT" not in str(refused.value)  # a ConfigMap key of the settings


def test_with_secrets_per_asset_an_op_job_pod_gets_only_the_secrets_its_resources_read() -> None:
    @dg.op
    def idle() -> None:
        return None

    @dg.job
    def quiet() -> None:
        idle()

    defs = dg.Definitions(jobs=[_store_job("MINIO_SECRET_KEY"), quiet])
    template = workflow_template(compile_defs(defs, secrets_per_asset=True))
    templates = {t["name"]: t for t in template["spec"]["templates"]}
    secrets = {
        name: sorted(e["name"] for e in t["container"].get("env", []) if "secretKeyRef" in e.get("valueFrom", {}))
        for name, t in templates.items()
        if "container" in t
    }
    assert dag(template, "job-quiet")["quiet"]["template"] == "op-job"
    assert secrets["op-job"] == []
    assert dag(template, "job-uploads")["uploads"]["template"] == "op-job-uploads"
    assert secrets["op-job-uploads"] == ["MINIO_SECRET_KEY"]


def test_an_executor_that_turns_retries_off_is_warned_by_name() -> None:
    """Dagster's own executor (multiprocess, `retries: disabled`) runs a flaky op once; `execute_in_process` in the
    pod retries it by its RetryPolicy, so build says so, naming the job."""
    from tests.compiler.projects.fidelity import op_job_features as project

    warnings = project_from_definitions("p", project.defs).warnings
    assert [w for w in warnings if "retries: disabled" in w] == [
        "job retries_disabled: its executor's retries: disabled is not applied: the pod's in-process execution "
        "retries ops by their RetryPolicy (remove the policies to never retry)"
    ]


def _pooled_job() -> dg.JobDefinition:
    @dg.op(pool="warehouse")
    def write() -> None:
        return None

    @dg.job
    def loads() -> None:
        write()

    return loads


def test_an_op_pool_becomes_a_semaphore_the_job_pod_holds_and_is_warned() -> None:
    defs = dg.Definitions(jobs=[_pooled_job()])
    warnings = project_from_definitions("project", defs).warnings
    assert any(w.startswith("job loads: op write's pool 'warehouse' is held by the job's pod") for w in warnings)
    documents = compile_defs(defs, pools={"warehouse": 2})
    templates = {t["name"]: t for t in workflow_template(documents)["spec"]["templates"]}
    [semaphore] = templates["op-job-loads"]["synchronization"]["semaphores"]
    assert semaphore["configMapKeyRef"]["key"] == "warehouse"


def test_an_op_pool_without_a_limit_is_refused_naming_the_job() -> None:
    with pytest.raises(UnsupportedInputError, match=r"^job loads: pool 'warehouse' \(pool=\) has no limit"):
        compile_defs(dg.Definitions(jobs=[_pooled_job()]))
