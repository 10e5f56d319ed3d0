"""The charts' SVG is the strict CSP's kind: no style element or attribute, no script."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from stats import charts


def test_the_stylesheet_is_current():
    written = Path(settings.BASE_DIR, charts.CSS_PATH).read_text()

    assert written == charts.stylesheet()


def test_a_chart_is_stripped_labelled_and_stable():
    first = charts.bar("chart-x", "Tips <by> area", ["A & B", "C"], [("n", [3, None])])
    again = charts.bar("chart-x", "Tips <by> area", ["A & B", "C"], [("n", [3, None])])

    assert first == again  # no random id, no date
    assert first.startswith("<svg") and 'id="chart-x"' in first
    assert 'aria-label="Tips &lt;by&gt; area"' in first and "A &amp; B" in first
    for forbidden in ("<style", "<script", "style=", "<!--"):
        assert forbidden not in first
    # The bars stay: one per value drawn.
    assert len(re.findall(r'<rect[^>]*class="rect ', first)) == 1


def test_ids_inside_a_chart_are_its_own():
    one = charts.bar("chart-a", "A", ["x"], [("s", [1]), ("t", [2])])
    two = charts.bar("chart-b", "B", ["x"], [("s", [1]), ("t", [2])])

    ids = re.findall(r' id="([^"]+)"', one) + re.findall(r' id="([^"]+)"', two)
    assert len(ids) == len(set(ids)) > 2
    assert all(i.startswith(("chart-a", "chart-b")) for i in ids)
