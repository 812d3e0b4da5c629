"""The summary's chart: one panel per pollutant, the city's hourly values over the local day, with the WHO 24-hour
guideline and the daily mean as horizontal lines.

Byte-stable for the same summary: matplotlib's Agg renderer (no display, no pyplot state), Matplotlib's default
style whatever the user's matplotlibrc says, its bundled DejaVu Sans (bundled fonts win over system fonts of the
same name), a fixed width, a fixed height per panel and a fixed dpi, and no PNG metadata (no `Software` chunk; PNG
carries no timestamp unless asked). The x axis is the elapsed hours of the local day (23, 24 or 25) labelled with
local wall-clock times, so a DST day shows its missing or repeated hour.
"""

import io
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from assets.summary.compute import DaySummary, PollutantSummary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_IN = 10.0
PANEL_HEIGHT_IN = 2.2
HEADER_HEIGHT_IN = 0.9
DPI = 100
TICK_EVERY_HOURS = 3
FONT_SIZE = 9.0


def render_chart(summary: DaySummary) -> bytes:
    """The PNG bytes of `summary`'s chart: WIDTH_IN × (HEADER_HEIGHT_IN + PANEL_HEIGHT_IN per pollutant) at DPI."""
    # Imported here: only the summary step draws, and importing matplotlib would slow every other pod's start.
    import matplotlib.style
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = max(len(summary.pollutants), 1)
    with (
        matplotlib.style.context("default"),
        rc_context({"font.family": "DejaVu Sans", "font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE}),
    ):
        figure = Figure(figsize=(WIDTH_IN, HEADER_HEIGHT_IN + PANEL_HEIGHT_IN * panels), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.subplots(panels, 1, sharex=True, squeeze=False)[:, 0]
        figure.suptitle(
            f"{summary.city} {summary.day} ({summary.timezone}, {summary.hours_in_day} h): "
            "hourly value = mean over the sensors reporting that hour"
        )
        if not summary.pollutants:
            axes[0].text(0.5, 0.5, "no measurements", ha="center", va="center", transform=axes[0].transAxes)
        for ax, pollutant in zip(axes, summary.pollutants, strict=False):
            _draw_panel(ax, summary, pollutant)
        _label_hours(axes[-1], summary)
        sink = io.BytesIO()
        figure.savefig(sink, format="png", dpi=DPI, metadata={"Software": None})
    return sink.getvalue()


def _draw_panel(ax: "Axes", summary: DaySummary, pollutant: PollutantSummary) -> None:
    hours = summary.hours_in_day
    values = _hourly_series(summary, pollutant)
    ax.plot(np.arange(hours) + 0.5, values, marker="o", markersize=3, linewidth=1.2, color="tab:blue", label="hourly")
    ax.axhline(pollutant.mean, color="tab:gray", linestyle=":", linewidth=1, label=f"daily mean {pollutant.mean:.3g}")
    top = pollutant.maximum
    verdict = "no WHO 24-h guideline"
    if pollutant.guideline is not None:
        level = pollutant.guideline.level
        ax.axhline(
            level,
            color="tab:red",
            linestyle="--",
            linewidth=1,
            label=f"WHO 24-h guideline {level:g} {pollutant.units}",
        )
        top = max(top, level)
        verdict = "daily mean EXCEEDS the guideline" if pollutant.exceeds else "daily mean within the guideline"
    ax.set_ylim(0.0, top * 1.15 if top > 0 else 1.0)
    ax.set_xlim(0.0, float(hours))
    ax.set_ylabel(f"{pollutant.parameter} ({pollutant.units})")
    ax.set_title(
        f"{pollutant.parameter}: {pollutant.hours_measured}/{hours} h measured, {pollutant.sensors} sensor(s); "
        f"{verdict}",
        loc="left",
    )
    ax.grid(True, linewidth=0.3)
    ax.legend(loc="upper right", fontsize=7, frameon=False)


def _hourly_series(summary: DaySummary, pollutant: PollutantSummary) -> np.ndarray:
    """One value per hour of the local day (NaN where no sensor reported: the line shows a gap)."""
    rows = summary.hourly[
        (summary.hourly["parameter"] == pollutant.parameter) & (summary.hourly["units"] == pollutant.units)
    ]
    start = pd.Timestamp(summary.start).tz_convert("UTC")
    offsets = ((rows["period_start"] - start) / pd.Timedelta(hours=1)).to_numpy(dtype=float)
    series = np.full(summary.hours_in_day, np.nan)
    series[offsets.astype(int)] = rows["value"].to_numpy(dtype=float)
    return series


def _label_hours(ax: "Axes", summary: DaySummary) -> None:
    """Ticks every TICK_EVERY_HOURS elapsed hours, labelled with the local wall-clock time at that instant."""
    zone = ZoneInfo(summary.timezone)
    ticks = list(range(0, summary.hours_in_day + 1, TICK_EVERY_HOURS))
    if summary.hours_in_day - ticks[-1] >= 2:  # the day's end, unless its label would run into the last one
        ticks.append(summary.hours_in_day)
    labels = [(summary.start + timedelta(hours=t)).astimezone(zone).strftime("%H:%M") for t in ticks]
    ax.set_xticks(ticks, labels)
    ax.set_xlabel(f"local time ({summary.timezone}), hours of {summary.day}")
