"""The benchmark data generator (``lms demo --scale N``): counts and distributions of a small
run, the pre-aggregated values it must keep true, and the pages of the people it makes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.accounts.models import RoleAssignment, User
from lms.authoring.importer import import_paths
from lms.catalog.queries import get_course_def
from lms.certification.models import Certificate
from lms.core.db import db
from lms.forums.models import ForumPost, ForumProgress, ForumThread
from lms.learning.models import Completion, Enrolment
from lms.live.models import REGISTERED, LiveRegistration, LiveSession
from lms.organisations.models import Organisation
from lms.synthetic import (
    ADMIN_EMAIL,
    BENCH_ORGANISATION,
    COORDINATOR_EMAIL,
    MAX_ORGANISATIONS,
    MAX_SIZE,
    MIN_SIZE,
    PASSWORD,
    generate,
    plan,
)
from lms.xapi.models import XapiEndpoint, XapiStatement
from tests.conftest import post_form

REPO = Path(__file__).resolve().parent.parent
LEARNERS = 300


@pytest.mark.parametrize("learners", [300, 10_000, 100_000])
def test_plan_sizes(learners):
    made = plan(learners)
    bench = min(200, learners // 2)
    assert sum(made.sizes) + bench == learners
    assert all(MIN_SIZE <= size <= MAX_SIZE for size in made.sizes)
    assert len(made.sizes) + 1 <= MAX_ORGANISATIONS
    # Skewed: the largest is many times the median, and most are small.
    median = sorted(made.sizes)[len(made.sizes) // 2]
    assert max(made.sizes) >= (5 if learners >= 10_000 else 2) * median
    if learners >= 100_000:
        assert len(made.sizes) + 1 == MAX_ORGANISATIONS
        assert max(made.sizes) == MAX_SIZE


def test_plan_refuses_too_few():
    with pytest.raises(ValueError, match="at least"):
        plan(5)


@pytest.fixture
def report(app):
    with app.app_context():
        import_paths(db.session, [REPO / "courses", REPO / "quizzes"], certificates_dir=None)
        db.session.commit()
        return generate(db.session, LEARNERS, echo=lambda line: None)


@pytest.fixture
def generated(app, report):
    with app.app_context():
        yield db.session, report


def _learners(session):
    return select(RoleAssignment.user_id).where(RoleAssignment.role == "learner")


def test_counts_and_organisations(generated):
    session, report = generated
    learners = session.scalars(select(User).where(User.id.in_(_learners(session)))).all()
    assert len(learners) == LEARNERS
    assert all(person.organisation_id is not None for person in learners)
    sizes = dict(
        session.execute(
            select(Organisation.name, func.count(User.id))
            .join(User, User.organisation_id == Organisation.id)
            .where(User.id.in_(_learners(session)))
            .group_by(Organisation.name)
        ).all()
    )
    assert sizes.pop(BENCH_ORGANISATION) == LEARNERS // 2
    assert all(MIN_SIZE <= size <= MAX_SIZE for size in sizes.values())
    assert report.counts["lms_user"] == LEARNERS - session.scalar(
        select(func.count()).select_from(User).where(User.email.like("archetype.%"))
    )
    # Every learner is enrolled in Connectoo; every organisation has a coordinator.
    connectoo = get_course_def(session, "connectoo")
    enrolled = session.scalar(
        select(func.count(Enrolment.id)).where(Enrolment.course_id == connectoo.course_id)
    )
    assert enrolled == LEARNERS
    coordinated = session.scalar(
        select(func.count(func.distinct(RoleAssignment.organisation_id))).where(
            RoleAssignment.role == "manager"
        )
    )
    assert coordinated == session.scalar(select(func.count(Organisation.id)))


def test_cohorts_drop_off_and_certificates(generated):
    session, _ = generated
    connectoo = get_course_def(session, "connectoo")
    finished = dict(
        session.execute(
            select(Completion.item_id, func.count())
            .where(Completion.course_id == connectoo.course_id, Completion.kind == "module")
            .group_by(Completion.item_id)
        ).all()
    )
    per_module = [finished.get(module.id, 0) for module in connectoo.modules]
    assert per_module == sorted(per_module, reverse=True)  # fewer finish each next module
    assert per_module[0] > 2 * per_module[-1] > 0
    started = session.scalar(
        select(func.count(Enrolment.id)).where(
            Enrolment.course_id == connectoo.course_id, Enrolment.last_activity_at.is_not(None)
        )
    )
    assert per_module[0] < started < LEARNERS
    # Certificates exactly for those who completed the course.
    completed = set(
        session.scalars(
            select(Completion.user_id).where(
                Completion.course_id == connectoo.course_id, Completion.kind == "course"
            )
        )
    )
    certified = session.scalars(
        select(Certificate.user_id).where(Certificate.course_id == connectoo.course_id)
    ).all()
    assert sorted(certified) == sorted(completed)
    codes = session.scalars(select(Certificate.code)).all()
    assert len(set(codes)) == len(codes)


def test_pre_aggregates_equal_their_facts(generated):
    session, _ = generated
    for live in session.scalars(select(LiveSession)):
        registered = session.scalar(
            select(func.count()).where(
                LiveRegistration.session_id == live.id, LiveRegistration.status == REGISTERED
            )
        )
        assert live.seats_taken == registered
    for thread in session.scalars(select(ForumThread)):
        last = session.scalar(
            select(func.max(ForumPost.created_at)).where(ForumPost.thread_id == thread.id)
        )
        assert thread.last_post_at == last
    for progress in session.scalars(select(ForumProgress)):
        posts = session.scalar(
            select(func.count(ForumPost.id))
            .join(ForumThread, ForumThread.id == ForumPost.thread_id)
            .where(
                ForumPost.author_id == progress.user_id,
                ForumThread.course_id == progress.course_id,
                ForumThread.activity_id == progress.activity_id,
                ForumPost.deleted_at.is_(None),
                ForumPost.hidden_at.is_(None),
            )
        )
        assert progress.posts == posts
    # Threads hold people of one organisation (forums may be per organisation).
    mixed = session.scalar(
        select(func.count(ForumPost.id))
        .join(ForumThread, ForumThread.id == ForumPost.thread_id)
        .join(User, User.id == ForumPost.author_id)
        .where(User.organisation_id != ForumThread.organisation_id)
    )
    assert mixed == 0
    # Delivered and queued statements: the endpoint's cursor sits below the last one.
    highest = session.scalar(select(func.max(XapiStatement.sequence)))
    cursor = session.scalar(select(XapiEndpoint.cursor))
    assert 0 < cursor < highest
    assert session.scalar(select(func.count()).where(XapiStatement.sequence.is_(None))) == 0


def test_progress_summaries_are_filled_and_equal_the_engine(generated):
    """The bulk inserts bypass the ORM: the generator fills every summary at the end."""
    from tests.learning.test_summary import check_all

    session, report = generated
    enrolments = session.scalar(select(func.count()).select_from(Enrolment))
    assert check_all(session) == enrolments
    assert 0 < report.counts["progress summaries"] <= enrolments


def _sign_in(client, email):
    response = post_form(client, "/login", {"login": email, "password": PASSWORD})
    assert response.status_code == 302


def _page_facts(session):
    connectoo = get_course_def(session, "connectoo")
    certificate = session.scalars(select(Certificate).order_by(Certificate.id.desc())).first()
    holder = session.get(User, certificate.user_id)
    assert not holder.email.startswith("archetype.")  # a clone, not one made by the services
    thread = session.scalars(select(ForumThread).order_by(ForumThread.id.desc())).first()
    holder_email, code, thread_url = (
        holder.email,
        certificate.code,
        f"/courses/connectoo/forums/{thread.activity_id}/threads/{thread.id}",
    )
    thread_author = session.get(User, thread.author_id).email
    section = connectoo.modules[1].activities[0].sections[0].id
    return holder.full_name, holder_email, code, section, thread_url, thread_author


def test_pages_of_generated_people(report, app):
    with app.app_context():
        facts = _page_facts(db.session)
    holder_name, holder_email, code, section, thread_url, thread_author = facts
    client = app.test_client()
    _sign_in(client, holder_email)
    for url in ("/", "/courses/connectoo", f"/courses/connectoo/learn/{section}", "/certificates/"):
        assert client.get(url).status_code == 200, url
    assert "connectoo" in client.get("/").get_data(as_text=True).lower()
    page = client.get(f"/certificates/verify?code={code}").get_data(as_text=True)
    assert holder_name in page

    author = app.test_client()
    _sign_in(author, thread_author)
    assert author.get(thread_url).status_code == 200

    coordinator = app.test_client()
    _sign_in(coordinator, COORDINATOR_EMAIL)
    for url in ("/progress/", "/progress/people", "/progress/people?format=csv"):
        assert coordinator.get(url).status_code == 200, url
    people = coordinator.get("/progress/people?format=csv").get_data(as_text=True)
    assert people.count("\n") >= LEARNERS // 2

    admin = app.test_client()
    _sign_in(admin, ADMIN_EMAIL)
    assert admin.get("/progress/national/").status_code == 200
