"""The site's one chart macro (templates/macros/charts.html): an SVG bar per value, scaled to the
largest, with a table of the same figures beside it, formatted by the caller's macro."""

from __future__ import annotations

import re

from flask import render_template_string

CHART = """{% from "macros/charts.html" import bar_chart, gauge %}
{% macro euros(cents) %}{{ cents|money('EUR') }}{% endmacro %}
{{ bar_chart("Spend", labels, values, format=euros, long_labels=long, testid="c") }}
{{ gauge(spent, budget) }}"""


def _render(app, **context):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        return render_template_string(CHART, **context)


def test_bars_are_scaled_to_the_largest_value_and_the_table_has_every_figure(app):
    html = _render(
        app,
        labels=["Jan", "Feb", "Mar"],
        values=[5000, 0, 2500],
        long=["January", "February", "March"],
        spent=0,
        budget=None,
    )
    heights = [
        float(h)
        for h in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="\d+" height="([\d.]+)"', html)
    ]
    assert heights == [200.0, 100.0]  # no bar for zero; half the height for half the value
    rows = re.findall(
        r"<tr><th scope=\"row\">(\w+)</th><td class=\"number\">([^<]+)</td></tr>", html
    )
    assert rows == [("January", "€50.00"), ("February", "€0.00"), ("March", "€25.00")]
    assert 'role="img"' in html and "highest: €50.00" in html
    assert "gauge" not in html  # no budget, no gauge


def test_an_empty_series_and_a_gauge_over_its_limit(app):
    html = _render(app, labels=["Jan"], values=[None], long=None, spent=150, budget=100)
    assert "<rect x=" not in html.split('<svg class="gauge')[0].split("bar-chart")[1]
    assert "€0.00" in html
    assert 'class="gauge gauge-over"' in html and 'data-share="150"' in html
    assert 'width="100.0"' in html  # the fill stops at the track's end
