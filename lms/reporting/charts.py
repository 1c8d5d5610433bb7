"""Charts of the dashboard, drawn on the server as SVG: no JavaScript, no chart library.

Two layers:

- **Drawing** (pure functions: numbers and texts in, SVG or HTML markup out; every text
  escaped): ``stacked_bar_chart`` (horizontal stacked bars, one segment per series),
  ``bar_chart`` (horizontal bars with their values written next to them) and ``legend``
  (an HTML list whose swatches use the chart's own fills).
- **Report charts** (``department_chart``, ``funnel_chart``): the dashboard's numbers as a
  ``Chart``: title, a plain-language summary, the SVG and the legend. They read the report
  objects and the request's language.

Accessibility: each SVG is ``role="img"`` labelled by its ``<title>`` and ``<desc>`` (the
summary); the page shows the same title as a heading, the summary as text and the same
numbers in a table. Meaning never rests on colour alone: every series has its own pattern
(empty, stripes, dots, solid) with a dark outline, repeated in the legend, and the counts are
written on the segments wide enough to hold them. Only presentation attributes (``fill=``,
``stroke=``...) and classes are used, never ``style=``, because the Content-Security-Policy
forbids inline styles.

Layout: no ``viewBox``. Bars are placed and sized in percent of the chart's width, texts in
pixels, so the bars follow the width of the screen (320 px to wide) while the text keeps its
size; long labels are wrapped onto several lines.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from lms.core.i18n import gettext as _
from lms.learning.statuses import OVERDUE, PROGRESS_STATUSES, STATUS_LABELS
from lms.reporting.reports import funnel_steps, share

#: Pixel sizes of the drawing.
LABEL_SIZE = 16
LINE_HEIGHT = 20
BAR_HEIGHT = 28
ROW_GAP = 18
VALUE_SIZE = 14
#: Characters per label line: fits a 320 px wide screen at 16 px.
WRAP = 36
#: The narrowest chart the layout plans for (a 320 px screen minus the margins), to decide
#: whether a number fits on its segment.
NARROWEST = 280
DIGIT_WIDTH = 9

TEXT = "#0b0c0c"
OUTLINE = "#0b0c0c"


@dataclass(frozen=True)
class Fill:
    """How a series is painted: a base colour and an optional pattern on it."""

    base: str
    pattern: str = ""  # "stripes", "dots" or ""
    ink: str = ""  # the pattern's colour


#: One fill per series key; the legend repeats them. Each pattern differs in shape, not
#: only in colour; every colour has at least 3:1 contrast with white or an outline.
FILLS = {
    "not_started": Fill("#ffffff"),
    "in_progress": Fill("#d2e2f1", "stripes", "#1d70b8"),
    "completed": Fill("#cce2d8", "dots", "#005a30"),
    "certified": Fill("#00703c"),
    "bar": Fill("#1d70b8"),
}


@dataclass(frozen=True)
class Series:
    key: str  # a key of FILLS
    label: str


@dataclass(frozen=True)
class StackedBar:
    label: str
    values: tuple[int, ...]  # one per series, in the series' order
    note: str = ""  # written after the label, e.g. "9 in total, 2 overdue"

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    text: str  # the value in words, written next to the bar, e.g. "7 (58%)"


@dataclass(frozen=True)
class Chart:
    """A chart ready for a page: heading, summary, SVG, legend (empty without series)."""

    id: str
    title: str
    summary: str
    svg: Markup
    legend: str = ""


# Drawing ------------------------------------------------------------------------------------


def _pct(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "%"


def _fill_ref(chart_id: str, key: str) -> str:
    fill = FILLS[key]
    return str(escape(f"url(#{chart_id}-{key})")) if fill.pattern else fill.base


def _defs(chart_id: str, keys: Sequence[str]) -> str:
    patterns = []
    for key in keys:
        fill = FILLS[key]
        pid = escape(f"{chart_id}-{key}")
        if fill.pattern == "stripes":
            patterns.append(
                f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse" '
                f'patternTransform="rotate(45)"><rect width="8" height="8" fill="{fill.base}"/>'
                f'<rect width="3.5" height="8" fill="{fill.ink}"/></pattern>'
            )
        elif fill.pattern == "dots":
            patterns.append(
                f'<pattern id="{pid}" width="7" height="7" patternUnits="userSpaceOnUse">'
                f'<rect width="7" height="7" fill="{fill.base}"/>'
                f'<circle cx="3.5" cy="3.5" r="1.9" fill="{fill.ink}"/></pattern>'
            )
    return f"<defs>{''.join(patterns)}</defs>" if patterns else ""


def _label(text: str, y: int) -> tuple[str, int]:
    """A label wrapped onto lines, its first baseline at ``y``; returns (markup, lines)."""
    lines = textwrap.wrap(text, WRAP, break_long_words=True) or [""]
    spans = "".join(
        f'<tspan x="0" dy="{0 if i == 0 else LINE_HEIGHT}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    markup = f'<text x="0" y="{y}" font-size="{LABEL_SIZE}" fill="{TEXT}">{spans}</text>'
    return markup, len(lines)


def _fits(digits: int, share: float) -> bool:
    """Whether a number of ``digits`` fits on a segment ``share`` (0..1) of the chart."""
    return share * NARROWEST >= digits * DIGIT_WIDTH + 8


def _number(
    text: str, x: str, y: float, *, anchor: str = "middle", dx: int = 0, on_dark: bool = False
) -> str:
    """A number in bold: white on a dark bar, else dark with a white halo (readable on every
    fill and pattern)."""
    paint = (
        'fill="#ffffff"'
        if on_dark
        else f'fill="{TEXT}" stroke="#ffffff" stroke-width="3" paint-order="stroke" '
        'stroke-linejoin="round"'
    )
    return (
        f'<text x="{x}" y="{y:g}" dx="{dx}" text-anchor="{anchor}" font-size="{VALUE_SIZE}" '
        f'font-weight="700" {paint}>{escape(text)}</text>'
    )


def _svg(chart_id: str, height: int, body: str, title: str, summary: str) -> Markup:
    cid = escape(chart_id)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" width="100%" '
        f'height="{height}" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'focusable="false"><title id="{cid}-title">{escape(title)}</title>'
        f'<desc id="{cid}-desc">{escape(summary)}</desc>{body}</svg>'
    )


def stacked_bar_chart(
    chart_id: str,
    title: str,
    summary: str,
    series: Sequence[Series],
    bars: Sequence[StackedBar],
) -> Markup:
    """Horizontal stacked bars: one bar per item, its length in proportion to the largest
    total, one segment per series (patterned, outlined, numbered where it fits)."""
    keys = [s.key for s in series]
    largest = max((bar.total for bar in bars), default=0)
    parts = [_defs(chart_id, keys)]
    y = 0
    for bar in bars:
        label = f"{bar.label}: {bar.note}" if bar.note else bar.label
        markup, lines = _label(label, y + LABEL_SIZE)
        parts.append(markup)
        top = y + lines * LINE_HEIGHT + 4
        offset = 0.0
        for key, value in zip(keys, bar.values, strict=True):
            if value <= 0 or largest == 0:
                continue
            share = value / largest
            parts.append(
                f'<rect x="{_pct(offset * 100)}" y="{top}" width="{_pct(share * 100)}" '
                f'height="{BAR_HEIGHT}" fill="{_fill_ref(chart_id, key)}" stroke="{OUTLINE}" '
                f'stroke-width="1"><title>{escape(_series_label(series, key))}: {value}</title>'
                f"</rect>"
            )
            if _fits(len(str(value)), share):
                middle = _pct((offset + share / 2) * 100)
                parts.append(_number(str(value), middle, top + BAR_HEIGHT / 2 + 5))
            offset += share
        y = top + BAR_HEIGHT + ROW_GAP
    return _svg(chart_id, max(y - ROW_GAP + 2, 1), "".join(parts), title, summary)


def _series_label(series: Sequence[Series], key: str) -> str:
    return next(s.label for s in series if s.key == key)


def bar_chart(chart_id: str, title: str, summary: str, bars: Sequence[Bar], maximum: int) -> Markup:
    """Horizontal bars of one series, each with its label above it and its value written on
    the bar's end (or just after a short bar)."""
    parts = []
    y = 0
    for bar in bars:
        markup, lines = _label(bar.label, y + LABEL_SIZE)
        parts.append(markup)
        top = y + lines * LINE_HEIGHT + 4
        share = bar.value / maximum if maximum else 0.0
        middle = top + BAR_HEIGHT / 2 + 5
        if share > 0:
            parts.append(
                f'<rect x="0" y="{top}" width="{_pct(share * 100)}" height="{BAR_HEIGHT}" '
                f'fill="{FILLS["bar"].base}" stroke="{OUTLINE}" stroke-width="1"/>'
            )
        if share >= 0.4:
            parts.append(
                _number(bar.text, _pct(share * 100), middle, anchor="end", dx=-6, on_dark=True)
            )
        else:
            parts.append(_number(bar.text, _pct(share * 100), middle, anchor="start", dx=6))
        y = top + BAR_HEIGHT + ROW_GAP
    return _svg(chart_id, max(y - ROW_GAP + 2, 1), "".join(parts), title, summary)


def legend(chart_id: str, series: Sequence[Series]) -> Markup:
    """The key of a chart as an HTML list; each swatch is painted with the chart's fill."""
    items = []
    for s in series:
        items.append(
            f'<li><svg class="chart-swatch" width="22" height="22" aria-hidden="true" '
            f'focusable="false"><rect x="1" y="1" width="20" height="20" '
            f'fill="{_fill_ref(chart_id, s.key)}" stroke="{OUTLINE}" stroke-width="1"/></svg>'
            f"<span>{escape(s.label)}</span></li>"
        )
    return Markup(f'<ul class="chart-legend">{"".join(items)}</ul>')


# The dashboard's charts ----------------------------------------------------------------------


def department_chart(report) -> Chart:
    """Status per department as stacked bars (a ``DashboardReport``)."""
    chart_id = "chart-departments"
    series = [Series(s, str(STATUS_LABELS[s])) for s in PROGRESS_STATUSES]
    several = report.scope.several_organisations and report.scope.organisation is None
    bars = []
    for d in report.departments:
        name = d.department if d.department is not None else _("No department")
        if several:
            name = f"{d.organisation}: {name}"
        totals = d.totals
        note = _("%(num)d in total", num=totals.enrolments)
        if totals.compliance[OVERDUE]:
            note += ", " + _("%(num)d overdue", num=totals.compliance[OVERDUE])
        bars.append(StackedBar(name, tuple(totals.progress[s] for s in PROGRESS_STATUSES), note))
    title = _("Status per department")
    summary = department_summary(report, several)
    return Chart(
        chart_id,
        title,
        summary,
        stacked_bar_chart(chart_id, title, summary, series, bars),
        legend(chart_id, series),
    )


def department_summary(report, several: bool = False) -> str:
    """One or two sentences: everyone together, then the department that most needs help."""
    totals = report.totals
    if not totals.enrolments:
        return _("Nobody here follows a course yet.")
    finished = totals.progress["completed"] + totals.progress["certified"]
    sentences = [
        _(
            "Altogether %(done)d of %(all)d have finished, %(certified)d of them with a valid "
            "certificate.",
            done=finished,
            all=totals.enrolments,
            certified=totals.progress["certified"],
        )
    ]
    worst = max(report.departments, key=lambda d: d.totals.compliance[OVERDUE], default=None)
    if worst is None or not worst.totals.compliance[OVERDUE]:
        sentences.append(_("Nobody is overdue."))
    else:
        name = worst.department if worst.department is not None else _("No department")
        if several:
            name = f"{worst.organisation}: {name}"
        sentences.append(
            _(
                "Most overdue: in %(department)s %(certified)d of %(all)d are certified and "
                "%(overdue)d are overdue.",
                department=name,
                certified=worst.totals.progress["certified"],
                all=worst.totals.enrolments,
                overdue=worst.totals.compliance[OVERDUE],
            )
        )
    return " ".join(sentences)


def funnel_chart(funnel) -> Chart:
    """A course's module funnel as bars (a ``ModuleFunnel``)."""
    chart_id = f"chart-funnel-{funnel.course_slug}"
    steps = funnel_steps(funnel)
    bars = [
        Bar(label, count, f"{count} ({share(count, funnel.enrolled) or 0}%)")
        for _key, label, count in steps
    ]
    title = _("%(course)s: how many finished each module", course=funnel.course_title)
    summary = funnel_summary(funnel)
    svg = bar_chart(chart_id, title, summary, bars, funnel.enrolled)
    return Chart(chart_id, title, summary, svg)


def funnel_summary(funnel) -> str:
    """Who follows and finished the course, and the module where most people stop."""
    sentences = [
        _(
            "%(all)d follow %(course)s and %(done)d finished it.",
            all=funnel.enrolled,
            course=funnel.course_title,
            done=funnel.completed,
        )
    ]
    counts = [funnel.enrolled] + [step.count for step in funnel.steps]
    drops = [(counts[i] - counts[i + 1], i) for i in range(len(funnel.steps))]
    drop, index = max(drops, key=lambda d: (d[0], -d[1]), default=(0, 0))
    if drop > 0:
        sentences.append(
            _(
                "Most people stop at “%(module)s”: %(before)d got there, %(after)d finished it.",
                module=funnel.steps[index].title,
                before=counts[index],
                after=counts[index + 1],
            )
        )
    elif funnel.enrolled:
        sentences.append(_("Everyone finished every module."))
    return " ".join(sentences)
