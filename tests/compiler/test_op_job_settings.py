"""Issue 25: op/graph jobs' settings, compiled without running: a job's dagster-k8s/config tag, its resources'
EnvVars and Secrets, its ops' pools, and what is warned (compiler/builder/op_jobs.py, op_job_plan.py)."""

import dagster as dg
import pytest

from compiler.builder.load import project_from_definitions
from compiler.builder.op_job_plan import op_job_warnings
from compiler.errors import UnsupportedInputError
from tests.compiler.support import compile_defs, dag, demo_settings, workflow_template


def test_a_job_dagster_k8s_tag_sets_its_pod_and_other_jobs_share_the_default_step() -> None:
    """One op, nothing handed on: one task per op (compiler/builder/op_steps.py), the job's tag on its step."""

    @dg.op
    def light() -> None:
        return None

    tag = {"dagster-k8s/config": {"container_config": {"resources": {"requests": {"cpu": "250m"}}}}}

    @dg.job(tags=tag)
    def tagged() -> None:
        light()

    @dg.job
    def plain() -> None:
        light()

    template = workflow_template(compile_defs(dg.Definitions(jobs=[tagged, plain])))
    templates = {t["name"]: t for t in template["spec"]["templates"]}
    assert template["spec"]["entrypoint"] == "job-plain"  # no assets, so no main: the first job by name
    assert dag(template, "job-tagged")["light"]["template"] == "op-step-tagged"
    assert dag(template, "job-plain")["light"]["template"] == "op-step"
    assert templates["op-step-tagged"]["container"]["resources"]["requests"]["cpu"] == "250m"
    assert "resources" not in templates["op-step"]["container"]
    args = templates["op-step"]["container"]["args"]
    assert args[args.index("--job") + 1] == "{{inputs.parameters.asset}}"
    assert "--asset" not in args


def test_an_ops_own_tag_gets_a_step_of_its_own_merged_onto_the_jobs() -> None:
    """compiler/builder/op_pods.py: the op's tag deep-merged onto the job's, as dagster-k8s merges; no template
    left that no task runs."""

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
    assert not any("tag is not applied" in w for job in project.op_jobs for w in job.per_op_warnings)
    template = workflow_template(compile_defs(dg.Definitions(jobs=[tagged, plain])))
    templates = {t["name"]: t for t in template["spec"]["templates"]}
    assert dag(template, "job-tagged")["heavy"]["template"] == "op-step-tagged-heavy"
    assert dag(template, "job-plain")["heavy"]["template"] == "op-step-plain-heavy"
    assert templates["op-step-tagged-heavy"]["container"]["resources"] == {
        "limits": {"memory": "1Gi"},
        "requests": {"cpu": "250m"},
    }
    assert templates["op-step-plain-heavy"]["container"]["resources"] == {"limits": {"memory": "1Gi"}}
    assert sorted(name for name in templates if name.startswith("op-")) == [
        "op-step-plain-heavy",
        "op-step-tagged-heavy",
    ]


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
    assert dag(template, "job-quiet")["idle"]["template"] == "op-step"  # one op: one task per op
    assert secrets["op-step"] == []
    assert dag(template, "job-uploads")["upload"]["template"] == "op-step-uploads"
    assert secrets["op-step-uploads"] == ["MINIO_SECRET_KEY"]


def _op_job_warnings(defs: dg.Definitions) -> list[str]:
    """What `build` prints for the op jobs: each job's warnings for the mapping it gets."""
    return op_job_warnings(project_from_definitions("project", defs).op_jobs, demo_settings())


def test_an_executor_that_turns_retries_off_is_warned_by_name() -> None:
    """Dagster's own executor (multiprocess, `retries: disabled`) runs a flaky op once. In one pod,
    `execute_in_process` would retry it by its RetryPolicy, so that mapping's warning names the job; this one-op job
    gets one task per op, whose pod applies the executor's setting (compiler/materialize/op_step.py): no warning."""
    from tests.compiler.projects.fidelity import op_job_features as project

    [spec] = [job for job in project_from_definitions("p", project.defs).op_jobs if job.name == "retries_disabled"]
    assert [w for w in spec.one_pod_warnings if "retries: disabled" in w] == [
        "job retries_disabled: its executor's retries: disabled is not applied: the pod's in-process execution "
        "retries ops by their RetryPolicy (remove the policies to never retry)"
    ]
    assert [w for w in _op_job_warnings(project.defs) if "retries: disabled" in w] == []


def _pooled_job() -> dg.JobDefinition:
    @dg.op(pool="warehouse")
    def write() -> None:
        return None

    @dg.job
    def loads() -> None:
        write()

    return loads


def test_an_op_pool_becomes_a_semaphore_the_job_pod_holds_and_is_warned() -> None:
    """One op: one task per op, whose pod holds the job's pools (compiler/builder/op_jobs.py says so)."""
    defs = dg.Definitions(jobs=[_pooled_job()])
    warnings = _op_job_warnings(defs)
    assert any(w.startswith("job loads: every op's pod holds the pools of all its ops (warehouse)") for w in warnings)
    documents = compile_defs(defs, pools={"warehouse": 2})
    templates = {t["name"]: t for t in workflow_template(documents)["spec"]["templates"]}
    [semaphore] = templates["op-step-loads"]["synchronization"]["semaphores"]
    assert semaphore["configMapKeyRef"]["key"] == "warehouse"


def test_an_op_pool_without_a_limit_is_refused_naming_the_job() -> None:
    with pytest.raises(UnsupportedInputError, match=r"^job loads: pool 'warehouse' \(pool=\) has no limit"):
        compile_defs(dg.Definitions(jobs=[_pooled_job()]))
