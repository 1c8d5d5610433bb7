"""The SVG charts (lms/reporting/charts.py): proportions, labels, escaping, accessibility
(title, desc, patterns and a legend, never only colour), the summaries, and the dashboard
that shows them next to the tables without inline styles."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from lms.reporting import charts
from lms.reporting.charts import FILLS, Bar, Series, StackedBar
from lms.reporting.reports import DepartmentCounts, FunnelStep, ModuleFunnel, StatusTotals
from tests.conftest import login
from tests.reporting.conftest import department

SVG = "{http://www.w3.org/2000/svg}"
SERIES = [
    Series("not_started", "Not started"),
    Series("in_progress", "In progress"),
    Series("completed", "Completed"),
    Series("certified", "Certified"),
]


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def bars_of(root: ET.Element) -> list[ET.Element]:
    """The drawn rectangles (not those inside pattern definitions)."""
    return [child for child in root if child.tag == f"{SVG}rect"]


def texts_of(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root if t.tag == f"{SVG}text"]


def percent(value: str) -> float:
    assert value.endswith("%"), value
    return float(value[:-1])


def test_stacked_bars_are_in_proportion_and_named(request_context):
    svg = charts.stacked_bar_chart(
        "c",
        "Status per department",
        "Two sentences.",
        SERIES,
        [
            StackedBar("Onthaal", (2, 3, 0, 4), "9 in total, 2 overdue"),
            StackedBar("Leeg", (1, 0, 0, 0)),
        ],
    )
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c-title c-desc"
    assert root.find(f"{SVG}title").text == "Status per department"
    assert root.find(f"{SVG}desc").text == "Two sentences."
    assert root.find(f"{SVG}title").get("id") == "c-title"
    rects = bars_of(root)
    # Onthaal: 2, 3 and 4 of the largest total 9 (the empty "completed" is not drawn).
    assert [percent(r.get("width")) for r in rects[:3]] == pytest.approx(
        [200 / 9, 300 / 9, 400 / 9], abs=0.001
    )
    assert [percent(r.get("x")) for r in rects[:3]] == pytest.approx(
        [0, 200 / 9, 500 / 9], abs=0.001
    )
    assert [r.find(f"{SVG}title").text for r in rects] == [
        "Not started: 2", "In progress: 3", "Certified: 4", "Not started: 1"
    ]  # fmt: skip
    # Patterned series point at their pattern; every drawn segment is outlined.
    patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    assert rects[1].get("fill") == "url(#c-in_progress)" and "c-in_progress" in patterns
    assert rects[2].get("fill") == FILLS["certified"].base
    assert all(r.get("stroke") == charts.OUTLINE for r in rects)
    texts = texts_of(root)
    assert texts[0] == "Onthaal: 9 in total, 2 overdue"
    assert {"2", "3", "4", "1"} <= set(texts)


def test_a_segment_too_narrow_for_its_number_has_none(request_context):
    root = parse(charts.stacked_bar_chart("c", "t", "s", SERIES, [StackedBar("A", (1, 99, 0, 0))]))
    assert "99" in texts_of(root) and "1" not in texts_of(root)


def test_text_is_escaped_and_no_inline_style_is_used(request_context):
    evil = '<script>alert("x")</script> & "Co"'
    svg = str(
        charts.stacked_bar_chart(evil, evil, evil, SERIES, [StackedBar(evil, (1, 2, 3, 4), evil)])
    )
    svg += str(charts.bar_chart("b", evil, evil, [Bar(evil, 3, evil)], 4))
    svg += str(charts.legend("c", [Series("bar", evil)]))
    assert "<script" not in svg
    assert not re.search(r"\sstyle=", svg) and "<style" not in svg
    bars = [StackedBar(evil, (1, 0, 0, 0))]
    root = parse(charts.stacked_bar_chart("c", evil, evil, SERIES, bars))
    assert root.find(f"{SVG}title").text == evil
    assert " ".join(s.text for s in root.iter(f"{SVG}tspan")) == evil


def test_long_labels_are_wrapped_onto_lines(request_context):
    label = "Finished: Overzicht van toepassingen en diensten voor de burger"
    root = parse(charts.bar_chart("b", "t", "s", [Bar(label, 5, "5 (50%)")], 10))
    spans = [s.text for s in root.iter(f"{SVG}tspan")]
    assert len(spans) >= 2 and all(len(s) <= charts.WRAP for s in spans)
    assert " ".join(spans) == label


def test_bars_show_their_value_on_or_after_the_bar(request_context):
    root = parse(
        charts.bar_chart("b", "t", "s", [Bar("All", 10, "10 (100%)"), Bar("Few", 1, "1 (10%)")], 10)
    )
    rects = bars_of(root)
    assert [percent(r.get("width")) for r in rects] == [100, 10]
    values = [t for t in root if t.tag == f"{SVG}text" and t.get("text-anchor")]
    assert [(t.text, t.get("text-anchor")) for t in values] == [
        ("10 (100%)", "end"),  # on the long bar
        ("1 (10%)", "start"),  # after the short one
    ]


def test_the_legend_repeats_the_charts_fills(request_context):
    legend = parse(charts.legend("c", SERIES))
    items = legend.findall("li")
    assert [i.find("span").text for i in items] == [s.label for s in SERIES]
    fills = [i.find("svg/rect").get("fill") for i in items]
    assert fills == ["#ffffff", "url(#c-in_progress)", "url(#c-completed)", "#00703c"]
    assert all(i.find("svg").get("aria-hidden") == "true" for i in items)


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_series_differ_by_more_than_colour_and_stand_out():
    fills = [FILLS[s.key] for s in SERIES]
    for i, a in enumerate(fills):
        for b in fills[i + 1 :]:
            # A different pattern, or (both plain) a strong difference in lightness.
            assert a.pattern != b.pattern or contrast(a.base, b.base) >= 3, (a, b)
    # Segment outlines and the text stand out from white and from every fill.
    assert contrast(charts.OUTLINE, "#ffffff") >= 4.5
    for fill in fills:
        assert contrast(charts.OUTLINE, fill.base) >= 3
        if fill.ink:
            assert contrast(fill.ink, "#ffffff") >= 3
    assert contrast(FILLS["bar"].base, "#ffffff") >= 3


# Summaries -----------------------------------------------------------------------------------


def totals(not_started=0, in_progress=0, completed=0, certified=0, overdue=0, mandatory=0):
    progress = {
        "not_started": not_started,
        "in_progress": in_progress,
        "completed": completed,
        "certified": certified,
    }
    compliance = {"compliant": 0, "on_track": 0, "due_soon": 0, "overdue": overdue}
    return StatusTotals(sum(progress.values()), 0, progress, mandatory, compliance, 0)


def dashboard(*departments):
    everything = dict.fromkeys(("not_started", "in_progress", "completed", "certified"), 0)
    overdue = 0
    for d in departments:
        for key in everything:
            everything[key] += d.totals.progress[key]
        overdue += d.totals.compliance["overdue"]
    return SimpleNamespace(
        totals=totals(**everything, overdue=overdue),
        departments=departments,
        scope=SimpleNamespace(several_organisations=False, organisation=None),
    )


def test_the_department_summary_names_the_department_that_needs_help(request_context):
    report = dashboard(
        DepartmentCounts(1, "De Panne", 10, "Burgerzaken", totals(not_started=2, completed=1)),
        DepartmentCounts(1, "De Panne", 11, "Onthaal", totals(2, 3, 0, 4, overdue=2, mandatory=9)),
    )
    chart = charts.department_chart(report)
    assert chart.title == "Status per department"
    assert chart.summary == (
        "Altogether 5 of 12 have finished, 4 of them with a valid certificate. "
        "Most overdue: in Onthaal 4 of 9 are certified and 2 are overdue."
    )
    root = parse(chart.svg)
    assert root.find(f"{SVG}desc").text == chart.summary
    assert texts_of(root)[0] == "Burgerzaken: 3 in total"
    assert "Onthaal: 9 in total, 2 overdue" in texts_of(root)
    calm = dashboard(DepartmentCounts(1, "De Panne", None, None, totals(in_progress=1)))
    assert charts.department_chart(calm).summary.endswith("Nobody is overdue.")
    assert "No department: 1 in total" in texts_of(parse(charts.department_chart(calm).svg))
    assert charts.department_chart(dashboard()).summary == "Nobody here follows a course yet."


def funnel(enrolled, counts, completed, certified):
    steps = tuple(FunnelStep(f"m{i}", f"Module {i}", c) for i, c in enumerate(counts, 1))
    return ModuleFunnel(1, "rapport", "Rapport", enrolled, steps, completed, certified)


def test_the_funnel_summary_names_the_module_where_most_people_stop(request_context):
    chart = charts.funnel_chart(funnel(10, (8, 3, 3), 3, 2))
    assert chart.title == "Rapport: how many finished each module"
    assert chart.summary == (
        "10 follow Rapport and 3 finished it. Most people stop at “Module 2”: 8 got there, "
        "3 finished it."
    )
    root = parse(chart.svg)
    values = [t.text for t in root if t.tag == f"{SVG}text" and t.get("text-anchor")]
    assert values == ["10 (100%)", "8 (80%)", "3 (30%)", "3 (30%)", "3 (30%)", "2 (20%)"]
    assert [percent(r.get("width")) for r in bars_of(root)] == [100, 80, 30, 30, 30, 20]
    assert charts.funnel_chart(funnel(4, (4, 4), 4, 4)).summary.endswith(
        "Everyone finished every module."
    )


# The dashboard --------------------------------------------------------------------------------


def test_the_dashboard_shows_each_chart_with_its_table(
    client, make_user, towns, report_course, add_rule, progress, app
):
    de_panne, _koksijde = towns
    onthaal = department(app, de_panne, "Onthaal")
    for index, sections in enumerate((0, 3, 8)):
        person = make_user(name=f"P{index}", organisation=de_panne, department=onthaal)
        progress(person, report_course, sections)
    coordinator = make_user(name="Co", manages=[de_panne], roles=("manager",), language="en")
    login(client, coordinator)
    html = client.get("/progress/").get_data(as_text=True)
    assert not re.search(r"\sstyle=", html) and "<style" not in html
    assert html.count('role="img"') == 2
    for chart_id, table_id in (
        ("chart-departments", "department-table"),
        ("chart-funnel-rapport", "funnel-rapport"),
    ):
        assert f'id="{chart_id}"' in html
        assert html.index(f'id="{chart_id}"') < html.index(f'id="{table_id}"')
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in html
    assert '<h3 class="chart-title">Status per department</h3>' in html
    assert "Altogether 1 of 3 have finished, 1 of them with a valid certificate." in html
    assert 'class="chart-legend"' in html
