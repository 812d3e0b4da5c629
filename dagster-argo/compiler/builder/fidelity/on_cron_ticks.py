"""`AutomationCondition.on_cron` at daylight-saving switches: the same exact mapping as a schedule's, once checked.

Dagster's automation sensor evaluates on_cron every ~30 s and requests a run when the latest cron tick at or before
the evaluation (`AssetGraphView.compute_previous_cron_tick`: `reverse_cron_string_iterator`) is newer than the
previous evaluation, whereas a schedule's ticks come from the forward `schedule_execution_time_iterator`. Where the
two agree, an on_cron CronWorkflow gets exactly a schedule's treatment (compiler/builder/fidelity/dst_cover.py:
extra cron entries for the ticks robfig misses, the `schedule-gate` for the ones it fires that Dagster does not;
the gate asks the forward iterator, compiler/materialize/dagster_tick.py). This module checks the agreement around
every UTC-offset change of the checked years (`validate.ticks.CHECK_YEARS`): at each instant sampled (every forward
tick, a second before it, the sensor's next evaluation 30 s after, and every hour) the latest reverse tick must be
the latest forward tick. Where they differ the condition is refused with the dates, rather than mapped wrongly.
"""

import dataclasses
from bisect import bisect_right
from datetime import UTC, datetime

from compiler.builder.fidelity.dst_cover import schedule_tick_cover
from compiler.builder.model import ScheduleSpec
from compiler.errors import UnsupportedInputError
from compiler.validate.robfig import argo_schedules
from compiler.validate.ticks import CHECK_YEARS, dagster_ticks, offset_changes, span, windows

EVALUATION_DELAY = 30  # seconds: the default automation condition sensor's interval (minimum_interval_seconds)
NEAR = 3 * 3600  # seconds either side of a switch sampled at every tick and every 10 minutes


def with_tick_cover(spec: ScheduleSpec, owner: str) -> ScheduleSpec:
    """The on_cron ScheduleSpec with the cron entries and gate that make Argo fire at exactly Dagster's ticks;
    exit 2 naming `owner` (the asset or job) where on_cron's ticks are not its schedule iterator's."""
    [cron] = spec.crons
    cover = schedule_tick_cover(spec.name, spec.crons, spec.timezone)  # lists the forward ticks the check reads
    disagreements = reverse_disagreements(cron, spec.timezone)
    if disagreements:
        shown = ", ".join(datetime.fromtimestamp(t, UTC).isoformat() for t in disagreements[:3])
        raise UnsupportedInputError(
            f"{owner}: on_cron({cron}, {spec.timezone}) ticks where Dagster's automation sensor and its scheduler "
            f"disagree at a daylight-saving switch ({len(disagreements)} instant(s): {shown}); use a schedule "
            "(ScheduleDefinition) on a job of the asset, or a local time the switches never touch"
        )
    return dataclasses.replace(
        spec,
        gated=spec.gated or cover.filtered,
        argo_crons=cover.crons if cover.crons != spec.crons else (),
        tick_filter=cover.filtered,
    )


def reverse_disagreements(cron: str, timezone: str, years: tuple[int, int] = CHECK_YEARS) -> list[int]:
    """Sampled instants (Unix seconds) near an offset change where on_cron's latest tick (Dagster's reverse
    iterator) is not the latest tick of Dagster's forward iterator. The forward ticks are those of the windows the
    tick check compares (validate/ticks.py, cached), so a schedule's cover and this check list them once."""
    start, end = span(years)
    found: list[int] = []
    for low, high in windows(argo_schedules([cron], timezone), timezone, years):
        forward = dagster_ticks([cron], timezone, low, high)
        for change in offset_changes(timezone, max(low, start), min(high, end)):
            near = [t for t in forward if abs(t - change) <= NEAR]
            samples = {t + d for t in near for d in (-1, 0, EVALUATION_DELAY)}
            samples |= set(range(change - NEAR, change + NEAR, 600))
            for instant in sorted(s for s in samples if forward and forward[0] <= s < high):
                latest = forward[bisect_right(forward, instant) - 1]
                if _reverse_latest(cron, timezone, instant) != latest:
                    found.append(instant)
    return found


def _reverse_latest(cron: str, timezone: str, instant: int) -> int:
    from dagster._utils.schedules import reverse_cron_string_iterator  # Dagster's import costs ~0.5 s

    return int(next(reverse_cron_string_iterator(instant, cron, timezone)).timestamp())
