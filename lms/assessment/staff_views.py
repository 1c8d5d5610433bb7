"""Staff pages of tests: trainers' item statistics (and CSV), coordinators' accommodations.

Routes on the ``assessment`` blueprint (``blueprint.bp``).
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.assessment import queries, services, statistics
from lms.assessment.blueprint import bp, find_test_or_404
from lms.assessment.config import TestConfig
from lms.assessment.forms import AccommodationForm
from lms.catalog.queries import get_bank_def
from lms.core.db import db
from lms.core.i18n import gettext as _
from lms.core.params import int_arg
from lms.learning.views import course_language
from lms.organisations.queries import get_visible_person


def _trainers_only() -> None:
    if not (current_user.is_admin or current_user.has_role("trainer")):
        abort(403)


def _statistics(slug: str, activity_id: str):
    _trainers_only()
    course, activity = find_test_or_404(slug, activity_id)
    config = TestConfig.of(activity)
    questions = {}
    default = course.default_language
    for bank_slug in config.banks:
        bank = get_bank_def(db.session, bank_slug)
        if bank is not None:
            default = bank.default_language
            questions.update({(bank.slug, q.id): q for q in bank.questions})
    observations = statistics.load(db.session, course.course_id, activity.id)
    stats = statistics.compute(observations, questions)
    attempts = len({o.attempt_id for o in observations})
    return course, activity, stats, attempts, default


@bp.get("/courses/<slug>/tests/<activity_id>/statistics")
def item_statistics(slug: str, activity_id: str):
    course, activity, stats, attempts, default = _statistics(slug, activity_id)
    lang = course_language(course)
    return render_template(
        "lms/assessment/statistics.html",
        course=course,
        activity=activity,
        module=course.modules_by_id[activity.module_id],
        lang=lang,
        default=default,
        stats=stats,
        attempts=attempts,
        option_label=statistics.option_label,
        thresholds=(statistics.TOO_HARD_BELOW, statistics.TOO_EASY_ABOVE),
    )


@bp.get("/courses/<slug>/tests/<activity_id>/statistics.csv")
def item_statistics_csv(slug: str, activity_id: str):
    course, activity, stats, _attempts, default = _statistics(slug, activity_id)
    body = statistics.to_csv(stats, course_language(course), default)
    filename = f"{course.slug}-{activity.id}-item-statistics.csv"
    return Response(
        "\ufeff" + body,  # a BOM, so that spreadsheet programs read UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/accommodations", methods=["GET", "POST"])
def accommodation():
    """A coordinator sets extra time for one of their people (``?person=<id>``)."""
    if not (current_user.is_admin or current_user.has_role("manager")):
        abort(403)
    person_id = int_arg("person")
    person = get_visible_person(db.session, current_user, person_id) if person_id else None
    if person is None:
        abort(404)  # out of scope: not even confirmed to exist
    current = queries.get_accommodation(db.session, person.id)
    form = AccommodationForm()
    if request.method == "GET":
        form.load(current)
    if form.validate_on_submit():
        extra, unlimited = form.values()
        services.set_accommodation(
            db.session,
            person,
            actor=current_user,
            extra_time_percent=extra,
            no_time_limit=unlimited,
        )
        db.session.commit()
        flash(_("The time in tests for %(name)s is saved.", name=person.full_name), "success")
        return redirect(url_for("lms.organisations.person", user_id=person.id))
    return render_template(
        "lms/assessment/accommodation.html", form=form, person=person, current=current
    ), 422 if form.errors else 200
