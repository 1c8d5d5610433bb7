"""Assignment rules keep applying: newcomers (created, imported, moved) get them, relative due
dates count from the assignment, renewal makes an expired certificate due again, and changing
or ending a rule never touches progress or certificates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.services import move_user
from lms.assignments.models import Assignment, AssignmentRule
from lms.assignments.services import apply_rules, end_rule, update_rule
from lms.certification.models import Certificate
from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.learning.models import Completion, Enrolment, SectionVisit
from lms.learning.statuses import COMPLIANT, OVERDUE, StatusSettings, due_day, end_of_day
from lms.mail.models import OutgoingMail
from lms.organisations.models import Department, Organisation
from lms.organisations.people_import import import_users
from lms.reporting.filters import ReportFilters
from lms.reporting.reports import people_report
from tests.reporting.conftest import department, report_course_yaml


def _enrolment(user_id: int, course_id: int) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    )


def _row(app, actor, user_id, course_id, today=None):
    with app.app_context():
        settings = StatusSettings.from_config(app.config)
        if today is not None:
            settings = StatusSettings(today=today)
        report = people_report(
            db.session, db.session.get(User, actor.id), ReportFilters(), settings, language="nl"
        )
        return next(
            r for r in report.iter_rows() if r.user_id == user_id and r.course_id == course_id
        )


def test_a_rule_assigns_everyone_it_covers_now(app, make_user, towns, report_course, add_rule):
    de_panne, koksijde = towns
    onthaal = department(app, de_panne, "Onthaal")
    inside = make_user(organisation=de_panne, department=onthaal, language="fr")
    elsewhere = make_user(
        organisation=de_panne, department=department(app, de_panne, "Burgerzaken")
    )
    foreign = make_user(organisation=koksijde, department=department(app, koksijde, "Onthaal"))
    rule_id = add_rule(de_panne, report_course, department=onthaal, due_kind="fixed",
                       due_date=date(2031, 6, 30))  # fmt: skip
    with app.app_context():
        enrolment = _enrolment(inside.id, report_course.course_id)
        assert enrolment is not None and enrolment.source == "assignment"
        assert enrolment.mandatory and enrolment.due_source == "rule"
        assert due_day(enrolment.due_at) == date(2031, 6, 30)
        assert _enrolment(elsewhere.id, report_course.course_id) is None
        assert _enrolment(foreign.id, report_course.course_id) is None
        # One "you have been assigned" mail, in the person's language (French).
        mails = db.session.scalars(
            select(OutgoingMail).where(OutgoingMail.recipient == inside.email)
        ).all()
        assert [m.template for m in mails] == ["assigned"] and mails[0].language == "fr"
        assert mails[0].subject == "Une formation pour vous (obligatoire) : Rapport"
        assert "Merci de la terminer pour le 30 juin 2031." in mails[0].body
        assert "/courses/rapport" in mails[0].body
        created = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "assignment_rule.create")
        ).one()
        assert created.target_id == rule_id and created.details["department_id"] == onthaal.id


def test_a_new_member_gets_the_assignment_when_created_imported_or_moved(
    app, make_user, towns, report_course, add_rule
):
    de_panne, _koksijde = towns
    onthaal = department(app, de_panne, "Onthaal")
    add_rule(de_panne, report_course, department=onthaal, due_kind="relative", due_days=60)
    created = make_user(organisation=de_panne, department=onthaal)
    mover = make_user(organisation=de_panne, department=department(app, de_panne, "Burgerzaken"))
    with app.app_context():
        imported = import_users(
            db.session,
            "full_name,email,organisation,department\n"
            "Ida Import,ida@example.be,De Panne,Onthaal\n"
            "Bert Buiten,bert@example.be,De Panne,Burgerzaken\n",
        )
        db.session.commit()
        ida, bert = (u.id for u in imported)
    with app.app_context():
        assert _enrolment(mover.id, report_course.course_id) is None
        move_user(
            db.session,
            db.session.get(User, mover.id),
            db.session.get(Organisation, de_panne.id),
            db.session.get(Department, onthaal.id),
        )
        db.session.commit()
    with app.app_context():
        for user_id in (created.id, ida, mover.id):
            enrolment = _enrolment(user_id, report_course.course_id)
            assert enrolment is not None and enrolment.mandatory, user_id
        assert _enrolment(bert, report_course.course_id) is None


def test_relative_due_dates_count_from_the_day_of_assignment(app, make_user, towns, report_course):
    from lms.assignments.services import create_rule

    de_panne, _koksijde = towns
    onthaal = department(app, de_panne, "Onthaal")
    already = make_user(organisation=de_panne, department=onthaal)
    start = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    with app.app_context():
        _rule, applied = create_rule(
            db.session,
            organisation=db.session.get(Organisation, de_panne.id),
            course=report_course,
            department=db.session.get(Department, onthaal.id),
            due_kind="relative",
            due_days=60,
            at=start,
        )
        db.session.commit()
        assert applied.assigned == 1
        # Staff who were there when the rule started: 60 days from that day.
        assert due_day(_enrolment(already.id, report_course.course_id).due_at) == date(2026, 5, 9)
        # A newcomer who joins later: 60 days from the day they join.
        joined = datetime(2026, 4, 1, 15, 0, tzinfo=UTC)
        newcomer = User(full_name="New", email="new@example.be", organisation_id=de_panne.id,
                        department_id=onthaal.id)  # fmt: skip
        db.session.add(newcomer)
        db.session.flush()
        apply_rules(db.session, newcomer, at=joined)
        db.session.commit()
        assert due_day(_enrolment(newcomer.id, report_course.course_id).due_at) == date(2026, 5, 31)
        assignment = db.session.scalars(
            select(Assignment).where(Assignment.user_id == newcomer.id)
        ).one()
        assert assignment.assigned_at == joined and assignment.due_on == date(2026, 5, 31)


def test_leaving_the_department_ends_the_assignment_and_keeps_progress(
    app, make_user, towns, report_course, add_rule, progress
):
    de_panne, koksijde = towns
    onthaal = department(app, de_panne, "Onthaal")
    person = make_user(organisation=de_panne, department=onthaal)
    add_rule(de_panne, report_course, department=onthaal, due_kind="relative", due_days=30)
    progress(person, report_course, 3)
    elsewhere = department(app, koksijde, "Onthaal")
    with app.app_context():
        move_user(
            db.session,
            db.session.get(User, person.id),
            db.session.get(Organisation, koksijde.id),
            db.session.get(Department, elsewhere.id),
        )
        db.session.commit()
    with app.app_context():
        enrolment = _enrolment(person.id, report_course.course_id)
        assert enrolment is not None and not enrolment.mandatory and enrolment.due_at is None
        assignment = db.session.scalars(
            select(Assignment).where(Assignment.user_id == person.id)
        ).one()
        assert assignment.ended_at is not None and assignment.end_reason == "left"
        visits = db.session.scalars(
            select(SectionVisit).where(SectionVisit.user_id == person.id)
        ).all()
        assert len(visits) == 3


def test_renewal_makes_the_course_due_again_after_the_certificate_expires(
    app, make_user, towns, import_course, add_rule, progress
):
    de_panne, _koksijde = towns
    course = import_course(report_course_yaml("vernieuw", valid_for_months=12))
    onthaal = department(app, de_panne, "Onthaal")
    coordinator = make_user(organisation=de_panne, manages=[de_panne], roles=("manager",))
    person = make_user(organisation=de_panne, department=onthaal)
    rule_id = add_rule(de_panne, course, department=onthaal, due_kind="relative", due_days=30,
                       renew_on_expiry=True)  # fmt: skip
    completed = datetime.now(UTC) - timedelta(days=400)
    progress(person, course, 8, at=completed)
    with app.app_context():
        certificate = db.session.scalars(
            select(Certificate).where(Certificate.user_id == person.id)
        ).one()
        valid_until = certificate.valid_until
    assert valid_until < date.today()
    row = _row(app, coordinator, person.id, course.course_id)
    assert row.status.compliance == OVERDUE and row.status.due_on == valid_until
    assert row.status.renewal and row.status.progress == "completed"
    # On the last valid day it was still in order.
    row = _row(app, coordinator, person.id, course.course_id, today=valid_until)
    assert row.status.compliance == COMPLIANT and row.status.progress == "certified"
    # Without renewal, an expired certificate does not make the course due again.
    with app.app_context():
        rule = db.session.get(AssignmentRule, rule_id)
        update_rule(db.session, rule, mandatory=True, due_kind="relative", due_days=30)
        db.session.commit()
    row = _row(app, coordinator, person.id, course.course_id)
    assert row.status.compliance == COMPLIANT and not row.status.renewal


def test_changing_and_ending_a_rule_keeps_progress_and_certificates(
    app, make_user, towns, import_course, add_rule, progress
):
    de_panne, _koksijde = towns
    course = import_course(report_course_yaml("einde", valid_for_months=None))
    onthaal = department(app, de_panne, "Onthaal")
    done = make_user(organisation=de_panne, department=onthaal)
    busy = make_user(organisation=de_panne, department=onthaal)
    rule_id = add_rule(de_panne, course, department=onthaal, due_kind="fixed",
                       due_date=date(2030, 1, 31))  # fmt: skip
    progress(done, course, 8)
    progress(busy, course, 3)

    def facts():
        with app.app_context():
            return (
                db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == busy.id)),
                sorted(
                    db.session.scalars(
                        select(Completion.item_id).where(Completion.user_id.in_([done.id, busy.id]))
                    )
                ),
                db.session.scalars(select(SectionVisit.id).order_by(SectionVisit.id)).all(),
                db.session.scalars(select(Certificate.code)).all(),
            )

    before = facts()
    assert len(before[3]) == 1
    with app.app_context():
        rule = db.session.get(AssignmentRule, rule_id)
        update_rule(db.session, rule, mandatory=True, due_kind="fixed", due_date=date(2030, 3, 1))
        db.session.commit()
        assert due_day(_enrolment(busy.id, course.course_id).due_at) == date(2030, 3, 1)
    assert facts() == before
    with app.app_context():
        end_rule(db.session, db.session.get(AssignmentRule, rule_id))
        db.session.commit()
        enrolment = _enrolment(busy.id, course.course_id)
        assert not enrolment.mandatory and enrolment.due_at is None
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.target_type == "assignment_rule")
        ).all()
        assert actions == [
            "assignment_rule.create",
            "assignment_rule.update",
            "assignment_rule.end",
        ]
    assert facts() == before
    # A newcomer no longer gets the course.
    late = make_user(organisation=de_panne, department=onthaal)
    with app.app_context():
        assert _enrolment(late.id, course.course_id) is None


def test_the_strictest_rule_decides_the_terms(app, make_user, towns, report_course, add_rule):
    de_panne, _koksijde = towns
    onthaal = department(app, de_panne, "Onthaal")
    person = make_user(organisation=de_panne, department=onthaal)
    add_rule(de_panne, report_course, mandatory=False, due_kind="fixed", due_date=date(2030, 1, 1))
    with app.app_context():
        enrolment = _enrolment(person.id, report_course.course_id)
        assert not enrolment.mandatory and due_day(enrolment.due_at) == date(2030, 1, 1)
    later = add_rule(de_panne, report_course, department=onthaal, due_kind="fixed",
                     due_date=date(2030, 6, 1))  # fmt: skip
    earlier = add_rule(de_panne, report_course, person=person, due_kind="fixed",
                       due_date=date(2030, 3, 1))  # fmt: skip
    with app.app_context():
        enrolment = _enrolment(person.id, report_course.course_id)
        # Mandatory, with the earliest due date among the mandatory rules (not the voluntary).
        assert enrolment.mandatory and due_day(enrolment.due_at) == date(2030, 3, 1)
        end_rule(db.session, db.session.get(AssignmentRule, earlier))
        db.session.commit()
        assert due_day(_enrolment(person.id, report_course.course_id).due_at) == date(2030, 6, 1)
        end_rule(db.session, db.session.get(AssignmentRule, later))
        db.session.commit()
        enrolment = _enrolment(person.id, report_course.course_id)
        assert not enrolment.mandatory and due_day(enrolment.due_at) == date(2030, 1, 1)
        # One enrolment all along, and one mail per person and rule.
        assert (
            len(db.session.scalars(select(Enrolment).where(Enrolment.user_id == person.id)).all())
            == 1
        )


def test_applying_twice_changes_nothing(app, make_user, towns, report_course, add_rule):
    de_panne, _koksijde = towns
    onthaal = department(app, de_panne, "Onthaal")
    person = make_user(organisation=de_panne, department=onthaal)
    add_rule(de_panne, report_course, department=onthaal)
    with app.app_context():
        user = db.session.get(User, person.id)
        assert apply_rules(db.session, user).assigned == 0
        db.session.commit()
        assert (
            db.session.scalar(select(Enrolment.due_at).where(Enrolment.user_id == user.id)) is None
        )
        mails = db.session.scalars(select(OutgoingMail.id)).all()
        assert len(mails) == 1


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"due_kind": "fixed"}, "due_date"),
        ({"due_kind": "relative"}, "due_days"),
        ({"due_kind": "relative", "due_days": 0}, "due_days"),
        ({"due_kind": "sometime"}, "due_kind"),
    ],
)
def test_incomplete_terms_are_refused(app, towns, report_course, terms, field):
    from lms.assignments.services import AssignmentError, create_rule

    with app.app_context(), pytest.raises(AssignmentError) as caught:
        create_rule(
            db.session,
            organisation=db.session.get(Organisation, towns[0].id),
            course=report_course,
            **terms,
        )
    assert caught.value.field == field


def test_end_of_day_is_the_stored_due_moment():
    assert end_of_day(date(2030, 1, 1)).isoformat() == "2030-01-01T23:59:00+00:00"
