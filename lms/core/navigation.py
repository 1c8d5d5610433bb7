"""Entries that features add to the main menu (after the fixed ones of ``base.html``).

A feature registers an entry once, when its views are imported: the page it links to, who
sees it, and optionally a number to show next to it (read only when the menu is drawn for
someone who sees the entry), such as the reported posts waiting for a trainer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask


@dataclass(frozen=True)
class MenuEntry:
    endpoint: str
    #: The link's text (called when drawn, so it is in the reader's language).
    label: Callable[[], str]
    #: Whether a (logged-in) person sees the entry.
    shown_to: Callable[[Any], bool]
    #: A number waiting for them there, and how to say it ("3 waiting"); 0 shows nothing.
    count: Callable[[], int] | None = None
    count_text: Callable[[int], str] | None = None


_entries: dict[str, MenuEntry] = {}


def register_menu_entry(entry: MenuEntry) -> None:
    _entries[entry.endpoint] = entry


@dataclass(frozen=True)
class DrawnEntry:
    endpoint: str
    label: str
    count_text: str


def menu_for(user: Any) -> list[DrawnEntry]:
    """The feature entries ``user`` sees, with their numbers."""
    if user is None or not user.is_authenticated:
        return []
    drawn = []
    for entry in _entries.values():
        if not entry.shown_to(user):
            continue
        number = entry.count() if entry.count else 0
        text = entry.count_text(number) if number and entry.count_text else ""
        drawn.append(DrawnEntry(entry.endpoint, entry.label(), text))
    return drawn


def _template_helpers() -> dict[str, Any]:
    return {"feature_menu": menu_for}


def init_blueprint(bp: Blueprint) -> None:
    bp.context_processor(_template_helpers)


def init_app(app: Flask, *, standalone: bool) -> None:
    if standalone:  # error pages outside the blueprint draw the menu too
        app.context_processor(_template_helpers)
