"""The chart of a target: people certified so far, month by month, against the target line.

Drawn on the server as SVG (no JavaScript). Like the dashboard's charts (``charts.py``), the
horizontal positions are percentages of the chart's width and the vertical ones pixels, so
the chart follows the width of the screen while its text keeps its size; only presentation
attributes and classes are used (the Content-Security-Policy forbids ``style=``).

Meaning never rests on colour alone: the people certified are a solid line with a round
marker on every month; the target line is dashed and thinner, and both are named in the
legend and at their ends. The SVG is ``role="img"`` with a title and a description (the
summary); the page shows the same summary as text and every month's numbers in a table.
"""

from __future__ import annotations

from itertools import pairwise

from flask_babel import format_date, format_decimal
from markupsafe import Markup, escape

from lms.core.i18n import gettext as _
from lms.reporting.charts import Chart
from lms.reporting.targets import TargetProgress

HEIGHT = 240  # the plotting area, in pixels
TOP = 28  # room above it for the highest label
BOTTOM = 44  # room below it for the months
LABEL_SIZE = 14
INK = "#0b0c0c"
ACTUAL = "#1d70b8"
LINE = "#505a5f"
GRID = "#b1b4b6"
#: Horizontal margins, in percent of the width, so markers at the ends are not cut.
LEFT, RIGHT = 2.0, 97.0


def number(value: int) -> str:
    return str(format_decimal(value))


def _pct(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "%"


def _nice_top(value: int) -> int:
    """A round number at or above ``value`` for the top of the axis (1, 2, 5 x 10^n)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def summary(progress: TargetProgress) -> str:
    """The chart in words: where the course stands, against the target and the line."""
    target = progress.target
    sentences = [
        _(
            "%(earned)s of the %(target)s people to certify for %(course)s by %(by)s hold "
            "the certificate (%(percent)d%%).",
            earned=number(progress.earned),
            target=number(target.certified),
            course=progress.course_title,
            by=format_date(target.by, "long"),
            percent=progress.percent,
        )
    ]
    if progress.reached:
        sentences.append(_("The target is reached."))
    elif progress.difference > 0:
        sentences.append(
            _(
                "That is %(num)s more than the target line asks for today (%(line)s).",
                num=number(progress.difference),
                line=number(progress.expected),
            )
        )
    elif progress.difference < 0:
        sentences.append(
            _(
                "That is %(num)s fewer than the target line asks for today (%(line)s).",
                num=number(-progress.difference),
                line=number(progress.expected),
            )
        )
    else:
        sentences.append(_("That is exactly on the target line."))
    return " ".join(sentences)


def target_chart(progress: TargetProgress) -> Chart:
    """The chart of one target (see the module docstring)."""
    chart_id = f"chart-target-{progress.target.course}"
    title = _(
        "%(course)s: people certified per month, against the target", course=progress.course_title
    )
    text = summary(progress)
    months = progress.months
    count = len(months)
    top_value = _nice_top(max(progress.target.certified, progress.earned))

    def x(index: int) -> str:
        share = index / (count - 1) if count > 1 else 0.5
        return _pct(LEFT + share * (RIGHT - LEFT))

    def y(value: int) -> float:
        return TOP + HEIGHT - HEIGHT * value / top_value

    parts: list[str] = []
    # Horizontal grid lines with their numbers just above them, at the left.
    for step in range(5):
        value = top_value * step // 4
        level = y(value)
        parts.append(
            f'<line x1="0" x2="100%" y1="{level:g}" y2="{level:g}" stroke="{GRID}" '
            f'stroke-width="1"/>'
        )
        parts.append(
            f'<text x="0" y="{level - 5:g}" font-size="{LABEL_SIZE}" fill="{INK}">'
            f"{escape(number(value))}</text>"
        )
    # The months below the axis: the first, the last and a few between; on a narrow
    # screen only the first, the middle and the last (the others have a class the style
    # sheet hides there).
    every = max(1, (count + 5) // 6)
    middle = (count // 2) // every * every
    for index, point in enumerate(months):
        last = index == count - 1
        if not last and (index % every or count - 1 - index < every):
            continue  # not on the grid, or too close to the last one
        anchor = "start" if index == 0 else "end" if last else "middle"
        hidden_when_narrow = "" if index in (0, middle) or last else ' class="chart-tick-wide"'
        parts.append(
            f'<text x="{x(index)}" y="{TOP + HEIGHT + 22}" font-size="{LABEL_SIZE}" '
            f'fill="{INK}" text-anchor="{anchor}"{hidden_when_narrow}>'
            f"{escape(format_date(point.month, 'MMM y'))}</text>"
        )
    # The target line: dashed, through the month ends at a steady pace toward the target.
    end_index = next(
        (i for i, p in enumerate(months) if p.expected_at_end >= progress.target.certified),
        count - 1,
    )
    for i in range(1, count):
        parts.append(
            f'<line x1="{x(i - 1)}" y1="{y(months[i - 1].expected_at_end):g}" x2="{x(i)}" '
            f'y2="{y(months[i].expected_at_end):g}" stroke="{LINE}" stroke-width="2" '
            f'stroke-dasharray="8 6" class="target-line"/>'
        )
    target_text = _("Target: %(num)s", num=number(progress.target.certified))
    parts.append(
        f'<text x="{x(end_index)}" y="{y(progress.target.certified) - 8:g}" '
        f'font-size="{LABEL_SIZE}" fill="{INK}" text-anchor="end">{escape(target_text)}</text>'
    )
    # People certified so far: a solid line with a marker on every month that has passed.
    known = [(i, p) for i, p in enumerate(months) if p.cumulative is not None]
    for (i, a), (j, b) in pairwise(known):
        parts.append(
            f'<line x1="{x(i)}" y1="{y(a.cumulative or 0):g}" x2="{x(j)}" '
            f'y2="{y(b.cumulative or 0):g}" stroke="{ACTUAL}" stroke-width="3"/>'
        )
    for i, point in known:
        parts.append(
            f'<circle cx="{x(i)}" cy="{y(point.cumulative or 0):g}" r="5" fill="{ACTUAL}" '
            f'stroke="#ffffff" stroke-width="1.5"><title>'
            f"{escape(format_date(point.month, 'MMMM y'))}: {escape(number(point.cumulative or 0))}"
            f"</title></circle>"
        )
    if known:
        i, last = known[-1]
        certified_text = _("Certified: %(num)s", num=number(last.cumulative or 0))
        # Written above the last dot, away from the numbers of the axis on the left.
        end = i > count / 2
        parts.append(
            f'<text x="{x(i)}" y="{y(last.cumulative or 0) - 14:g}" dx="{-4 if end else 16}" '
            f'font-size="{LABEL_SIZE}" font-weight="700" fill="{INK}" stroke="#ffffff" '
            f'stroke-width="3" paint-order="stroke" text-anchor="{"end" if end else "start"}">'
            f"{escape(certified_text)}</text>"
        )
    cid = escape(chart_id)
    svg = Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" width="100%" '
        f'height="{TOP + HEIGHT + BOTTOM}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" focusable="false">'
        f'<title id="{cid}-title">{escape(title)}</title>'
        f'<desc id="{cid}-desc">{escape(text)}</desc>{"".join(parts)}</svg>'
    )
    return Chart(chart_id, title, text, svg, legend(chart_id))


def legend(chart_id: str) -> Markup:
    """The two lines as they are drawn, with their names."""
    items = [
        (
            f'<line x1="2" y1="11" x2="34" y2="11" stroke="{ACTUAL}" stroke-width="3"/>'
            f'<circle cx="18" cy="11" r="5" fill="{ACTUAL}" stroke="#ffffff" stroke-width="1.5"/>',
            _("People certified so far (a dot per month)"),
        ),
        (
            f'<line x1="2" y1="11" x2="34" y2="11" stroke="{LINE}" stroke-width="2" '
            f'stroke-dasharray="8 6"/>',
            _("Target line: from the start to the target, at a steady pace"),
        ),
    ]
    return Markup(
        '<ul class="chart-legend">'
        + "".join(
            f'<li><svg class="chart-swatch" width="36" height="22" aria-hidden="true" '
            f'focusable="false">{drawing}</svg><span>{escape(label)}</span></li>'
            for drawing, label in items
        )
        + "</ul>"
    )
