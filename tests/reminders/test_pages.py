"""A coordinator reminds people from a filtered view of the people table (preview, then
send) or one person from the drill-down; a person chooses how often they are reminded.
Tenancy: only her own organisations' people, by any URL or posted id."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.core.db import db
from lms.reminders.models import MANUAL, NONE, ONLY_OVERDUE, ReminderPreference
from tests.conftest import csrf_token, login
from tests.reminders.conftest import reminder_mails, reminders


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def office(app, make_user, towns, report_course, enrol_due, progress):
    de_panne, koksijde = towns
    coordinator = make_user(
        name="An Vermeulen", manages=[de_panne], roles=("learner", "manager"), language="en"
    )
    make = lambda name, **kw: make_user(name=name, organisation=de_panne, **kw)  # noqa: E731
    people = {
        "late_a": make("Anna Late"),
        "late_b": make("Bert Late", language="fr"),
        "late_done": make("Carl Finished"),
        "soon": make("Dina Soon"),
        "quiet": make("Eva Quiet"),
    }
    enrolments = {
        "late_a": enrol_due(people["late_a"], report_course, -4),
        "late_b": enrol_due(people["late_b"], report_course, -20, sections=3),
        "late_done": enrol_due(people["late_done"], report_course, -4),
        "soon": enrol_due(people["soon"], report_course, 5),
        "quiet": enrol_due(people["quiet"], report_course, 5, mandatory=False),
    }
    progress(people["late_done"], report_course, 8)
    foreign = make_user(name="Zeno Vreemd", organisation=koksijde)
    enrolments["foreign"] = enrol_due(foreign, report_course, -4)
    with app.app_context():
        db.session.add(ReminderPreference(user_id=people["quiet"].id, voluntary=NONE))
        db.session.commit()
    return coordinator, people, enrolments, foreign


def test_preview_then_send_reminders_to_the_overdue(app, client, office):
    coordinator, people, enrolments, _foreign = office
    login(client, coordinator)
    table = client.get("/progress/people?status=overdue").get_data(as_text=True)
    assert "/progress/reminders?status=overdue" in table
    page = client.get("/progress/reminders?status=overdue")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = _text(html)
    assert "2 reminders will be sent, to 2 people." in text
    to_remind = html.split('id="to-remind"')[1].split("</table>")[0]
    assert "Anna Late" in to_remind and "Bert Late" in to_remind
    assert "Carl Finished" not in html  # completed: not even listed
    assert "Zeno" not in html and "Dina Soon" not in to_remind
    token = csrf_token(client, "/progress/reminders?status=overdue")
    sent = client.post(
        "/progress/reminders?status=overdue",
        data={
            "csrf_token": token,
            "enrolment": [enrolments["late_a"], enrolments["late_b"], enrolments["foreign"]],
        },
    )
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith("/progress/people?status=overdue")
    got = {(r.enrolment_id, r.kind, r.sent_by_id) for r in reminders(app)}
    assert got == {
        (enrolments["late_a"], MANUAL, coordinator.id),
        (enrolments["late_b"], MANUAL, coordinator.id),
    }
    mails = {m.recipient: m for m in reminder_mails(app)}
    assert set(mails) == {people["late_a"].email, people["late_b"].email}
    assert "An Vermeulen" in mails[people["late_a"].email].body
    assert mails[people["late_b"].email].language == "fr"
    # Sent today: a second click sends nothing and the preview says why.
    again = client.get("/progress/reminders?status=overdue").get_data(as_text=True)
    assert "Nobody will get a reminder" in again
    assert "Already reminded about this course today" in again
    client.post(
        "/progress/reminders?status=overdue",
        data={"csrf_token": token, "enrolment": [enrolments["late_a"]]},
    )
    assert len(reminders(app)) == 2
    drill = client.get(f"/progress/people/{people['late_a'].id}").get_data(as_text=True)
    assert "Sent by An Vermeulen" in _text(drill.split('id="reminder-list"')[1])


def test_only_the_previewed_people_are_reminded(app, client, office):
    """A row posted that the preview would not remind (another view, a voluntary course
    with reminders turned off) gets nothing."""
    coordinator, _people, enrolments, _foreign = office
    login(client, coordinator)
    token = csrf_token(client, "/progress/reminders")
    preview = _text(client.get("/progress/reminders").get_data(as_text=True))
    assert "Asked for no reminders about voluntary courses" in preview
    client.post(
        "/progress/reminders?status=overdue",
        data={"csrf_token": token, "enrolment": [enrolments["soon"], enrolments["quiet"]]},
    )
    assert reminders(app) == []


def test_remind_one_person_from_the_drill_down(app, client, office):
    coordinator, people, enrolments, _foreign = office
    login(client, coordinator)
    page = client.get(f"/progress/people/{people['soon'].id}").get_data(as_text=True)
    assert "Send a reminder about Rapport" in page
    token = csrf_token(client, f"/progress/people/{people['soon'].id}")
    response = client.post(
        f"/progress/people/{people['soon'].id}/remind",
        data={"csrf_token": token, "enrolment": enrolments["soon"]},
        follow_redirects=True,
    )
    assert "A reminder is on its way to Dina Soon." in _text(response.get_data(as_text=True))
    assert [(r.enrolment_id, r.kind) for r in reminders(app)] == [(enrolments["soon"], MANUAL)]
    # Completed: no button, and a forged post sends nothing.
    done = client.get(f"/progress/people/{people['late_done'].id}").get_data(as_text=True)
    assert "Send a reminder about Rapport" not in done
    refused = client.post(
        f"/progress/people/{people['late_done'].id}/remind",
        data={"csrf_token": token, "enrolment": enrolments["late_done"]},
        follow_redirects=True,
    )
    assert "Reason: Finished the course" in _text(refused.get_data(as_text=True))
    assert len(reminders(app)) == 1


def test_another_organisations_people_are_out_of_reach(app, client, office, towns):
    coordinator, people, enrolments, foreign = office
    _de_panne, koksijde = towns
    login(client, coordinator)
    token = csrf_token(client, "/progress/reminders")
    assert client.get(f"/progress/reminders?organisation={koksijde.id}").status_code == 404
    assert client.get("/progress/reminders?organisation=abc").status_code == 404
    assert (
        client.post(
            f"/progress/people/{foreign.id}/remind",
            data={"csrf_token": token, "enrolment": enrolments["foreign"]},
        ).status_code
        == 404
    )
    # Someone of her own with another person's enrolment id: 404, nothing sent.
    assert (
        client.post(
            f"/progress/people/{people['late_a'].id}/remind",
            data={"csrf_token": token, "enrolment": enrolments["foreign"]},
        ).status_code
        == 404
    )
    assert reminders(app) == []


def test_learners_cannot_send_reminders(app, client, office, make_user, towns):
    _coordinator, people, enrolments, _foreign = office
    login(client, people["soon"])
    token = csrf_token(client, "/")
    assert client.get("/progress/reminders").status_code == 403
    assert (
        client.post(
            f"/progress/people/{people['late_a'].id}/remind",
            data={"csrf_token": token, "enrolment": enrolments["late_a"]},
        ).status_code
        == 403
    )
    assert reminders(app) == []


def test_a_person_chooses_how_often_for_voluntary_courses(app, client, office):
    _coordinator, people, _enrolments, _foreign = office
    login(client, people["soon"])
    assert "/reminders/preferences" in client.get("/").get_data(as_text=True)
    page = client.get("/reminders/preferences").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="normal"', page)
    token = csrf_token(client, "/reminders/preferences")
    bad = client.post("/reminders/preferences", data={"csrf_token": token, "voluntary": "x"})
    assert bad.status_code == 422
    assert "Kies hoe vaak je een herinnering wilt." in bad.get_data(as_text=True)
    ok = client.post(
        "/reminders/preferences", data={"csrf_token": token, "voluntary": ONLY_OVERDUE}
    )
    assert ok.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(
                select(ReminderPreference.voluntary).where(
                    ReminderPreference.user_id == people["soon"].id
                )
            )
            == ONLY_OVERDUE
        )
    again = client.get("/reminders/preferences").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="overdue"', again)
