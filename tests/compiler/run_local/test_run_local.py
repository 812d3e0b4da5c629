"""run-local executes what the manifest says: real processes, real env, real exit codes."""

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from compiler.run_local.substitute import pod_name

STEP = Path(__file__).parent / "projects" / "step.py"
MATERIALIZE_PROJECTS = Path(__file__).parents[1] / "materialize" / "projects"


def config_ref(name: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"configMapKeyRef": {"name": "air-quality-config", "key": name}}}


def step_template(**extra: Any) -> dict[str, Any]:
    """The compiled step template's shape, running the recording stand-in instead of Dagster."""
    template: dict[str, Any] = {
        "name": "materialize",
        "inputs": {"parameters": [{"name": "asset"}, {"name": "label", "default": "from-default"}]},
        "container": {
            "image": "air-quality-pipeline:0.1.0",
            "command": ["python", str(STEP)],
            "args": [
                "{{inputs.parameters.asset}}",
                "--scheduled-time",
                "{{workflow.scheduledTime}}",
                "--partition",
                "{{workflow.parameters.partition}}",
                "--label",
                "{{inputs.parameters.label}}",
            ],
            "env": [
                {"name": "HOME", "value": "/tmp"},
                {"name": "STEP_PLAIN", "value": "plain-{{inputs.parameters.asset}}"},
                {"name": "STEP_CREATED", "value": "{{workflow.creationTimestamp}}"},
                # Only what the YAML declares reaches a task: the harness settings come in as ConfigMap refs.
                *(config_ref(name) for name in ("STEP_RECORD_DIR", "STEP_BEHAVIOUR")),
            ],
        },
    }
    template.update(extra)
    return template


def task(name: str, depends: str | None = None, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": name,
        "template": "materialize",
        "arguments": {"parameters": [{"name": "asset", "value": name}]},
    }
    if depends:
        entry["depends"] = depends
    entry.update(extra)
    return entry


def write_manifest(path: Path, tasks: list[dict[str, Any]], template: dict[str, Any] | None = None) -> Path:
    document = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "WorkflowTemplate",
        "metadata": {"name": "air-quality"},
        "spec": {
            "entrypoint": "main",
            "arguments": {"parameters": [{"name": "partition", "value": ""}]},
            "templates": [{"name": "main", "dag": {"tasks": tasks}}, template or step_template()],
        },
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def run_local(
    tmp_path: Path, manifest: Path, *args: str, behaviour: dict[str, Any] | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "STEP_RECORD_DIR": str(tmp_path / "record"),
        "STEP_BEHAVIOUR": json.dumps(behaviour or {}),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "compiler.run_local", str(manifest), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def events(tmp_path: Path) -> list[str]:
    log = tmp_path / "record" / "events.log"
    return log.read_text().splitlines() if log.exists() else []


def recorded(tmp_path: Path, name: str) -> dict[str, Any]:
    return json.loads((tmp_path / "record" / f"{name}.json").read_text())


def test_dependency_order_with_independent_tasks_in_parallel(tmp_path):
    manifest = write_manifest(
        tmp_path / "wf.yaml",
        [task("a"), task("b"), task("c", "a && b"), task("d", "c.Succeeded")],
    )
    # a and b each wait until the other has started: only possible when they run at the same time.
    result = run_local(tmp_path, manifest, behaviour={"a": {"wait_for": "b"}, "b": {"wait_for": "a"}})
    assert result.returncode == 0, result.stdout + result.stderr
    log = events(tmp_path)
    assert log.index("start c") > max(log.index("end a"), log.index("end b"))
    assert log.index("start d") > log.index("end c")
    assert "✔ d in" in result.stdout


def test_max_parallel_one_runs_tasks_one_at_a_time(tmp_path):
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a"), task("b"), task("c")])
    result = run_local(tmp_path, manifest, "--max-parallel", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    log = events(tmp_path)
    assert [line.split()[0] for line in log] == ["start", "end"] * 3
    assert all(log[i].split()[1] == log[i + 1].split()[1] for i in range(0, 6, 2))


def test_dependencies_list_form_is_honoured(tmp_path):
    manifest = write_manifest(tmp_path / "wf.yaml", [task("late", dependencies=["early"]), task("early")])
    result = run_local(tmp_path, manifest)
    assert result.returncode == 0, result.stdout + result.stderr
    assert events(tmp_path) == ["start early", "end early", "start late", "end late"]


def test_variables_are_substituted_and_p_overrides_a_parameter(tmp_path):
    labelled = task("b")
    labelled["arguments"]["parameters"].append({"name": "label", "value": "{{workflow.parameters.partition}}-b"})
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a"), labelled])
    result = run_local(tmp_path, manifest, "--scheduled-time", "2026-11-28T00:00:00Z", "-p", "partition=2026-01-02")
    assert result.returncode == 0, result.stdout + result.stderr
    a, b = recorded(tmp_path, "a"), recorded(tmp_path, "b")
    common = ["--scheduled-time", "2026-11-28T00:00:00Z", "--partition", "2026-01-02", "--label"]
    assert a["argv"] == ["a", *common, "from-default"]
    assert b["argv"] == ["b", *common, "2026-01-02-b"]
    assert a["env"]["STEP_PLAIN"] == "plain-a"
    assert b["env"]["STEP_PLAIN"] == "plain-b"


def test_without_scheduled_time_the_literal_stays_as_argo_leaves_it(tmp_path):
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a")])
    result = run_local(tmp_path, manifest)
    assert result.returncode == 0, result.stdout + result.stderr
    argv = recorded(tmp_path, "a")["argv"]
    assert argv[1:5] == ["--scheduled-time", "{{workflow.scheduledTime}}", "--partition", ""]


def test_unknown_p_name_is_a_usage_error(tmp_path):
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a")])
    result = run_local(tmp_path, manifest, "-p", "partiton=2026-01-02")
    assert result.returncode == 2
    assert "partiton" in result.stderr
    assert "partition" in result.stderr.split("declared:")[1]
    assert events(tmp_path) == []


def test_unresolved_variable_is_an_error_before_anything_runs(tmp_path):
    template = step_template()
    template["container"]["args"].append("{{inputs.parameters.city}}")
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a"), task("b", "a")], template)
    result = run_local(tmp_path, manifest)
    assert result.returncode == 2
    assert "{{inputs.parameters.city}}" in result.stderr
    assert events(tmp_path) == []


def secret_template() -> dict[str, Any]:
    template = step_template()
    template["container"]["env"] += [
        config_ref("STEP_CONFIG"),
        {
            "name": "STEP_SECRET",
            "valueFrom": {"secretKeyRef": {"name": "minio-credentials", "key": "secret-key"}},
        },
    ]
    return template


def test_missing_secret_env_is_reported_before_any_task_runs(tmp_path):
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a"), task("b", "a")], secret_template())
    environment = {k: v for k, v in os.environ.items() if k != "STEP_SECRET"}
    result = subprocess.run(
        [sys.executable, "-m", "compiler.run_local", str(manifest)],
        env={**environment, "STEP_RECORD_DIR": str(tmp_path / "record"), "STEP_BEHAVIOUR": "{}", "STEP_CONFIG": "cfg"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "STEP_SECRET" in result.stderr
    assert "minio-credentials/secret-key" in result.stderr
    assert events(tmp_path) == []


def test_secret_and_configmap_refs_map_to_local_env_and_secret_values_are_masked(tmp_path):
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a")], secret_template())
    secret = "s3cr3t-value-do-not-print"
    result = run_local(
        tmp_path,
        manifest,
        behaviour={"a": {"print_secret": True, "fail_lines": 1}},
        STEP_SECRET=secret,
        STEP_CONFIG="config-from-local-env",
    )
    assert result.returncode == 1
    env = recorded(tmp_path, "a")["env"]
    assert env["STEP_SECRET"] == secret  # the process got the value...
    assert env["STEP_CONFIG"] == "config-from-local-env"
    assert "the secret is ***" in result.stdout  # ...but run-local's output never shows it
    assert secret not in result.stdout + result.stderr


def test_an_env_entry_deleted_from_the_yaml_no_longer_reaches_the_task(tmp_path):
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a")], secret_template())
    assert run_local(tmp_path / "before", manifest, STEP_SECRET="s3cr3t", STEP_CONFIG="cfg").returncode == 0
    before = recorded(tmp_path / "before", "a")
    assert before["env"]["STEP_SECRET"] == "s3cr3t"

    template = secret_template()
    template["container"]["env"] = [e for e in template["container"]["env"] if e["name"] != "STEP_SECRET"]
    write_manifest(manifest, [task("a")], template)
    result = run_local(tmp_path / "after", manifest, STEP_SECRET="s3cr3t", STEP_CONFIG="cfg")
    assert result.returncode == 0, result.stdout + result.stderr
    after = recorded(tmp_path / "after", "a")
    assert "STEP_SECRET" not in after["names"]  # still set locally, but the YAML no longer asks for it
    assert after["env"]["STEP_CONFIG"] == "cfg"


def test_only_process_essentials_pass_through_from_the_local_env(tmp_path):
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a")])
    result = run_local(tmp_path, manifest, STEP_UNDECLARED="local-only", LANG="C.UTF-8", AWS_PROFILE="someone")
    assert result.returncode == 0, result.stdout + result.stderr
    names = set(recorded(tmp_path, "a")["names"])
    declared = {"HOME", "STEP_PLAIN", "STEP_CREATED", "STEP_RECORD_DIR", "STEP_BEHAVIOUR"}
    essentials = {"PATH", "PYTHONPATH", "VIRTUAL_ENV", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR"}
    assert {"PATH", "LANG"} | declared <= names
    # LC_CTYPE may appear without being passed: CPython sets it itself when coercing the C locale.
    assert names - declared - essentials == set()


def test_creation_timestamp_is_one_rfc3339_utc_value_for_every_task(tmp_path):
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a"), task("b", "a"), task("c")])
    before = datetime.now(UTC).replace(microsecond=0)
    result = run_local(tmp_path, manifest)
    after = datetime.now(UTC)
    assert result.returncode == 0, result.stdout + result.stderr
    values = {recorded(tmp_path, name)["env"]["STEP_CREATED"] for name in "abc"}
    assert len(values) == 1
    [value] = values
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value)
    assert before <= datetime.fromisoformat(value) <= after


def test_duplicate_key_in_the_manifest_is_refused_naming_it(tmp_path):
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a")])
    text = manifest.read_text(encoding="utf-8")
    # A second `template:` in task a, at the same indent: YAML would silently keep the last one.
    line = next(line for line in text.splitlines() if line.strip() == "template: materialize")
    manifest.write_text(text.replace(line, f"{line}\n{line.replace('materialize', 'other')}", 1), encoding="utf-8")
    result = run_local(tmp_path, manifest)
    assert result.returncode == 2
    assert "duplicate key 'template'" in result.stderr
    assert events(tmp_path) == []


def test_retry_limit_gives_a_second_attempt(tmp_path):
    template = step_template(
        retryStrategy={"limit": "1", "retryPolicy": "OnFailure", "backoff": {"duration": "10s", "factor": "2"}}
    )
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a"), task("b", "a")], template)
    result = run_local(tmp_path, manifest, "--backoff-scale", "0", behaviour={"a": {"fail_times": 1}})
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "record" / "a.attempts").read_text() == "2"
    assert "Argo's backoff (duration 10s, factor 2): waiting 10 s, 0 s with --backoff-scale" in result.stdout
    assert "start b" in events(tmp_path)


def every_attempt(tmp_path: Path, name: str) -> list[dict[str, Any]]:
    lines = (tmp_path / "record" / f"{name}.attempts.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_retries_is_zero_on_the_first_attempt_then_one_then_two_as_argo_sets_it(tmp_path):
    """Argo's controller sets `{{retries}}` to the retry node's child count before the new pod: 0, 1, 2 (its
    operator's `retryNum`), in args and env alike, only on a template with a retryStrategy."""
    template = step_template(retryStrategy={"limit": "3", "retryPolicy": "Always"})
    template["container"]["args"] += ["--attempt", "{{retries}}"]
    template["container"]["env"].append({"name": "STEP_TRY", "value": "try-{{ retries }}"})
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a")], template)
    result = run_local(tmp_path, manifest, behaviour={"a": {"fail_times": 2}})
    assert result.returncode == 0, result.stdout + result.stderr
    attempts = every_attempt(tmp_path, "a")
    assert [seen["argv"][-2:] for seen in attempts] == [["--attempt", "0"], ["--attempt", "1"], ["--attempt", "2"]]
    assert [seen["env"]["STEP_TRY"] for seen in attempts] == ["try-0", "try-1", "try-2"]
    assert re.search(r"^▶ a: .* --attempt 0$", result.stdout, re.M)


def test_each_attempt_of_a_retried_template_runs_in_a_pod_named_after_its_own_node(tmp_path):
    """With a retryStrategy Argo makes every attempt a child of the retry node, `<workflow>.<task>(N)`, and sets
    `{{pod.name}}` to the pod of that child; without one the pod is named after the task's own node."""
    pod_env = [
        {"name": "STEP_POD", "value": "{{pod.name}}"},
        {"name": "STEP_WORKFLOW", "value": "{{workflow.name}}"},
    ]
    retried = step_template(retryStrategy={"limit": "2", "retryPolicy": "Always"})
    retried["container"]["env"] += pod_env
    manifest = write_manifest(tmp_path / "retried.yaml", [task("a")], retried)
    result = run_local(tmp_path / "retried", manifest, behaviour={"a": {"fail_times": 2}})
    assert result.returncode == 0, result.stdout + result.stderr
    attempts = every_attempt(tmp_path / "retried", "a")
    workflow = attempts[0]["env"]["STEP_WORKFLOW"]
    assert [seen["env"]["STEP_POD"] for seen in attempts] == [
        pod_name(workflow, "materialize", f"{workflow}.a({n})") for n in range(3)
    ]

    once = step_template()
    once["container"]["env"] += pod_env
    manifest = write_manifest(tmp_path / "once.yaml", [task("b")], once)
    result = run_local(tmp_path / "once", manifest)
    assert result.returncode == 0, result.stdout + result.stderr
    [seen] = every_attempt(tmp_path / "once", "b")
    workflow = seen["env"]["STEP_WORKFLOW"]
    assert seen["env"]["STEP_POD"] == pod_name(workflow, "materialize", f"{workflow}.b")


def test_without_a_retry_strategy_retries_stays_literal_as_argo_leaves_it(tmp_path):
    """No retryStrategy: Argo never binds `{{retries}}` (and lints it: no prefix it checks), the pod sees it as
    written."""
    template = step_template()
    template["container"]["args"] += ["--attempt", "{{retries}}"]
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a")], template)
    result = run_local(tmp_path, manifest)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [seen["argv"][-1] for seen in every_attempt(tmp_path, "a")] == ["{{retries}}"]


def test_without_retry_strategy_one_failure_is_final(tmp_path):
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a")])
    result = run_local(tmp_path, manifest, behaviour={"a": {"fail_times": 1}})
    assert result.returncode == 1
    assert (tmp_path / "record" / "a.attempts").read_text() == "1"


def test_failing_task_stops_downstream_and_prints_its_log_tail(tmp_path):
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a"), task("b", "a"), task("c", "b")])
    result = run_local(tmp_path, manifest, behaviour={"a": {"fail_lines": 40}})
    assert result.returncode == 1
    assert events(tmp_path) == ["start a", "end a"]
    assert "✘ a exit 1" in result.stdout
    assert "│ a: failing attempt 1 on purpose" in result.stdout
    assert "│ line 40" in result.stdout
    assert "│ line 12" in result.stdout  # the last 30 lines: 12..40 plus the failure message
    assert "│ line 11\n" not in result.stdout
    assert "⊘ b skipped" in result.stdout
    assert "⊘ c skipped" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "run-local: 0 succeeded, 1 failed (a), 2 skipped (b, c)"


def test_editing_the_yaml_changes_what_runs(tmp_path):
    manifest = tmp_path / "wf.yaml"
    write_manifest(manifest, [task("a"), task("b", "a"), task("c", "b")])
    assert run_local(tmp_path / "first", manifest).returncode == 0
    assert [e for e in events(tmp_path / "first") if e.startswith("start")] == ["start a", "start b", "start c"]

    write_manifest(manifest, [task("a"), task("c", "a")])
    assert run_local(tmp_path / "second", manifest).returncode == 0
    assert [e for e in events(tmp_path / "second") if e.startswith("start")] == ["start a", "start c"]


def test_unsupported_depends_expression_is_refused(tmp_path):
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a"), task("b"), task("c", "a || b")])
    result = run_local(tmp_path, manifest)
    assert result.returncode == 2
    assert "'a || b'" in result.stderr
    assert events(tmp_path) == []


def test_dependency_on_a_missing_task_is_refused(tmp_path):
    manifest = write_manifest(tmp_path / "wf.yaml", [task("b", "a.Succeeded")])
    result = run_local(tmp_path, manifest)
    assert result.returncode == 2
    assert "task 'b' depends on unknown task(s) ['a']" in result.stderr


def test_compiled_contract_runs_the_real_materialize_step(tmp_path):
    """The manifest shape the compiler emits, replayed with real Dagster runs in dependency order."""
    template = step_template()
    template["container"]["command"] = ["python", "-m", "compiler", "materialize"]
    template["container"]["args"] = [
        "--module",
        "pod_fixture_project",
        "--asset",
        "{{inputs.parameters.asset}}",
        "--scheduled-time",
        "{{workflow.scheduledTime}}",
        "--created-time",
        "{{workflow.creationTimestamp}}",
        "--partition",
        "{{workflow.parameters.partition}}",
    ]
    template["container"]["env"] = [
        {"name": "FIXTURE_IO_DIR", "value": str(tmp_path / "io")},
        {
            "name": "FIXTURE_MARKER_DIR",
            "valueFrom": {"configMapKeyRef": {"name": "air-quality-config", "key": "FIXTURE_MARKER_DIR"}},
        },
    ]
    tasks = [task("fixture-raw"), task("fixture-clean", "fixture-raw")]
    tasks[0]["arguments"]["parameters"][0]["value"] = "fixture/raw"
    tasks[1]["arguments"]["parameters"][0]["value"] = "fixture/clean"
    manifest = write_manifest(tmp_path / "wf.yaml", tasks, template)
    result = run_local(
        tmp_path,
        manifest,
        "--scheduled-time",
        "2026-11-28T00:00:00Z",
        PYTHONPATH=os.pathsep.join([str(MATERIALIZE_PROJECTS), os.environ.get("PYTHONPATH", "")]),
        FIXTURE_MARKER_DIR=str(tmp_path / "markers"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in (tmp_path / "markers").iterdir()) == ["clean-2026-11-27", "raw-2026-11-27"]
    assert json.loads((tmp_path / "markers" / "clean-2026-11-27").read_text())["value"] == 42
