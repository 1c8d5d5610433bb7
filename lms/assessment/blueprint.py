"""The ``assessment`` blueprint and what its learner and staff pages share.

``views`` (the learner's pages) and ``staff_views`` (statistics, accommodations) both add
their routes to this blueprint; neither imports the other's pages.
"""

from __future__ import annotations

from flask import Blueprint, abort

from lms.catalog.queries import get_course_def
from lms.catalog.readmodel import ActivityDef, CourseDef
from lms.core.db import db

bp = Blueprint("assessment", __name__, template_folder="templates")


def find_test_or_404(slug: str, activity_id: str) -> tuple[CourseDef, ActivityDef]:
    """The course and its test activity named by the URL, or 404."""
    course = get_course_def(db.session, slug)
    activity = course.activities_by_id.get(activity_id) if course is not None else None
    if course is None or activity is None or activity.type != "test":
        abort(404)
    return course, activity
