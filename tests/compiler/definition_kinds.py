"""One small Definitions per kind of definition Dagster 1.13 exports, with the verdict the compiler must reach:
compile (exit 0), warn (exit 0 and a `warning:` naming the object) or refuse (exit 2, one line naming it).
tests/compiler/test_dagster_features.py walks them; none may crash."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import dagster as dg

COMPILE, WARN, REFUSE = "compile", "warn", "refuse"


@dataclass(frozen=True)
class Kind:
    name: str
    build: Callable[[], dg.Definitions]
    verdict: str
    names: str = ""  # what the warning or the refusal must name


def _asset(name: str = "a", deps: Iterable[str] = ()) -> dg.AssetsDefinition:
    @dg.asset(name=name, deps=list(deps))
    def _materialize() -> None:
        return None

    return _materialize


def _passed() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def _assets() -> list[Kind]:
    @dg.multi_asset(
        specs=[dg.AssetSpec("m1", deps=["ext"]), dg.AssetSpec("m2")],
        check_specs=[dg.AssetCheckSpec("m1_ok", asset="m1")],
    )
    def pair() -> Iterable[Any]:
        yield dg.MaterializeResult(asset_key="m1")
        yield dg.MaterializeResult(asset_key="m2")
        yield dg.AssetCheckResult(asset_key="m1", check_name="m1_ok", passed=True)

    @dg.op
    def one() -> int:
        return 1

    @dg.graph_asset
    def graph_backed() -> int:
        return one()

    @dg.graph_multi_asset(outs={"x": dg.AssetOut(), "y": dg.AssetOut()})
    def graph_pair() -> dict[str, Any]:
        return {"x": one(), "y": one()}

    @dg.observable_source_asset
    def observed() -> dg.DataVersion:
        return dg.DataVersion("1")

    @dg.asset(freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=1)))
    def fresh() -> None:
        return None

    class Api(dg.ConfigurableResource):
        url: str = "http://example"

    @dg.asset
    def fetched(api: Api) -> None:
        return None

    @dg.asset
    def up() -> int:
        return 1

    @dg.asset
    def down(up: int) -> None:
        return None

    class FromComponent(dg.Component):
        def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
            return dg.Definitions(assets=[_asset("from_component")])

    ext, src = dg.AssetSpec("ext"), dg.SourceAsset("src")
    return [
        Kind("@asset", lambda: dg.Definitions(assets=[_asset()]), COMPILE),
        Kind(
            "@multi_asset with a check, beside an external AssetSpec",
            lambda: dg.Definitions(assets=[ext, pair]),
            COMPILE,
        ),
        Kind("@graph_asset", lambda: dg.Definitions(assets=[graph_backed]), COMPILE),
        Kind(
            "@graph_multi_asset",
            lambda: dg.Definitions(assets=[graph_pair], resources={"io_manager": dg.mem_io_manager}),
            COMPILE,
        ),
        Kind("external AssetSpec beside an asset", lambda: dg.Definitions(assets=[ext, _asset(deps=["ext"])]), COMPILE),
        Kind("SourceAsset beside an asset", lambda: dg.Definitions(assets=[src, _asset(deps=["src"])]), COMPILE),
        Kind(
            "@observable_source_asset",
            lambda: dg.Definitions(assets=[observed, _asset(deps=["observed"])]),
            WARN,
            "asset observed",
        ),
        Kind(
            "virtual AssetSpec",
            lambda: dg.Definitions(assets=[dg.AssetSpec("view", is_virtual=True), _asset(deps=["view"])]),
            REFUSE,
            "asset view",
        ),
        Kind("only external assets", lambda: dg.Definitions(assets=[ext, src]), REFUSE, "nothing to compile"),
        Kind("empty Definitions", lambda: dg.Definitions(), REFUSE, "nothing to compile"),
        Kind("FreshnessPolicy", lambda: dg.Definitions(assets=[fresh]), WARN, "asset fresh"),
        Kind("ConfigurableResource", lambda: dg.Definitions(assets=[fetched], resources={"api": Api()}), COMPILE),
        Kind(
            "default IO manager handing a value (one pod)",
            lambda: dg.Definitions(assets=[up, down]),
            WARN,
            "asset down",
        ),
        Kind("Component", lambda: dg.build_defs_for_component(component=FromComponent()), COMPILE),
    ]


def _checks() -> list[Kind]:
    a = _asset()

    @dg.asset_check(asset=a)
    def a_ok() -> dg.AssetCheckResult:
        return _passed()

    @dg.asset_check(asset="ext")
    def ext_ok() -> dg.AssetCheckResult:
        return _passed()

    @dg.asset_check(asset=a, retry_policy=dg.RetryPolicy(max_retries=1))
    def a_retried() -> dg.AssetCheckResult:
        return _passed()

    @dg.multi_asset_check(specs=[dg.AssetCheckSpec("ok", asset="a"), dg.AssetCheckSpec("ok", asset="b")])
    def both_ok() -> Iterable[dg.AssetCheckResult]:
        yield dg.AssetCheckResult(asset_key="a", check_name="ok", passed=True)
        yield dg.AssetCheckResult(asset_key="b", check_name="ok", passed=True)

    on_ext = _asset(deps=["ext"])
    ext_job = dg.define_asset_job(
        "ext_checked", selection=dg.AssetSelection.assets(on_ext) | dg.AssetSelection.checks(ext_ok)
    )
    ext = dg.AssetSpec("ext")
    return [
        Kind("@asset_check", lambda: dg.Definitions(assets=[a], asset_checks=[a_ok]), COMPILE),
        Kind(
            "@asset_check of an external asset",
            lambda: dg.Definitions(assets=[ext, on_ext], asset_checks=[ext_ok]),
            COMPILE,
        ),
        Kind(
            "a job selecting a check of an external asset",
            lambda: dg.Definitions(assets=[ext, on_ext], asset_checks=[ext_ok], jobs=[ext_job]),
            REFUSE,
            "job ext_checked",
        ),
        Kind(
            "@asset_check with retry_policy",
            lambda: dg.Definitions(assets=[a], asset_checks=[a_retried]),
            WARN,
            "asset check a_retried",
        ),
        Kind("@multi_asset_check", lambda: dg.Definitions(assets=[a, _asset("b")], asset_checks=[both_ok]), COMPILE),
    ]


def _jobs_and_schedules() -> list[Kind]:
    @dg.op
    def step() -> None:
        return None

    @dg.job
    def op_job() -> None:
        step()

    @dg.success_hook
    def notify(context: dg.HookContext) -> None:
        return None

    everything = dg.define_asset_job("everything", selection="*")

    @dg.schedule(job=everything, cron_schedule="0 1 * * *")
    def by_code(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        return dg.RunRequest()

    @dg.asset(partitions_def=dg.DailyPartitionsDefinition("2024-01-01"))
    def daily() -> None:
        return None

    daily_job = dg.define_asset_job("daily_job", selection=[daily])
    bounded = dg.multiprocess_executor.configured({"max_concurrent": 2})
    retried = dg.RetryPolicy(max_retries=2)
    two = [_asset("a"), _asset("b", ["a"])]
    return [
        Kind(
            "unscheduled define_asset_job",
            lambda: dg.Definitions(assets=two, jobs=[dg.define_asset_job("only_b", selection=["b"])]),
            COMPILE,
        ),
        Kind(
            "unscheduled job with op_retry_policy",
            lambda: dg.Definitions(assets=two, jobs=[dg.define_asset_job("retried", op_retry_policy=retried)]),
            REFUSE,
            "job retried",
        ),
        Kind(
            "unscheduled job with executor max_concurrent",
            lambda: dg.Definitions(assets=two, jobs=[dg.define_asset_job("bounded", executor_def=bounded)]),
            COMPILE,
        ),
        Kind(
            "asset job with hooks",
            lambda: dg.Definitions(assets=two, jobs=[dg.define_asset_job("hooked", hooks={notify})]),
            WARN,
            "job hooked",
        ),
        Kind("op job (@job)", lambda: dg.Definitions(assets=two, jobs=[op_job]), WARN, "job op_job"),
        Kind(
            "ScheduleDefinition",
            lambda: dg.Definitions(
                assets=two, schedules=[dg.ScheduleDefinition(job=everything, cron_schedule="0 1 * * *")]
            ),
            COMPILE,
        ),
        Kind("@schedule", lambda: dg.Definitions(assets=two, schedules=[by_code]), COMPILE),
        Kind(
            "build_schedule_from_partitioned_job",
            lambda: dg.Definitions(assets=[daily], schedules=[dg.build_schedule_from_partitioned_job(daily_job)]),
            COMPILE,
        ),
    ]


def _sensors_executors_loggers_automation() -> list[Kind]:
    job = dg.define_asset_job("sensed", selection="*")

    @dg.sensor(job=job)
    def watcher(context: dg.SensorEvaluationContext) -> None:
        return None

    @dg.asset_sensor(asset_key=dg.AssetKey("a"), job=job)
    def on_a(context: dg.SensorEvaluationContext, event: dg.EventLogEntry) -> None:
        return None

    @dg.run_failure_sensor
    def on_failure(context: dg.RunFailureSensorContext) -> None:
        return None

    @dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, request_job=job)
    def then_job(context: dg.RunStatusSensorContext) -> dg.RunRequest:
        return dg.RunRequest()

    @dg.executor(name="custom")
    def custom(init_context: dg.InitExecutorContext) -> dg.Executor:
        return dg.in_process_executor.executor_creation_fn(init_context)  # type: ignore[misc]

    @dg.logger
    def quiet(init_context: dg.InitLoggerContext) -> logging.Logger:
        return logging.getLogger("quiet")

    @dg.asset(automation_condition=dg.AutomationCondition.on_cron("0 1 * * *"))
    def root() -> None:
        return None

    @dg.asset(automation_condition=dg.AutomationCondition.eager())
    def eager() -> None:
        return None

    on_cron = dg.AutomationCondition.any_job_root_assets_match(dg.AutomationCondition.on_cron("0 1 * * *"))
    job_eager = dg.AutomationCondition.any_job_root_assets_match(dg.AutomationCondition.eager())
    a = [_asset()]
    two = [_asset("a"), _asset("b", ["a"])]
    return [
        Kind("@sensor", lambda: dg.Definitions(assets=a, sensors=[watcher]), REFUSE, "sensor watcher"),
        # compiled to Argo Events when the store is configured (test_asset_sensor_replay.py); demo settings lack it
        Kind(
            "@asset_sensor", lambda: dg.Definitions(assets=a, sensors=[on_a]), REFUSE, "sensor on_a: an @asset_sensor"
        ),
        # an alert-only run status sensor: the exit handler, warned (compiler/builder/exit_handlers.py)
        Kind("@run_failure_sensor", lambda: dg.Definitions(assets=a, sensors=[on_failure]), WARN, "sensor on_failure"),
        Kind(
            "@run_status_sensor(request_job=...)",
            lambda: dg.Definitions(assets=a, jobs=[job], sensors=[then_job]),
            WARN,  # a resource EventSource on the Workflows and a Sensor (compiler/builder/run_triggers.py)
            "sensor then_job",
        ),
        Kind(
            "AutomationConditionSensorDefinition",
            lambda: dg.Definitions(assets=a, sensors=[dg.AutomationConditionSensorDefinition("auto", target="*")]),
            COMPILE,
        ),
        Kind("in_process_executor", lambda: dg.Definitions(assets=a, executor=dg.in_process_executor), COMPILE),
        Kind(
            "multiprocess_executor without max_concurrent",
            lambda: dg.Definitions(assets=a, executor=dg.multiprocess_executor),
            WARN,
            "executor multiprocess",
        ),
        Kind("@executor", lambda: dg.Definitions(assets=a, executor=custom), WARN, "executor custom"),
        Kind("@logger", lambda: dg.Definitions(assets=a, loggers={"quiet": quiet}), WARN, "loggers quiet"),
        Kind("AutomationCondition.on_cron on a root asset", lambda: dg.Definitions(assets=[root]), COMPILE),
        Kind("AutomationCondition.eager on an asset", lambda: dg.Definitions(assets=[eager]), REFUSE, "asset eager"),
        Kind(
            "job-level on_cron",
            lambda: dg.Definitions(assets=two, jobs=[dg.define_asset_job("auto", automation_condition=on_cron)]),
            COMPILE,
        ),
        Kind(
            "job-level eager",
            lambda: dg.Definitions(assets=two, jobs=[dg.define_asset_job("eager_job", automation_condition=job_eager)]),
            REFUSE,
            "job eager_job",
        ),
    ]


def _op_jobs() -> list[Kind]:
    """Op and graph jobs (compiler/builder/op_jobs.py): each runs whole in one pod, warned by name."""

    @dg.op(out=dg.DynamicOut(int))
    def fan() -> Any:
        yield from (dg.DynamicOutput(n, mapping_key=str(n)) for n in range(2))

    @dg.op
    def double(n: int) -> int:
        return 2 * n

    @dg.op
    def total(values: list[int]) -> int:
        return sum(values)

    @dg.op(config_schema={"limit": dg.Field(int, default_value=3)})
    def limited(context: dg.OpExecutionContext) -> int:
        return int(context.op_config["limit"])

    @dg.op(config_schema={"limit": int})
    def needs_limit(context: dg.OpExecutionContext) -> int:
        return int(context.op_config["limit"])

    @dg.op(out={"maybe": dg.Out(is_required=False)})
    def branch() -> Any:
        yield dg.Output(1, "maybe")

    @dg.op
    def after(value: int) -> None:
        return None

    @dg.graph
    def inner() -> int:
        return total(fan().map(double).collect())

    @dg.graph
    def outer() -> None:
        after(inner())

    @dg.job
    def dynamic() -> None:
        total(fan().map(double).collect())

    @dg.job
    def configured() -> None:
        limited()

    @dg.job
    def unconfigured() -> None:
        needs_limit()

    @dg.job(config={"ops": {"needs_limit": {"config": {"limit": 2}}}})
    def job_config() -> None:
        needs_limit()

    @dg.job
    def conditional() -> None:
        after(branch())

    @dg.job(tags={"dagster-k8s/config": {"container_config": {"resources": {"requests": {"cpu": "250m"}}}}})
    def tagged() -> None:
        limited()

    daily = dg.DailyPartitionsDefinition("2026-01-01")

    @dg.job(partitions_def=daily, op_retry_policy=dg.RetryPolicy(max_retries=2))
    def nightly() -> None:
        limited()

    @dg.job(partitions_def=dg.DynamicPartitionsDefinition(name="files"))
    def per_file() -> None:
        limited()

    @dg.schedule(job=configured, cron_schedule="0 3 * * *")
    def with_config(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        return dg.RunRequest(run_config={"ops": {"limited": {"config": {"limit": 5}}}})

    no_config = dg.ScheduleDefinition(name="no_config", job=unconfigured, cron_schedule="0 3 * * *")

    @dg.schedule(job=configured, cron_schedule="0 4 * * *")
    def twice(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        return [dg.RunRequest(run_key="a"), dg.RunRequest(run_key="b")]

    @dg.schedule(job=configured, cron_schedule="0 5 * * 1-5")
    def weekdays(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        tick = context.scheduled_execution_time
        return dg.SkipReason("weekend") if tick and tick.weekday() >= 5 else dg.RunRequest()

    only_jobs = dg.Definitions(jobs=[dynamic])
    return [
        Kind("op job with DynamicOut, map, collect", lambda: only_jobs, WARN, "job dynamic"),
        Kind("op job with config defaults", lambda: dg.Definitions(jobs=[configured]), WARN, "job configured"),
        # a manual submit can always pass it (-p run_config=...): compiled, the WorkflowTemplate offers the parameter
        Kind("op job needing run config", lambda: dg.Definitions(jobs=[unconfigured]), COMPILE, "job unconfigured:"),
        Kind("op job with config=", lambda: dg.Definitions(jobs=[job_config]), WARN, "job job_config"),
        Kind("op job with a conditional output", lambda: dg.Definitions(jobs=[conditional]), WARN, "job conditional"),
        Kind("graph job with nested graphs", lambda: dg.Definitions(jobs=[outer.to_job()]), WARN, "job outer"),
        Kind("op job with dagster-k8s/config", lambda: dg.Definitions(jobs=[tagged]), WARN, "job tagged"),
        Kind("op job with dynamic partitions", lambda: dg.Definitions(jobs=[per_file]), REFUSE, "job per_file"),
        Kind(
            "op job schedule with run_config", lambda: dg.Definitions(schedules=[with_config]), COMPILE, "with_config"
        ),
        Kind(
            "op job schedule never supplying its required config",
            lambda: dg.Definitions(schedules=[no_config]),
            REFUSE,
            "schedule no_config",
        ),
        Kind("op job schedule with two requests", lambda: dg.Definitions(schedules=[twice]), REFUSE, "schedule twice"),
        Kind("op job @schedule skipping", lambda: dg.Definitions(schedules=[weekdays]), WARN, "job configured"),
        Kind(
            "partitioned op job scheduled",
            lambda: dg.Definitions(jobs=[nightly], schedules=[dg.build_schedule_from_partitioned_job(nightly)]),
            WARN,
            "job nightly",
        ),
        Kind(
            "op job scheduled beside assets",
            lambda: dg.Definitions(
                assets=[_asset("a")], schedules=[dg.ScheduleDefinition(job=configured, cron_schedule="0 2 * * *")]
            ),
            WARN,
            "job configured",
        ),
    ]


def definition_kinds() -> list[Kind]:
    return [*_assets(), *_checks(), *_jobs_and_schedules(), *_sensors_executors_loggers_automation(), *_op_jobs()]
