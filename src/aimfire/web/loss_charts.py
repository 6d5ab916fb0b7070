"""Server-rendered SVG bar charts for the loss report (pygal, no JavaScript).

Each chart is handed to the page as a ``data:`` URI for an ``<img>``: the page's content
security policy allows images from data URIs, and an SVG shown as an image runs no script.
The same numbers are always in a table next to the chart.
"""

from __future__ import annotations

import pygal
from pygal.style import Style

from aimfire.domain.postmortem import Factor, LossReport

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1d2330",
    foreground_strong="#1d2330",
    foreground_subtle="#5b6475",
    colors=("#c2410c", "#1d4ed8"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=13,
    title_font_size=15,
)


def _chart(kind: type[pygal.graph.graph.Graph], title: str, rows: int) -> pygal.graph.graph.Graph:
    return kind(
        js=[],
        style=STYLE,
        title=title,
        show_legend=False,
        print_values=True,
        width=720,
        height=max(160, 70 + 38 * rows),
        margin=12,
        truncate_label=-1,
        show_y_guides=False,
    )


def reasons_chart(report: LossReport) -> str | None:
    """Loss reasons, most frequent first, as counts."""
    if not report.reasons:
        return None
    ranked = list(reversed(report.reasons))  # a horizontal bar chart draws bottom-up
    chart = _chart(pygal.HorizontalBar, "Why deals were lost (post-mortems)", len(ranked))
    chart.x_labels = [r.label for r in ranked]
    chart.add("Losses", [r.count for r in ranked], formatter=lambda n: f"{n:.0f}")
    top = max(r.count for r in ranked)
    chart.range = (0, top)
    chart.y_labels = list(range(0, top + 1, max(1, top // 8)))  # whole deals on the axis
    return str(chart.render_data_uri())


def factor_chart(factor: Factor) -> str | None:
    """Win rate per group of one factor, each bar labelled with the count it rests on."""
    groups = [g for g in factor.groups if g.closed]
    if not groups:
        return None
    ordered = list(reversed(groups))
    chart = _chart(pygal.HorizontalBar, f"Win rate: {factor.title.lower()}", len(ordered))
    chart.x_labels = [f"{g.label} ({g.won} of {g.closed})" for g in ordered]
    chart.add(
        "Win rate",
        [round(100 * (g.win_rate or 0)) for g in ordered],
        formatter=lambda n: f"{n:.0f}%",
    )
    chart.range = (0, 100)
    return str(chart.render_data_uri())
