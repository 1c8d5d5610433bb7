"""Rules keep applying: a person created (one by one or by a CSV import) or moved gets the
assignments of their new place, inside the transaction that created or moved them.

``connect()`` is idempotent; ``lms.assignments.views`` calls it when the extension imports
the feature blueprints. Accounts never import assignments: they only send their signals.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import object_session

from lms.assignments.services import apply_rules
from lms.core import signals
from lms.core.db import db


def on_person_changed(user, *, actor=None, **_: Any) -> None:
    session = object_session(user) or db.session
    apply_rules(session, user, actor=actor)


def connect() -> None:
    """Listen to ``user_created`` and ``user_moved`` (calling it again changes nothing)."""
    signals.user_created.connect(on_person_changed, weak=False)
    signals.user_moved.connect(on_person_changed, weak=False)
