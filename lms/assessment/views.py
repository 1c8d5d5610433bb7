"""The learner's test pages: rules and start, one question per page, review, result.

Everything works without JavaScript: every question page is a form that saves its answer on
the server, the remaining time is written into each page, and the optional timer script
only counts down between pages. Staff pages (item statistics, accommodations) are in
``staff_views``, on the same blueprint (``blueprint.py``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from lms.assessment import (
    queries,
    services,
    staff_views,  # noqa: F401  (its pages join the blueprint)
)
from lms.assessment.blueprint import bp, find_test_or_404
from lms.assessment.config import TestConfig
from lms.assessment.drawing import question_type
from lms.assessment.models import Attempt
from lms.assessment.presenting import (
    PARSE_MESSAGES,
    question_view,
    result_item,
    review_item,
)
from lms.catalog.queries import get_bank_def
from lms.core.db import db, utcnow, writes
from lms.core.i18n import gettext as _
from lms.core.params import int_arg, int_form
from lms.learning.engine import register_progress_provider, register_started_condition
from lms.learning.rendering import render_markdown
from lms.learning.services import get_enrolment
from lms.learning.summary import register_source as register_summary_source
from lms.learning.views import course_language, register_activity_page

# The extension imports every feature's views at start-up: that is when the completion engine
# learns how tests report progress, and the course page where a test's page is.
register_progress_provider("test", queries.progress_reports)
register_started_condition("test", queries.started)
register_summary_source(
    Attempt,
    user=Attempt.user_id,
    course=Attempt.course_id,
    columns=("user_id", "course_id", "activity_id", "passed", "status"),
)
register_activity_page("test", "lms.assessment.test")

ERROR_MESSAGES = {
    queries.BLOCK_PASSED: lambda: _("You have passed this test."),
    queries.BLOCK_NO_ATTEMPTS: lambda: _("You have used all your attempts at this test."),
    queries.BLOCK_WAIT: lambda: _("You can try again later."),
    "unavailable": lambda: _("This test cannot be taken at the moment."),
    "submitted": lambda: _("This attempt was already submitted: nothing was changed."),
    "time-up": lambda: _("Time is up: answers given after the end are not counted."),
    "invalid": lambda: _("That question does not exist."),
}


@bp.before_request
@login_required
def _learners_log_in() -> None:
    """Every test page needs a logged-in person."""


@bp.context_processor
def _helpers() -> dict:
    return {"render_markdown": render_markdown}


def grace() -> timedelta:
    return timedelta(seconds=current_app.config["LMS_TEST_GRACE_SECONDS"])


class Context:
    """What every test page of one learner needs, loaded once per request."""

    def __init__(self, slug: str, activity_id: str) -> None:
        self.course, self.activity = find_test_or_404(slug, activity_id)
        self.lang = course_language(self.course)
        self.module = self.course.modules_by_id[self.activity.module_id]
        self.config = TestConfig.of(self.activity)
        self.enrolment = get_enrolment(db.session, current_user.id, self.course.course_id)
        self.now = utcnow()
        self.reload()

    def reload(self) -> None:
        attempts = queries.load_attempts(
            db.session, current_user.id, self.course.course_id, self.activity.id
        )
        self.state = queries.state_of(self.config, attempts, self.now)

    def url(self, endpoint: str, **values) -> str:
        return url_for(endpoint, slug=self.course.slug, activity_id=self.activity.id, **values)

    def close_if_expired(self) -> bool:
        """Submit the open attempt if its time is up; True if it was closed now."""
        attempt = self.state.open
        if attempt is None or self.enrolment is None:
            return False
        if not services.is_expired(attempt, self.now, grace()):
            return False
        db.session.commit()  # end the read transaction: the conditional update comes first
        closed = services.close_if_expired(
            db.session,
            attempt,
            user=current_user,
            enrolment=self.enrolment,
            course=self.course,
            activity=self.activity,
            now=self.now,
            grace=grace(),
        )
        db.session.commit()
        self.reload()
        return closed

    def render(self, template: str, status: int = 200, **values):
        return render_template(
            f"lms/assessment/{template}",
            course=self.course,
            activity=self.activity,
            module=self.module,
            lang=self.lang,
            config=self.config,
            state=self.state,
            now=self.now,
            url=self.url,
            warning_seconds=current_app.config["LMS_TEST_WARNING_SECONDS"],
            **values,
        ), status


def time_limit_for(config: TestConfig, accommodation) -> int | None:
    """The learner's time limit in minutes (with their accommodation), None for none."""
    start = datetime(2000, 1, 1)
    deadline = services.deadline_for(start, config.time_limit_minutes, accommodation)
    return None if deadline is None else round((deadline - start).total_seconds() / 60)


@bp.get("/courses/<slug>/tests/<activity_id>")
@writes
def test(slug: str, activity_id: str):
    ctx = Context(slug, activity_id)
    if ctx.close_if_expired():
        flash(ERROR_MESSAGES["time-up"](), "info")
    accommodation = queries.get_accommodation(db.session, current_user.id)
    can_see_statistics = current_user.is_admin or current_user.has_role("trainer")
    return ctx.render(
        "test.html",
        time_limit=time_limit_for(ctx.config, accommodation),
        question_count=_question_count(ctx),
        can_see_statistics=can_see_statistics,
        enrolled=ctx.enrolment is not None,
    )


def _question_count(ctx: Context) -> int | None:
    if ctx.state.open is not None:
        return len(ctx.state.open.questions)
    if ctx.config.questions is not None:
        return ctx.config.questions
    if ctx.config.draw:
        return sum(count for _, count in ctx.config.draw)
    banks = [get_bank_def(db.session, slug) for slug in ctx.config.banks]
    return sum(len(b.questions) for b in banks if b is not None) or None


@bp.post("/courses/<slug>/tests/<activity_id>/start")
def start(slug: str, activity_id: str):
    ctx = Context(slug, activity_id)
    if ctx.enrolment is None:
        flash(_("Enrol in the course first."), "info")
        return redirect(url_for("lms.learning.course", slug=slug))
    ctx.close_if_expired()
    db.session.commit()  # end the read transaction: the start begins with a write
    try:
        attempt = services.start_attempt(
            db.session,
            user=current_user,
            enrolment=ctx.enrolment,
            course=ctx.course,
            activity=ctx.activity,
            now=ctx.now,
        )
    except services.AssessmentError as exc:
        db.session.rollback()
        flash(ERROR_MESSAGES[exc.code](), "info")
        return redirect(ctx.url(".test"))
    db.session.commit()
    answered = {a.position for a in attempt.answers if a.response is not None}
    first_open = next((i for i in range(len(attempt.questions)) if i not in answered), 0)
    return redirect(ctx.url(".question", n=first_open + 1))


def _open_attempt_or_redirect(ctx: Context):
    """The open attempt, or a redirect: to the result when it was just submitted (or time
    ran out), else to the test page."""
    closed = ctx.close_if_expired()
    if closed:
        flash(ERROR_MESSAGES["time-up"](), "info")
    if ctx.state.open is not None and ctx.enrolment is not None:
        return ctx.state.open, None
    if request.method == "POST" and not closed:
        flash(ERROR_MESSAGES["submitted"](), "info")
    if ctx.state.submitted:
        return None, redirect(ctx.url(".result", attempt=ctx.state.submitted[-1].number))
    return None, redirect(ctx.url(".test"))


def _position() -> int:
    number = int_arg("n", 1)
    return (number or 1) - 1


def _question_page(ctx: Context, attempt: Attempt, position: int, *, values=None, error=None):
    responses = {a.position: a.response for a in attempt.answers}
    view = question_view(
        attempt.questions[position],
        position + 1,
        len(attempt.questions),
        ctx.lang,
        response=responses.get(position),
        values=values,
    )
    return ctx.render(
        "question.html",
        422 if error else 200,
        attempt=attempt,
        question=view,
        error=error,
        answered=sum(1 for r in responses.values() if r is not None),
    )


@bp.route("/courses/<slug>/tests/<activity_id>/question", methods=["GET", "POST"])
@writes
def question(slug: str, activity_id: str):
    ctx = Context(slug, activity_id)
    attempt, away = _open_attempt_or_redirect(ctx)
    if attempt is None:
        return away
    position = _position()
    if not 0 <= position < len(attempt.questions):
        abort(404)
    if request.method == "GET":
        return _question_page(ctx, attempt, position)
    if request.form.get("attempt") != str(attempt.number):
        flash(_("That page belonged to an earlier attempt: its answer was not saved."), "info")
        return redirect(ctx.url(".question", n=position + 1))
    snapshot = attempt.questions[position]
    type_ = question_type(snapshot["type"])
    assert type_ is not None
    form = request.form.to_dict(flat=False)
    public = type_.public(snapshot["settings"], snapshot.get("presentation") or {})
    response, error = type_.parse(form, public)
    if error is not None:
        return _question_page(
            ctx, attempt, position, values=form, error=PARSE_MESSAGES.get(error, error)
        )
    db.session.commit()  # end the read transaction: the conditional update comes first
    try:
        services.save_answer(db.session, attempt, position, response, now=ctx.now, grace=grace())
    except services.AssessmentError as exc:
        db.session.rollback()
        flash(ERROR_MESSAGES[exc.code](), "info")
        if exc.code == "time-up":
            ctx.reload()
            ctx.close_if_expired()
        return redirect(ctx.url(".result", attempt=attempt.number))
    db.session.commit()
    go = request.form.get("go", "next")
    if go == "previous" and position > 0:
        return redirect(ctx.url(".question", n=position))
    if go == "review" or position + 1 >= len(attempt.questions):
        return redirect(ctx.url(".review"))
    return redirect(ctx.url(".question", n=position + 2))


@bp.get("/courses/<slug>/tests/<activity_id>/review")
@writes
def review(slug: str, activity_id: str):
    ctx = Context(slug, activity_id)
    attempt, away = _open_attempt_or_redirect(ctx)
    if attempt is None:
        return away
    responses = {a.position: a.response for a in attempt.answers}
    items = [
        review_item(question, position + 1, ctx.lang, responses.get(position))
        for position, question in enumerate(attempt.questions)
    ]
    return ctx.render("review.html", attempt=attempt, items=items)


@bp.post("/courses/<slug>/tests/<activity_id>/submit")
def submit(slug: str, activity_id: str):
    ctx = Context(slug, activity_id)
    number = int_form("attempt")
    attempt = next((a for a in ctx.state.attempts if a.number == number), None)
    if attempt is None or ctx.enrolment is None:
        return redirect(ctx.url(".test"))
    if not attempt.is_open:  # a second click, the back button, another tab: already done
        return redirect(ctx.url(".result", attempt=attempt.number))
    db.session.commit()  # end the read transaction: the conditional update comes first
    ended_by = "time" if services.is_expired(attempt, ctx.now, grace()) else "learner"
    services.submit_attempt(
        db.session,
        attempt.id,
        user=current_user,
        enrolment=ctx.enrolment,
        course=ctx.course,
        activity=ctx.activity,
        now=ctx.now,
        ended_by=ended_by,
    )
    db.session.commit()
    return redirect(ctx.url(".result", attempt=attempt.number))


def feedback_allowed(config: TestConfig, state: queries.TestState) -> bool:
    if config.feedback == "after_submit":
        return True
    return config.feedback == "after_pass" and state.passed


@bp.get("/courses/<slug>/tests/<activity_id>/result")
@writes
def result(slug: str, activity_id: str):
    ctx = Context(slug, activity_id)
    if ctx.close_if_expired():
        flash(ERROR_MESSAGES["time-up"](), "info")
    number = int_arg("attempt")
    submitted = {a.number: a for a in ctx.state.submitted}
    attempt = submitted.get(number) if number else (ctx.state.submitted or [None])[-1]
    if attempt is None:
        if ctx.state.open is not None and ctx.state.open.number == number:
            return redirect(ctx.url(".review"))
        abort(404)
    items = None
    if feedback_allowed(ctx.config, ctx.state):
        answers = {a.position: a for a in attempt.answers}
        items = [
            result_item(
                question,
                position + 1,
                ctx.lang,
                answers[position].response if position in answers else None,
                answers[position].score if position in answers else 0.0,
            )
            for position, question in enumerate(attempt.questions)
        ]
    return ctx.render("result.html", attempt=attempt, items=items)
