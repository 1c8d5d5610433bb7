"""Changing and cancelling a planned date: who may, who is told (in their language), the
waiting list, the invitation's sequence, the audit trail, and what a cancelled date refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.core.i18n import gettext, ngettext
from lms.live import dates
from lms.live.models import LiveRegistration, LiveSession
from lms.mail.models import OutgoingMail
from tests.conftest import login
from tests.live.conftest import live_url, send
from tests.live.test_registration import register, status_of, waiting_number


def date_of(app, session_id) -> LiveSession:
    with app.app_context():
        live = db.session.get(LiveSession, session_id)
        db.session.expunge(live)
        return live


def form_of(app, session_id, **changes) -> dict:
    """What the edit page's form holds for the date, with ``changes``."""
    live = date_of(app, session_id)
    start, end = dates.to_local(live.starts_at), dates.to_local(live.ends_at)
    data = {
        "day": start.strftime("%Y-%m-%d"),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "place": live.place or "",
        "link": live.link or "",
        "capacity": "" if live.capacity is None else str(live.capacity),
        "notes": live.notes,
    }
    return {**data, **changes}


def mails(app, template=None) -> list[OutgoingMail]:
    with app.app_context():
        query = select(OutgoingMail).order_by(OutgoingMail.id)
        if template:
            query = query.where(OutgoingMail.template == template)
        return list(db.session.scalars(query))


def audit_events(app, action) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def logged_in(app, world, who):
    client = app.test_client()
    login(client, world[who])
    return client


def translated(app, language, message, **values) -> str:
    with app.test_request_context(), force_locale(language):
        return gettext(message, **values)


def translated_plural(app, language, singular, plural, num) -> str:
    with app.test_request_context(), force_locale(language):
        return ngettext(singular, plural, num)


def subject(app, message, live, who) -> str:
    """A mail's subject as ``who`` (Nadia reads French, the others Dutch) should get it."""
    language = "fr" if who == "nadia" else "nl"
    return translated(
        app,
        language,
        message,
        title="Webinaire cas pratiques" if language == "fr" else "Webinar casussen",
        day=dates.local_date(live.starts_at, language),
        start=dates.local_time(live.starts_at, language),
    )


def full_date(app, world, plan) -> int:
    """A webinar date of 2 seats: Els and Pieter registered, Nadia (fr) and Sophie waiting."""
    session_id = plan(capacity=2)
    for who in ("els", "pieter", "nadia", "sophie"):
        register(app, world, who, session_id)
    return session_id


# Who may -----------------------------------------------------------------------------------


@pytest.fixture
def dates_(plan, world):
    return {
        "everyone": plan(),
        "de_panne": plan(activity="terugkom", organisation=world.de_panne),
    }


def test_learners_may_neither_change_nor_cancel(app, world, dates_):
    els = logged_in(app, world, "els")
    for rest in ("edit", "cancel"):
        url = live_url(world, rest=f"/{dates_['everyone']}/{rest}")
        assert els.get(url).status_code == 403
        assert send(els, url, form_of(app, dates_["everyone"], capacity="9")).status_code == 403
    assert date_of(app, dates_["everyone"]).capacity == 2
    assert date_of(app, dates_["everyone"]).cancelled_at is None


def test_another_organisations_coordinator_gets_404(app, world, dates_):
    other = logged_in(app, world, "koksijde_manager")
    for activity, key in (("terugkom", "de_panne"), ("webinar-1", "everyone")):
        for rest in ("edit", "cancel"):
            url = live_url(world, activity, f"/{dates_[key]}/{rest}")
            assert other.get(url).status_code == 404, url
            assert send(other, url, {"capacity": "9", "reason": "x"}).status_code == 404, url
    assert date_of(app, dates_["de_panne"]).cancelled_at is None
    assert mails(app) == []


def test_a_coordinator_changes_and_cancels_their_own_organisations_date(app, world, dates_):
    manager = logged_in(app, world, "manager")
    url = live_url(world, "terugkom", f"/{dates_['de_panne']}")
    assert manager.get(url + "/edit").status_code == 200
    assert manager.get(url + "/cancel").status_code == 200
    changed = send(manager, url + "/edit", form_of(app, dates_["de_panne"], place="Sociaal huis"))
    assert changed.status_code == 302
    assert date_of(app, dates_["de_panne"]).place == "Sociaal huis"
    assert send(manager, url + "/cancel", {"reason": ""}).status_code == 302
    assert date_of(app, dates_["de_panne"]).cancelled_at is not None
    # ... but not the date for everyone, which only trainers manage.
    everyone = live_url(world, rest=f"/{dates_['everyone']}/cancel")
    assert send(manager, everyone, {"reason": ""}).status_code == 404
    assert date_of(app, dates_["everyone"]).cancelled_at is None


def test_the_activity_page_links_to_change_and_cancel_for_managers_only(app, world, dates_):
    trainer_page = logged_in(app, world, "trainer").get(live_url(world)).get_data(as_text=True)
    assert f"/{dates_['everyone']}/edit" in trainer_page
    assert f"/{dates_['everyone']}/cancel" in trainer_page
    learner_page = logged_in(app, world, "els").get(live_url(world)).get_data(as_text=True)
    assert "/edit" not in learner_page and "/cancel" not in learner_page


# Changing ----------------------------------------------------------------------------------


def test_a_new_time_tells_registered_and_waiting_people_in_their_language(app, world, plan):
    session_id = full_date(app, world, plan)
    before = date_of(app, session_id)
    trainer = logged_in(app, world, "trainer")
    new_start = dates.to_local(before.starts_at) + timedelta(days=1, hours=1)
    response = send(
        trainer,
        live_url(world, rest=f"/{session_id}/edit"),
        form_of(
            app,
            session_id,
            day=new_start.strftime("%Y-%m-%d"),
            start=new_start.strftime("%H:%M"),
            end=(new_start + timedelta(minutes=90)).strftime("%H:%M"),
        ),
    )
    assert response.status_code == 302
    after = date_of(app, session_id)
    assert after.starts_at == before.starts_at + timedelta(days=1, hours=1)
    assert after.sequence == before.sequence + 1
    told = {m.recipient: m for m in mails(app, "live_changed")}
    assert set(told) == {world[w].email for w in ("els", "pieter", "nadia", "sophie")}
    for who in ("els", "pieter", "nadia", "sophie"):
        mail = told[world[who].email]
        language = world[who].preferred_language
        assert mail.language == language
        assert mail.subject == subject(app, "Changed: %(title)s, %(day)s at %(start)s", after, who)
        assert dates.local_time(before.starts_at, language) in mail.body  # the old time
        assert dates.local_time(after.starts_at, language) in mail.body  # the new time
    # The join link is for the people with a seat only, as on the page.
    assert "https://meet.example.be/connectoo" in told[world["els"].email].body
    assert "https://meet.example.be/connectoo" not in told[world["sophie"].email].body
    [event] = audit_events(app, "live_session.edit")
    assert event.actor_id == world["trainer"].id and event.target_id == session_id
    assert set(event.details["changes"]) == {"starts_at", "ends_at"}
    assert event.details["told"] == 4
    # The invitation carries the new sequence, so calendars replace the event.
    ics = logged_in(app, world, "els").get(live_url(world, rest=f"/{session_id}/invite.ics"))
    text = ics.get_data(as_text=True).replace("\r\n ", "")
    assert f"SEQUENCE:{after.sequence}\r\n" in text and "METHOD:PUBLISH" in text
    assert f"DTSTART:{after.starts_at:%Y%m%dT%H%M%SZ}" in text


def test_more_seats_move_the_waiting_list_up_in_order(app, world, plan):
    session_id = full_date(app, world, plan)
    trainer = logged_in(app, world, "trainer")
    url = live_url(world, rest=f"/{session_id}/edit")
    assert send(trainer, url, form_of(app, session_id, capacity="3")).status_code == 302
    taken, rows = status_of(app, session_id)
    assert taken == 3
    assert dict(rows)[world["nadia"].id] == "registered"  # the first who waited
    assert dict(rows)[world["sophie"].id] == "waiting"
    [promoted] = mails(app, "live_promoted")
    assert promoted.recipient == world["nadia"].email and promoted.language == "fr"
    # Only the number of seats changed: nobody else is bothered with an e-mail.
    assert mails(app, "live_changed") == []
    sophie = logged_in(app, world, "sophie")
    assert waiting_number(sophie.get(live_url(world)).get_data(as_text=True)) == 1
    # No limit at all: everyone waiting gets a seat.
    assert send(trainer, url, form_of(app, session_id, capacity="")).status_code == 302
    taken, rows = status_of(app, session_id)
    assert taken == 4 and {s for _, s in rows} == {"registered"}
    assert [m.recipient for m in mails(app, "live_promoted")] == [
        world["nadia"].email,
        world["sophie"].email,
    ]
    assert date_of(app, session_id).sequence == 2


def test_fewer_seats_than_people_registered_is_refused(app, world, plan):
    session_id = full_date(app, world, plan)
    before = date_of(app, session_id)
    trainer = logged_in(app, world, "trainer")
    response = send(
        trainer,
        live_url(world, rest=f"/{session_id}/edit"),
        form_of(app, session_id, capacity="1", place="Zaal 3"),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html and 'href="#capacity"' in html
    assert (
        translated_plural(
            app,
            "nl",
            "%(num)d person is registered. Enter %(num)d seats or more, or leave it empty "
            "for no limit.",
            "%(num)d people are registered. Enter %(num)d seats or more, or leave it empty "
            "for no limit.",
            2,
        )
        in html
    )
    after = date_of(app, session_id)
    assert (after.capacity, after.place, after.sequence) == (2, None, before.sequence)
    assert status_of(app, session_id)[0] == 2
    assert mails(app, "live_changed") == [] and audit_events(app, "live_session.edit") == []
    # Exactly as many seats as people registered is fine.
    ok = send(
        trainer,
        live_url(world, rest=f"/{session_id}/edit"),
        form_of(app, session_id, capacity="2", notes="Neem je laptop mee."),
    )
    assert ok.status_code == 302 and date_of(app, session_id).notes == "Neem je laptop mee."


def test_changing_checks_the_form_like_planning(app, world, plan):
    session_id = plan()
    trainer = logged_in(app, world, "trainer")
    url = live_url(world, rest=f"/{session_id}/edit")
    for changes, field in (
        ({"day": "2001-03-17"}, "day"),
        ({"end": "01:00"}, "end"),
        ({"link": ""}, "link"),
        ({"link": "http://meet.example.be"}, "link"),
        ({"capacity": "0"}, "capacity"),
        ({"day": "yesterday"}, "day"),
    ):
        response = send(trainer, url, form_of(app, session_id, **changes))
        assert response.status_code == 422, changes
        assert f'href="#{field}"' in response.get_data(as_text=True), changes
    assert date_of(app, session_id).sequence == 0
    same = send(trainer, url, form_of(app, session_id))
    assert same.status_code == 302 and date_of(app, session_id).sequence == 0


def test_a_new_day_brings_a_new_reminder(app, world, plan):
    session_id = plan(days=1)
    register(app, world, "els", session_id)
    runner = app.test_cli_runner()
    assert "1 reminder(s)" in runner.invoke(args=["lms", "sessions", "remind"]).output
    live = date_of(app, session_id)
    start = dates.to_local(live.starts_at) + timedelta(hours=2)
    trainer = logged_in(app, world, "trainer")
    changes = {
        "start": start.strftime("%H:%M"),
        "end": (start + timedelta(hours=1)).strftime("%H:%M"),
    }
    response = send(
        trainer, live_url(world, rest=f"/{session_id}/edit"), form_of(app, session_id, **changes)
    )
    assert response.status_code == 302
    assert "1 reminder(s)" in runner.invoke(args=["lms", "sessions", "remind"]).output


# Cancelling --------------------------------------------------------------------------------


def test_cancelling_frees_everything_and_tells_everyone(app, world, plan):
    session_id = full_date(app, world, plan)
    trainer = logged_in(app, world, "trainer")
    page = trainer.get(live_url(world, rest=f"/{session_id}/cancel")).get_data(as_text=True)
    registered = translated_plural(
        app, "nl", "%(num)d person is registered", "%(num)d people are registered", 2
    )
    waiting = translated_plural(
        app,
        "nl",
        "%(num)d person is on the waiting list",
        "%(num)d people are on the waiting list",
        2,
    )
    assert registered in page and waiting in page
    response = send(
        trainer,
        live_url(world, rest=f"/{session_id}/cancel"),
        {"reason": "De trainer is ziek."},
    )
    assert response.status_code == 302
    live = date_of(app, session_id)
    assert live.cancelled_at is not None and live.cancel_reason == "De trainer is ziek."
    assert live.seats_taken == 0 and live.sequence == 1
    assert {s for _, s in status_of(app, session_id)[1]} == {"cancelled"}
    told = {m.recipient: m for m in mails(app, "live_cancelled")}
    assert set(told) == {world[w].email for w in ("els", "pieter", "nadia", "sophie")}
    for who in ("els", "nadia"):
        language = world[who].preferred_language
        mail = told[world[who].email]
        assert mail.language == language
        assert mail.subject == subject(app, "Cancelled: %(title)s, %(day)s at %(start)s", live, who)
        assert "De trainer is ziek." in mail.body and "/invite.ics" in mail.body
    [event] = audit_events(app, "live_session.cancel")
    assert event.actor_id == world["trainer"].id and event.target_id == session_id
    assert event.details == {"reason": "De trainer is ziek.", "registered": 2, "waiting": 2}
    # The invitation now cancels the event in calendars.
    ics = logged_in(app, world, "els").get(live_url(world, rest=f"/{session_id}/invite.ics"))
    text = ics.get_data(as_text=True)
    assert "METHOD:CANCEL\r\n" in text and "STATUS:CANCELLED\r\n" in text
    assert "SEQUENCE:1\r\n" in text
    # Nothing more can be done with it.
    for rest in ("edit", "cancel"):
        again = send(trainer, live_url(world, rest=f"/{session_id}/{rest}"), {"reason": "x"})
        assert again.status_code == 302
    assert len(mails(app, "live_cancelled")) == 4 and date_of(app, session_id).sequence == 1


def test_a_cancelled_date_refuses_registrations_and_shows_as_cancelled(app, world, plan):
    cancelled, other = plan(days=5), plan(days=9)
    register(app, world, "els", cancelled)
    trainer = logged_in(app, world, "trainer")
    assert send(trainer, live_url(world, rest=f"/{cancelled}/cancel"), {}).status_code == 302
    # Pieter had not registered: the date is gone for him, and registering is refused.
    pieter = logged_in(app, world, "pieter")
    page = pieter.get(live_url(world)).get_data(as_text=True)
    assert f'id="session-{cancelled}"' not in page and f'id="session-{other}"' in page
    refused = send(pieter, live_url(world, rest=f"/{cancelled}/register"))
    assert refused.status_code == 302
    notice = translated(app, "nl", "This date is cancelled.")
    assert notice in pieter.get(live_url(world)).get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(LiveRegistration.id)).where(
                    LiveRegistration.user_id == world["pieter"].id
                )
            )
            == 0
        )
    # Els sees it as cancelled, is no longer "in progress", and may choose the other date.
    els = logged_in(app, world, "els")
    page = els.get(live_url(world)).get_data(as_text=True)
    assert f'id="session-{cancelled}"' in page and "tag-red" in page
    assert f"/{cancelled}/unregister" not in page
    assert send(els, live_url(world, rest=f"/{other}/register")).status_code == 302
    assert status_of(app, other) == (1, [(world["els"].id, "registered")])
    # Attendance cannot be marked on it either.
    marked = send(
        trainer,
        live_url(world, rest=f"/{cancelled}/attendance"),
        {"present": [str(world["els"].id)]},
    )
    assert marked.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(LiveRegistration.id)).where(
                    LiveRegistration.attended_at.is_not(None)
                )
            )
            == 0
        )


def test_a_cancelled_registration_is_not_in_progress(app, world, plan):
    from lms.learning import engine
    from lms.live.queries import live_progress

    session_id = plan(days=5)
    register(app, world, "els", session_id)
    with app.app_context():
        key = (world["els"].id, world.course.course_id, "webinar-1")
        progress = live_progress(db.session, [world["els"].id], [world.course.course_id])
        assert progress[key].status == engine.IN_PROGRESS
    trainer = logged_in(app, world, "trainer")
    send(trainer, live_url(world, rest=f"/{session_id}/cancel"), {})
    with app.app_context():
        assert live_progress(db.session, [world["els"].id], [world.course.course_id]) == {}


def test_no_reminder_for_a_cancelled_date(app, world, plan):
    session_id = plan(days=1)
    register(app, world, "els", session_id)
    trainer = logged_in(app, world, "trainer")
    send(trainer, live_url(world, rest=f"/{session_id}/cancel"), {})
    result = app.test_cli_runner().invoke(args=["lms", "sessions", "remind"])
    assert "0 reminder(s)" in result.output
    assert mails(app, "live_reminder") == []


# The command line --------------------------------------------------------------------------


def test_cancel_and_edit_on_the_command_line(app, world, plan):
    session_id = full_date(app, world, plan)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "sessions", "edit", str(session_id), "--capacity", "3"])
    assert result.exit_code == 0, result.output
    assert "1 moved up" in result.output
    refused = runner.invoke(args=["lms", "sessions", "edit", str(session_id), "--capacity", "1"])
    assert refused.exit_code != 0 and "more people are registered" in refused.output
    result = runner.invoke(
        args=["lms", "sessions", "cancel", str(session_id), "--reason", "Zaal niet vrij"]
    )
    assert result.exit_code == 0 and "4 people told" in result.output, result.output
    assert date_of(app, session_id).cancel_reason == "Zaal niet vrij"
    [event] = audit_events(app, "live_session.cancel")
    assert event.actor_id is None  # the operator
    listing = runner.invoke(args=["lms", "sessions", "list"]).output
    assert f"#{session_id} " in listing and "CANCELLED" in listing
    again = runner.invoke(args=["lms", "sessions", "cancel", str(session_id)])
    assert again.exit_code != 0 and "cancelled" in again.output
    missing = runner.invoke(args=["lms", "sessions", "cancel", "999999"])
    assert missing.exit_code != 0 and "no date" in missing.output
