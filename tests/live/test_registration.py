"""Registering, the waiting list that moves up by itself, the invitation, reminders."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from lms.core.db import db
from lms.live.models import LiveRegistration, LiveSession
from lms.mail.models import OutgoingMail
from tests.conftest import login
from tests.live.conftest import live_url, send


def status_of(app, session_id):
    with app.app_context():
        live = db.session.get(LiveSession, session_id)
        rows = db.session.scalars(
            select(LiveRegistration)
            .where(LiveRegistration.session_id == session_id)
            .order_by(LiveRegistration.id)
        )
        return live.seats_taken, [(r.user_id, r.status) for r in rows]


def waiting_number(html: str) -> int:
    return int(re.search(r"\((?:number|nummer|numéro) (\d+)\)", html).group(1))


def register(app, world, who, session_id, activity="webinar-1"):
    client = app.test_client()
    login(client, world[who])
    response = send(client, live_url(world, activity, f"/{session_id}/register"))
    assert response.status_code == 302
    return client


def test_full_date_waits_and_the_first_waiting_moves_up_with_an_email(app, world, plan):
    session_id = plan(capacity=2)
    els = register(app, world, "els", session_id)
    register(app, world, "pieter", session_id)
    nadia = register(app, world, "nadia", session_id)
    sophie = register(app, world, "sophie", session_id)
    taken, rows = status_of(app, session_id)
    assert taken == 2
    assert [s for _, s in rows] == ["registered", "registered", "waiting", "waiting"]
    html = nadia.get(live_url(world)).get_data(as_text=True)
    assert waiting_number(html) == 1
    assert "https://meet.example.be/connectoo" not in html  # the link is for registered people
    assert waiting_number(sophie.get(live_url(world)).get_data(as_text=True)) == 2
    # Els cannot come after all: Nadia gets her seat and an e-mail in French.
    assert send(els, live_url(world, rest=f"/{session_id}/unregister")).status_code == 302
    taken, rows = status_of(app, session_id)
    assert taken == 2
    assert dict(rows)[world["nadia"].id] == "registered"
    assert dict(rows)[world["sophie"].id] == "waiting"
    with app.app_context():
        mail = db.session.scalars(select(OutgoingMail)).one()
    assert mail.recipient == world["nadia"].email and mail.language == "fr"
    assert "Webinaire cas pratiques" in mail.body and "https://meet.example.be" in mail.body
    assert "/invite.ics" in mail.body
    assert "https://meet.example.be/connectoo" in nadia.get(live_url(world)).get_data(as_text=True)


def test_one_date_per_activity_and_no_registration_after_the_start(app, world, plan):
    first, second = plan(days=5), plan(days=9)
    els = register(app, world, "els", first)
    response = send(els, live_url(world, rest=f"/{second}/register"))
    assert response.status_code == 302
    assert status_of(app, second) == (0, [])
    with app.app_context():  # the first date has started
        live = db.session.get(LiveSession, first)
        live.starts_at = datetime.now(UTC) - timedelta(minutes=5)
        db.session.commit()
    pieter = app.test_client()
    login(pieter, world["pieter"])
    send(pieter, live_url(world, rest=f"/{first}/register"))
    assert [u for u, _ in status_of(app, first)[1]] == [world["els"].id]


def test_ics_invitation(app, world, plan):
    session_id = plan(days=10)
    els = register(app, world, "els", session_id)
    response = els.get(live_url(world, rest=f"/{session_id}/invite.ics"))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")
    unfolded = text.replace("\r\n ", "")
    with app.app_context():
        live = db.session.get(LiveSession, session_id)
    assert f"DTSTART:{live.starts_at:%Y%m%dT%H%M%SZ}" in unfolded
    assert f"DTEND:{live.ends_at:%Y%m%dT%H%M%SZ}" in unfolded
    assert "SUMMARY:Webinar casussen (Cursus live)" in unfolded
    assert "LOCATION:https://meet.example.be/connectoo" in unfolded
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_times_are_shown_in_belgian_time(app, world, plan):
    from lms.live.dates import to_utc

    session_id = plan()
    with app.app_context():  # 14:00 in Brussels on a summer day is 12:00 UTC
        live = db.session.get(LiveSession, session_id)
        live.starts_at = to_utc(datetime(2031, 7, 1).date(), datetime(2031, 7, 1, 14).time())
        live.ends_at = live.starts_at + timedelta(minutes=90)
        db.session.commit()
        assert live.starts_at.hour == 12
    els = app.test_client()
    login(els, world["els"])
    html = els.get(live_url(world)).get_data(as_text=True)
    assert "14:00" in html and "15:30" in html


def test_reminder_the_day_before_once(app, world, plan):
    tomorrow, later = plan(days=1), plan(activity="terugkom", days=6)
    register(app, world, "els", tomorrow)
    register(app, world, "pieter", later, activity="terugkom")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "sessions", "remind"])
    assert result.exit_code == 0 and "1 reminder(s) queued" in result.output
    with app.app_context():
        mail = db.session.scalars(select(OutgoingMail)).one()
    assert mail.recipient == world["els"].email and "Webinar casussen" in mail.subject
    assert "0 reminder(s)" in runner.invoke(args=["lms", "sessions", "remind"]).output
