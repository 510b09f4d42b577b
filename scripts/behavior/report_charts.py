"""Matplotlib charts of the daily MIS report, shared by the HTML and the PDF."""

from __future__ import annotations

import base64
import io
import logging

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)

# KPIs drawn as 30-day trends, in this order (the rest are in the tiles only).
TREND_KPIS = (
    "dau",
    "sessions",
    "new_signups",
    "stickiness",
    "net_revenue_usd",
    "payment_failure_rate",
    "funnel_conversion_rate",
    "quizzes_attempted",
    "quiz_pass_rate",
    "d7_retention_rate",
    "uninstalls",
    "course_clicks",
)
BLUE, RED, GREEN, GREY = "#2563eb", "#dc2626", "#16a34a", "#9ca3af"


def label(kpi_name: str) -> str:
    return kpi_name.replace("_usd", " (USD)").replace("_", " ")


def trends_figure(trends: pd.DataFrame) -> Figure:
    """Small multiples: one 30-day line per KPI, anomalies marked red (down) or green (up)."""
    kpis = [k for k in TREND_KPIS if k in set(trends["kpi_name"])]
    cols = 4
    rows = max(1, int(np.ceil(len(kpis) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(12, 2.2 * rows), squeeze=False)
    for ax in axes.flat[len(kpis) :]:
        ax.axis("off")
    for ax, kpi in zip(axes.flat, kpis, strict=False):
        series = trends[trends["kpi_name"] == kpi]
        ax.plot(series["report_date"], series["value"], color=BLUE, linewidth=1.4)
        for direction, colour in (("up", GREEN), ("down", RED)):
            marks = series[series["anomaly_direction"] == direction]
            ax.scatter(marks["report_date"], marks["value"], color=colour, zorder=3, s=18)
        ax.set_title(label(kpi), fontsize=9, loc="left")
        ax.tick_params(labelsize=7)
        ax.set_xticks([series["report_date"].iloc[0], series["report_date"].iloc[-1]])
        ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%d %b"))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def funnel_figure(funnel: pd.DataFrame) -> Figure:
    """Horizontal bars: user x course funnels reaching each step (all courses)."""
    fig, ax = plt.subplots(figsize=(6, 3))
    steps = funnel.sort_values("step_number")
    names = [s.replace("_", " ") for s in steps["step_name"]]
    ax.barh(names[::-1], steps["users_count"].to_numpy()[::-1], color=BLUE)
    first = steps["users_count"].iloc[0] if len(steps) else 0
    for y, value in enumerate(steps["users_count"].to_numpy()[::-1]):
        share = f" {value:,.0f} ({value / first:.0%})" if first else f" {value:,.0f}"
        ax.text(value, y, share, va="center", fontsize=8)
    ax.set_title("Purchase funnel, all courses (user x course funnels)", fontsize=10, loc="left")
    ax.tick_params(labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def cohort_figure(cohorts: pd.DataFrame) -> Figure:
    """Heatmap: weekly sign-up cohorts x weeks after sign-up, share returned that week."""
    fig, ax = plt.subplots(figsize=(6, 3.4))
    if cohorts.empty:
        ax.text(0.5, 0.5, "no cohorts yet", ha="center")
        ax.axis("off")
        return fig
    grid = cohorts.pivot(index="cohort_date", columns="period_offset", values="returned_on_rate")
    image = ax.imshow(grid.to_numpy(dtype=float), cmap="Blues", vmin=0, aspect="auto")
    ax.set_xticks(range(len(grid.columns)), [f"W{c}" for c in grid.columns], fontsize=8)
    sizes = cohorts.groupby("cohort_date")["cohort_size"].max()
    ax.set_yticks(
        range(len(grid.index)),
        [f"{d:%d %b} (n={sizes[d]})" for d in grid.index],
        fontsize=7,
    )
    for (y, x), value in np.ndenumerate(grid.to_numpy(dtype=float)):
        if not np.isnan(value):
            ax.text(x, y, f"{value:.0%}", ha="center", va="center", fontsize=6.5)
    ax.set_title("Weekly sign-up cohorts: share active in week N", fontsize=10, loc="left")
    fig.colorbar(image, ax=ax, shrink=0.8)
    fig.tight_layout()
    return fig


def to_base64_png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")
