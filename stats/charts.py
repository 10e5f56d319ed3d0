"""Charts drawn on the server by pygal, as inline SVG the strict CSP allows.

pygal's SVG carries a `<style>` element scoped to a random id, a `<script>` for its tooltips
and a `style` attribute on the tooltip group; the CSP (`style-src 'self'`, scripts only with a
nonce) would block all three, and the random id would make every page different. So each chart
is rendered to an element tree, stripped of those, given a stable id and a label, and styled
by `static/stats/charts.css`, which `stylesheet()` writes from the same pygal style (a test
checks the file is current). Every chart is shown with a table of its numbers beside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

# Okabe-Ito: told apart with the common forms of colour blindness, and in greyscale print.
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2328",
    foreground_strong="#1f2328",
    foreground_subtle="#57606a",
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    title_font_size=20,
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=14,
    value_font_size=14,
    colors=(
        "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
        "#000000", "#999999",
    ),
)  # fmt: skip
CSS_PATH = "static/stats/charts.css"

Value = int | float | None


@dataclass
class Chart:
    """A chart and the table of its numbers: `rows` are (label, values...) under `headers`."""

    id: str
    title: str
    svg: SafeString
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def _config(**options: Any) -> dict[str, Any]:
    return {
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "show_legend": True,
        "legend_at_bottom": True,
        "print_values": False,
        "margin": 16,
        **options,
    }


def _clean(chart: Any, chart_id: str, title: str) -> SafeString:
    tree = chart.render_tree()
    parents = {child: parent for parent in tree.iter() for child in parent}
    for element in list(tree.iter()):
        tag = element.tag if isinstance(element.tag, str) else ""
        name = tag.rsplit("}", 1)[-1]
        # Comments (pygal's credits) have no string tag; tooltips need the script.
        tooltip = "tooltip" in (element.get("class") or "").split()
        if not tag or name in {"style", "script"} or tooltip:
            parents[element].remove(element)
            continue
        element.attrib.pop("style", None)
        if element.get("id"):
            # pygal numbers its legend groups the same in every chart: unique on the page.
            element.set("id", f"{chart_id}-{element.get('id')}")
    tree.set("id", chart_id)
    tree.set("class", "pygal-chart")
    tree.set("role", "img")
    tree.set("aria-label", title)
    tree.set("focusable", "false")
    markup = _serialize(tree)
    # What is left is pygal's own markup around labels it escaped itself.
    return mark_safe(markup)  # noqa: S308 - built above from our labels, escaped by the serializer


def _serialize(tree: Any) -> str:
    try:
        from lxml import etree  # noqa: PLC0415 - pygal uses lxml when it is installed

        if isinstance(tree, etree._Element):
            return str(etree.tostring(tree, encoding="unicode"))
    except ImportError:  # pragma: no cover
        pass
    import xml.etree.ElementTree as ET  # noqa: PLC0415 - writing, not parsing

    return ET.tostring(tree, encoding="unicode")


def bar(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Value]]],
    *,
    stacked: bool = False,
    horizontal: bool = True,
    percent: bool = False,
) -> SafeString:
    kind = {
        (False, True): pygal.HorizontalBar,
        (True, True): pygal.HorizontalStackedBar,
        (False, False): pygal.Bar,
        (True, False): pygal.StackedBar,
    }[(stacked, horizontal)]
    chart = kind(
        **_config(
            title=title,
            show_legend=len(series) > 1,
            x_label_rotation=0 if horizontal else 30,
            value_formatter=(lambda v: f"{v:.0%}") if percent else (lambda v: f"{v:g}"),
            range=(0, 1) if percent else None,
        )
    )
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _clean(chart, chart_id, title)


def line(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Value]]],
) -> SafeString:
    chart = pygal.Line(
        **_config(
            title=title,
            show_legend=len(series) > 1,
            x_label_rotation=30,
            range=(0, 1),
            value_formatter=lambda v: f"{v:.0%}",
            allow_interruptions=True,
        )
    )
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _clean(chart, chart_id, title)


def stylesheet() -> str:
    """The CSS of `STYLE` for every chart kind used, scoped to `.pygal-chart` instead of one
    chart's random id."""
    rules: list[str] = []
    for kind in (pygal.HorizontalBar, pygal.StackedBar, pygal.Line):
        chart = kind(**_config(title="x"))
        chart.add("x", [1])
        tree = chart.render_tree()
        for element in tree.iter():
            tag = element.tag if isinstance(element.tag, str) else ""
            if tag.rsplit("}", 1)[-1] == "style" and element.text:
                css = re.sub(r"#chart-[0-9a-f-]+", ".pygal-chart", element.text)
                rules.extend(rule + "}" for rule in css.split("}") if rule.strip())
    unique = list(dict.fromkeys(rule.strip() for rule in rules))
    head = "/* Written by stats.charts.stylesheet() from the pygal style: do not edit. */\n"
    return head + "\n".join(unique) + "\n"
