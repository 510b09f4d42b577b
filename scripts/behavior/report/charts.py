"""Plotly charts of the daily MIS report: HTML fragments that draw with the plotly.js
bundle embedded once in the page (no CDN: the file opens offline). Values show on
hover; the charts resize with the page and print as vector SVG."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from behavior.report import kpis as kpi_text

BLUE, RED, GREEN, GREY = "#2563eb", "#dc2626", "#16a34a", "#9ca3af"
CONFIG = {"displayModeBar": False, "responsive": True}
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif", "size": 11}
HOVER_FORMAT = {"rate": ".1%", "usd": "$,.2f", "seconds": ",.0f", "count": ",.0f"}


def plotly_js() -> str:
    """The plotly.js bundle, to inline once in a <script> of the page."""
    return get_plotlyjs()


def _html(fig: go.Figure, div_id: str) -> str:
    fig.update_layout(font=FONT, paper_bgcolor="white", plot_bgcolor="white", autosize=True)
    return fig.to_html(
        include_plotlyjs=False, full_html=False, config=CONFIG, div_id=div_id, validate=True
    )


def trend(trends: pd.DataFrame, kpi_name: str) -> str:
    """One KPI over the 28 days ending on the report day; anomalies marked."""
    series = trends[trends["kpi_name"] == kpi_name]
    unit = series["kpi_unit"].iloc[0] if len(series) else "count"
    fmt = HOVER_FORMAT.get(unit, ",.2f")
    fig = go.Figure(
        go.Scatter(
            x=series["report_date"],
            y=series["value"],
            mode="lines+markers",
            line={"color": BLUE, "width": 2},
            marker={"size": 4, "color": BLUE},
            hovertemplate=f"%{{x|%a %d %b}}: %{{y:{fmt}}}<extra></extra>",
        )
    )
    for direction, colour in (("up", GREEN), ("down", RED)):
        marks = series[series["anomaly_direction"] == direction]
        if len(marks):
            fig.add_trace(
                go.Scatter(
                    x=marks["report_date"],
                    y=marks["value"],
                    mode="markers",
                    marker={"size": 9, "color": colour},
                    hovertemplate=f"%{{x|%a %d %b}}: %{{y:{fmt}}} (anomaly)<extra></extra>",
                )
            )
    fig.update_layout(
        title={"text": kpi_text.label(kpi_name), "x": 0, "font": {"size": 12}},
        height=190,
        margin={"l": 48, "r": 8, "t": 30, "b": 28},
        showlegend=False,
        xaxis={"tickformat": "%d %b", "nticks": 4, "showgrid": False},
        yaxis={"tickformat": HOVER_FORMAT.get(unit, ",.2f").replace("$,.2f", "$,.0f"),
               "gridcolor": "#eef0f3", "rangemode": "tozero" if unit != "rate" else "normal"},
    )  # fmt: skip
    return _html(fig, f"trend-{kpi_name}")


def funnel(period_funnel: pd.DataFrame, period_name: str, title: str) -> str:
    """Funnel steps of one period: funnels (user x course) reaching each step."""
    steps = period_funnel[period_funnel["period_name"] == period_name].sort_values("step_number")
    names = [s.replace("_", " ") for s in steps["step_name"]]
    fig = go.Figure(
        go.Funnel(
            y=names,
            x=steps["funnels_count"],
            marker={"color": BLUE},
            texttemplate="%{value:,}<br>%{percentInitial:.1%}",
            hovertemplate="%{y}: %{x:,} funnels (%{percentInitial:.1%} of clicks)<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 12}},
        height=260,
        margin={"l": 8, "r": 8, "t": 30, "b": 8},
    )
    return _html(fig, f"funnel-{period_name}")


def cohorts(frame: pd.DataFrame) -> str:
    """Weekly sign-up cohorts x weeks after sign-up: share active that week."""
    if frame.empty:
        return '<p class="note">No weekly cohorts yet.</p>'
    grid = frame.pivot(index="cohort_date", columns="period_offset", values="returned_on_rate")
    sizes = frame.groupby("cohort_date")["cohort_size"].max()
    labels = [f"{d:%d %b} (n={int(sizes[d]):,})" for d in grid.index]
    values = grid.to_numpy(dtype=float)
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=[f"W{c}" for c in grid.columns],
            y=labels,
            colorscale="Blues",
            zmin=0,
            text=[[("" if pd.isna(v) else f"{v:.0%}") for v in row] for row in values],
            texttemplate="%{text}",
            hovertemplate="cohort %{y}, week %{x}: %{z:.1%} active<extra></extra>",
            showscale=False,
        )
    )
    fig.update_layout(
        height=60 + 22 * len(labels),
        margin={"l": 8, "r": 8, "t": 8, "b": 24},
        yaxis={"autorange": "reversed", "automargin": True},
    )
    return _html(fig, "cohorts")
