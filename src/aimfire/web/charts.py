"""Scorecard trend charts: SVG drawn on the server with pygal, readable without JavaScript.

Each chart is a standalone SVG document shown with ``<img alt=...>``. It carries a
``<title>`` and a ``<desc>`` that say every number in words, draws no script, and is served
with its own Content-Security-Policy that allows the inline ``<style>`` pygal writes and
nothing else. The page shows the same numbers in a table beside the charts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

import pygal  # type: ignore[import-untyped]
from pygal.style import Style  # type: ignore[import-untyped]

from aimfire.domain.behaviour_plan import GoalKind
from aimfire.domain.scorecard import QUALITY_FACTORS
from aimfire.services.scorecard import WeekScore

CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'"
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)

STYLE = Style(
    font_family='system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1d2330",
    foreground_strong="#1d2330",
    foreground_subtle="#d9dee7",
    colors=("#1d4ed8", "#6b7280", "#15803d", "#c2410c", "#7c3aed"),
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    value_font_size=13,
)


@dataclass(frozen=True)
class ChartSpec:
    title: str
    describe: Callable[[Sequence[WeekScore]], list[str]]


def _week(score: WeekScore) -> str:
    start = score.week.start_date
    return f"{start.day} {start:%b}"


def _number(value: float | None) -> str:
    return "no target" if value is None else f"{value:,.0f}"


def _line_index(name: str) -> int:
    return {"sales": 0, "base_moves": 1, "conversations": 2}[name]


def _line_words(name: str) -> Callable[[Sequence[WeekScore]], list[str]]:
    def describe(scores: Sequence[WeekScore]) -> list[str]:
        words = []
        for score in scores:
            line = score.card.lines[_line_index(name)]
            verdict = {True: "yes", False: "no", None: "no target"}[line.met]
            words.append(
                f"week of {_week(score)}: {_number(line.actual)} against "
                f"{_number(line.target)} ({verdict})"
            )
        return words

    return describe


def _rates_words(scores: Sequence[WeekScore]) -> list[str]:
    def pct(value: float | None) -> str:
        return "none" if value is None else f"{value:.0%}"

    return [
        f"week of {_week(s)}: objectives hit {pct(s.card.rates[0].value)}, advances "
        f"{pct(s.card.rates[1].value)}, promises kept {pct(s.card.rates[2].value)}"
        for s in scores
    ]


def _quality_words(scores: Sequence[WeekScore]) -> list[str]:
    def avg(value: float | None) -> str:
        return "not rated" if value is None else f"{value:.1f}"

    return [
        f"week of {_week(s)}: "
        + ", ".join(f"{q.factor.replace('_', ' ')} {avg(q.average)}" for q in s.card.quality)
        for s in scores
    ]


CHARTS = {
    "sales": ChartSpec("Sales won per week against target", _line_words("sales")),
    "base_moves": ChartSpec("Base moves per week against target", _line_words("base_moves")),
    "conversations": ChartSpec(
        "Connected conversations per week against target", _line_words("conversations")
    ),
    "rates": ChartSpec("Objective hit, advance and promise-keeping rates", _rates_words),
    "quality": ChartSpec("Conversation quality averages (1 to 5)", _quality_words),
}


def chart_title(name: str, scores: Sequence[WeekScore]) -> str:
    title = CHARTS[name].title
    if name == "sales" and scores and scores[-1].targets.sales_kind is GoalKind.UNITS:
        title = "Units sold per week against target"
    return title


def chart_description(name: str, scores: Sequence[WeekScore]) -> str:
    """Every number of the chart in one sentence: the alt text and the SVG's <desc>."""
    return f"{chart_title(name, scores)}. " + "; ".join(CHARTS[name].describe(scores)) + "."


def chart_svg(name: str, scores: Sequence[WeekScore]) -> str:
    chart = _draw(name, scores)
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    title, desc = escape(chart_title(name, scores)), escape(chart_description(name, scores))
    # An accessible name and description for the document itself.
    svg = svg.replace(
        'class="pygal-chart"',
        'class="pygal-chart" role="img" aria-labelledby="chart-title chart-desc"',
        1,
    )
    return svg.replace(
        "</defs>",
        f'</defs><title id="chart-title">{title}</title><desc id="chart-desc">{desc}</desc>',
        1,
    )


def _draw(name: str, scores: Sequence[WeekScore]) -> pygal.Line:
    config = {
        "js": [],
        "style": STYLE,
        "width": 720,
        "height": 340,
        "title": chart_title(name, scores),
        "show_legend": True,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 3,
        "margin_bottom": 24,  # room under the legend, or its last row is cut off
        "dots_size": 4,
        "stroke_style": {"width": 3},
        "x_label_rotation": 0,
        "truncate_label": -1,
        "truncate_legend": -1,
        "value_formatter": lambda v: f"{v:,.0f}",
        "disable_xml_declaration": True,
        "print_values": False,
    }
    labels = [_week(s) for s in scores]
    if name in ("sales", "base_moves", "conversations"):
        chart = pygal.Line(**{**config, "min_scale": 3, "max_scale": 6, "include_x_axis": True})
        chart.x_labels = labels
        index = _line_index(name)
        chart.add("Actual", [s.card.lines[index].actual for s in scores])
        chart.add(
            "Target",
            [s.card.lines[index].target for s in scores],
            stroke_style={"width": 2, "dasharray": "8, 6"},
            show_dots=False,
        )
        return chart
    if name == "rates":
        percent = {
            "include_x_axis": True,
            "range": (0, 100),
            "value_formatter": lambda v: f"{v:.0f}%",
        }
        chart = pygal.Line(**{**config, **percent})
        chart.x_labels = labels
        for i, label in enumerate(("Objectives hit", "Advance rate", "Promises kept")):
            chart.add(label, [_percent(s.card.rates[i].value) for s in scores])
        return chart
    chart = pygal.Line(**{**config, "range": (1, 5), "value_formatter": lambda v: f"{v:.1f}"})
    chart.x_labels = labels
    for i, factor in enumerate(QUALITY_FACTORS):
        chart.add(
            factor.replace("_", " ").capitalize(), [s.card.quality[i].average for s in scores]
        )
    return chart


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)
