"""`lms reminders send`: the right people, once, in their language, through the outbox; a
second run queues nothing; a run killed half-way and run again sends nobody two copies
and skips nobody; the weekly summary to coordinators."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import func, select, update

from lms.core.db import db
from lms.learning import summary
from lms.learning.models import Enrolment
from lms.learning.statuses import StatusSettings
from lms.mail.models import OutgoingMail
from lms.reminders import jobs, services
from lms.reminders.models import BEFORE_DUE, MANUAL, OVERDUE, ReminderSummary
from tests.reminders.conftest import reminder_mails, reminders, run_job


@pytest.fixture
def people(app, make_user, towns, report_course, enrol_due, progress):
    """Ten people of De Panne in the report course, with every situation that matters."""
    de_panne, _koksijde = towns
    make = lambda name, **kw: make_user(name=name, organisation=de_panne, **kw)  # noqa: E731
    p = {
        "in_ten": make("In Ten"),  # 14-day reminder
        "in_two": make("In Two", language="fr"),  # 3-day reminder, in French
        "late_one": make("Late One", language="de"),  # overdue yesterday, in German
        "late_nine": make("Late Nine"),  # overdue, second week
        "far": make("Far Away"),  # due in 40 days: nothing yet
        "done_late": make("Done Late"),  # completed: never
        "voluntary": make("Volunteer Course"),  # voluntary, due in 2 days
        "no_date": make("No Date"),  # mandatory without due date: nothing
    }
    ids = {
        "in_ten": enrol_due(p["in_ten"], report_course, 10, sections=2),
        "in_two": enrol_due(p["in_two"], report_course, 2),
        "late_one": enrol_due(p["late_one"], report_course, -1, sections=1),
        "late_nine": enrol_due(p["late_nine"], report_course, -9),
        "far": enrol_due(p["far"], report_course, 40),
        "done_late": enrol_due(p["done_late"], report_course, -5),
        "voluntary": enrol_due(p["voluntary"], report_course, 2, mandatory=False),
        "no_date": enrol_due(p["no_date"], report_course, None),
    }
    progress(p["done_late"], report_course, 8)  # every section: completed and certified
    return p, ids


def test_the_job_reminds_the_right_people_once(app, people):
    p, ids = people
    assert run_job(app).strip() == "5 reminder(s) queued"
    got = {(r.enrolment_id, r.kind, r.due_key.split(":")[1]) for r in reminders(app)}
    assert got == {
        (ids["in_ten"], BEFORE_DUE, "14"),
        (ids["in_two"], BEFORE_DUE, "3"),
        (ids["late_one"], OVERDUE, "0"),
        (ids["late_nine"], OVERDUE, "1"),
        (ids["voluntary"], BEFORE_DUE, "3"),
    }
    mails = reminder_mails(app)
    assert sorted(m.recipient for m in mails) == sorted(
        p[k].email for k in ("in_ten", "in_two", "late_one", "late_nine", "voluntary")
    )
    # A second run on the same day queues nothing.
    assert run_job(app).strip() == "0 reminder(s) queued"
    assert len(reminder_mails(app)) == 5


def test_each_reminder_is_in_the_persons_language_with_a_link_to_continue(app, people):
    p, _ids = people
    run_job(app)
    mails = {m.recipient: m for m in reminder_mails(app)}
    french, german, dutch = (
        mails[p["in_two"].email],
        mails[p["late_one"].email],
        mails[p["in_ten"].email],
    )
    assert (french.language, german.language, dutch.language) == ("fr", "de", "nl")
    assert "Rapport" in french.subject and "Rappel" in french.subject
    assert "Bonjour In Two" in french.body
    assert "Hallo Late One" in german.body and "abgeschlossen" in german.body
    assert "In Ten," in dutch.body and "25%" in dutch.body  # 2 of 8 sections
    for mail in (french, german, dutch):
        assert f"http://127.0.0.1/courses/{'rapport'}/continue" in mail.body
    # Voluntary courses say how to get fewer reminders; mandatory ones do not offer it.
    assert "/reminders/preferences" in mails[p["voluntary"].email].body
    assert "/reminders/preferences" not in dutch.body


def test_the_reminder_is_in_the_drill_down(app, client, make_user, towns, people):
    p, _ids = people
    run_job(app)
    from tests.conftest import login

    de_panne, _ = towns
    login(client, make_user(manages=[de_panne], roles=("manager",), language="en"))
    page = client.get(f"/progress/people/{p['late_nine'].id}").get_data(as_text=True)
    section = page.split('id="reminder-list"')[1].split("</table>")[0]
    assert "Automatic: overdue since" in section and "Waiting to be sent" in section


def test_a_run_killed_half_way_sends_nobody_twice_and_skips_nobody(app, people, monkeypatch):
    _p, ids = people
    real = services.remind
    calls = Counter()

    def crash_after_three(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 3:
            raise RuntimeError("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "remind", crash_after_three)
    with app.app_context():
        settings = StatusSettings.from_config(app.config)
        rules = services.ReminderSettings.from_config(app.config)
        with pytest.raises(RuntimeError):
            jobs.send_automatic(db.session, settings, rules, batch_size=2)
        db.session.rollback()  # the process died: its open transaction is lost
    committed = reminders(app)
    assert 0 < len(committed) < 5  # the batches before the crash stayed
    monkeypatch.setattr(services, "remind", real)
    output = run_job(app, "--batch-size", "2")
    assert output.strip() == f"{5 - len(committed)} reminder(s) queued"
    per_enrolment = Counter(r.enrolment_id for r in reminders(app))
    assert set(per_enrolment) == {
        ids[k] for k in ("in_ten", "in_two", "late_one", "late_nine", "voluntary")
    }
    assert set(per_enrolment.values()) == {1}
    assert Counter(m.recipient for m in reminder_mails(app)).most_common(1)[0][1] == 1
    with app.app_context():  # every reminder has its own mail, and every mail its reminder
        mail_ids = {m.id for m in reminder_mails(app)}
        assert {r.mail_id for r in reminders(app)} == mail_ids


def test_people_who_left_or_have_no_address_get_nothing(app, make_user, towns, report_course,
                                                        enrol_due):  # fmt: skip
    de_panne, _ = towns
    gone = make_user(name="Gone", organisation=de_panne)
    enrol_due(gone, report_course, -3)
    with app.app_context():
        from lms.accounts.models import User
        from lms.accounts.services import deactivate_user

        deactivate_user(db.session, db.session.get(User, gone.id))
        db.session.commit()
    assert run_job(app).strip() == "0 reminder(s) queued"


def test_the_days_before_are_configurable(app, people):
    app.config["LMS_REMINDER_DAYS_BEFORE"] = [1]
    assert run_job(app).strip() == "2 reminder(s) queued"  # only the two overdue ones
    app.config["LMS_REMINDER_DAYS_BEFORE"] = [30, 14, 3]
    assert run_job(app).strip() == "3 reminder(s) queued"
    assert {r.kind for r in reminders(app)} == {BEFORE_DUE, OVERDUE}


def test_a_person_who_finishes_gets_no_further_reminder(app, people, report_course, progress):
    p, ids = people
    run_job(app)
    progress(p["late_nine"], report_course, 8)
    app.config["LMS_REMINDER_OVERDUE_EVERY_DAYS"] = 1  # would be due again tomorrow
    assert run_job(app).strip() == "0 reminder(s) queued"
    assert sum(r.enrolment_id == ids["late_nine"] for r in reminders(app)) == 1


def test_weekly_summary_to_each_coordinator_once(app, make_user, towns, people):
    _p, _ids = people
    de_panne, koksijde = towns
    coordinator = make_user(name="An Coordinator", manages=[de_panne], roles=("manager",))
    make_user(name="Bart Elsewhere", manages=[koksijde], roles=("manager",))  # nobody late
    output = run_job(app, "--summaries")
    assert "1 weekly summary(ies) queued" in output
    with app.app_context():
        mails = list(
            db.session.scalars(
                select(OutgoingMail).where(OutgoingMail.template == "reminder_summary")
            )
        )
        assert [m.recipient for m in mails] == [coordinator.email]
        body = mails[0].body
        assert "Late One" in body and "Late Nine" in body
        assert "Done Late" not in body and "In Two" not in body
        assert "http://127.0.0.1/progress/people?status=overdue" in body
        assert db.session.scalar(select(ReminderSummary.overdue)) == 2
    assert "0 weekly summary(ies) queued" in run_job(app, "--summaries")


def test_manual_reminders_do_not_stop_automatic_ones(app, people):
    p, ids = people
    with app.app_context():
        from lms.accounts.models import User
        from lms.learning.queries import my_enrolments

        settings = StatusSettings.from_config(app.config)
        person = db.session.get(User, p["in_two"].id)
        view = my_enrolments(db.session, person.id, settings)[0]
        services.remind(
            db.session,
            enrolment_id=view.enrolment.id,
            person=person,
            course=view.course,
            status=view.status,
            kind=MANUAL,
            key=services.manual_key(settings.today),
        )
        db.session.commit()
    assert run_job(app).strip() == "5 reminder(s) queued"
    kinds = Counter(r.kind for r in reminders(app) if r.enrolment_id == ids["in_two"])
    assert kinds == {MANUAL: 1, BEFORE_DUE: 1}


def test_the_body_is_plain_words(app, people):
    _p, _ids = people
    run_job(app)
    for mail in reminder_mails(app):
        assert not re.search(r"[{}<>]|%\(", mail.body), mail.body


EXPECTED = {
    ("in_ten", BEFORE_DUE, "14"),
    ("in_two", BEFORE_DUE, "3"),
    ("late_one", OVERDUE, "0"),
    ("late_nine", OVERDUE, "1"),
    ("voluntary", BEFORE_DUE, "3"),
}


def _set_summaries(app, **values) -> None:
    with app.app_context():
        db.session.execute(update(Enrolment).values(**values))
        db.session.commit()


@pytest.mark.parametrize("stored", ["none", "every one"])
def test_stored_summaries_and_the_engine_decide_the_same(app, people, stored):
    """The job reads an enrolment's stored progress summary where it is current and runs the
    engine for the others: with every summary stored, or none, the same reminders go out."""
    _p, ids = people
    if stored == "none":
        _set_summaries(app, summary_version_id=None)
    else:
        with app.app_context():
            summary.refresh(db.session, commit=True)
            missing = select(func.count()).where(Enrolment.summary_version_id.is_(None))
            assert db.session.scalar(missing) == 0
    assert run_job(app).strip() == "5 reminder(s) queued"
    by_id = {v: k for k, v in ids.items()}
    got = {(by_id[r.enrolment_id], r.kind, r.due_key.split(":")[1]) for r in reminders(app)}
    assert got == EXPECTED


def test_a_current_summary_decides_and_an_outdated_one_does_not(app, people, report_course):
    """Proof that the summary is read: one that says "completed" for the course's current
    version stops the reminders (the records say otherwise); one made for another version
    is ignored and the engine decides."""
    _p, ids = people
    with app.app_context():
        late = db.session.get(Enrolment, ids["late_nine"])
        late.summary_version_id = report_course.version_id
        late.summary_progress, late.summary_status = 1.0, "completed"
        late.summary_modules_done = ""
        soon = db.session.get(Enrolment, ids["in_two"])
        soon.summary_version_id = report_course.version_id + 1000
        soon.summary_progress, soon.summary_status = 1.0, "completed"
        db.session.commit()
    assert run_job(app).strip() == "4 reminder(s) queued"
    reminded = {r.enrolment_id for r in reminders(app)}
    assert ids["late_nine"] not in reminded
    assert ids["in_two"] in reminded
