"""The rows of a table of resources (search results, favourites, a list), written in Python.

In Jinja, 25 rows with their star forms were the largest part of the search page: each row
writes its title four times (the link, the star's label and the two labels the script
switches between) and every value went through the escaping of the template one by one. Here
each value is escaped once and the row is one formatted string. The markup is that of the
star macro in ``_macros.html`` (the resource page's star), which ``static/databank.js``
reads: keep the two the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from flask import url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from lms.core.i18n import gettext as _


def _title(item: Any, language: str) -> str:
    return {
        "nl": item.title_nl,
        "fr": item.title_fr,
        "de": item.title_de,
    }.get(language, item.title_en)


def result_rows(
    items: Iterable[Any],  # resources, or rows with queries.TABLE_COLUMNS
    language: str,
    favourites: set[int],
    value_label: Callable[[str, str], str],
    next_url: str | None,
    signed_in: bool,
) -> Markup:
    prefix = url_for("lms.databank.index") + "r/"  # /databank/r/<slug>, /databank/r/<id>/...
    headers = {
        "title": escape(_("Title")),
        "organisation": escape(_("Organisation")),
        "type": escape(_("Type")),
        "group": escape(_("Target group")),
    }
    add, remove = escape(_("Add to my favourites")), escape(_("Remove from my favourites"))
    token = escape(generate_csrf()) if signed_in else ""
    next_field = (
        f'\n  <input type="hidden" name="next" value="{escape(next_url)}">' if next_url else ""
    )
    rows = []
    for item in items:
        title = escape(_title(item, language))
        star = ""
        if signed_in:
            on = item.id in favourites
            pressed, state, icon = ("true", "0", "★") if on else ("false", "1", "☆")
            star = (
                f'<td class="star-cell"><form method="post" action="{prefix}{item.id}/favourite" '
                'class="star-form" data-star>\n'
                f'  <input type="hidden" name="csrf_token" value="{token}">\n'
                f'  <input type="hidden" name="on" value="{state}">{next_field}\n'
                f'  <button type="submit" class="star-button" aria-pressed="{pressed}"\n'
                f'    data-label-on="{remove}: {title}" data-label-off="{add}: {title}">\n'
                f'    <span aria-hidden="true" class="star-icon">{icon}</span>\n'
                '    <span class="visually-hidden star-label">'
                f"{remove if on else add}: {title}</span>\n"
                "  </button>\n</form></td>"
            )
        groups = ", ".join(str(escape(value_label("group", g))) for g in item.target_groups or ())
        href = f"{prefix}{escape(quote(item.slug))}"
        organisation = escape(item.organisation_name)
        kind = escape(value_label("type", item.type))
        rows.append(
            f"<tr>\n      {star}\n"
            f'      <td data-label="{headers["title"]}"><a href="{href}">{title}</a></td>\n'
            f'      <td data-label="{headers["organisation"]}">{organisation}</td>\n'
            f'      <td data-label="{headers["type"]}">{kind}</td>\n'
            f'      <td data-label="{headers["group"]}">{groups}</td>\n    </tr>'
        )
    return Markup("\n".join(rows))
