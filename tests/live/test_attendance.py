"""Attendance completes the activity and sends ``attended``: by checkboxes or a CSV file."""

from __future__ import annotations

import io
import json

from sqlalchemy import select

from lms.core.db import db
from lms.learning.models import Completion
from lms.xapi.models import XapiStatement
from tests.conftest import login
from tests.live.conftest import live_url, send
from tests.live.test_registration import register


def attended_statements(app, user_id):
    with app.app_context():
        rows = db.session.scalars(select(XapiStatement).where(XapiStatement.user_id == user_id))
        return [
            json.loads(r.payload)
            for r in rows
            if r.verb == "http://adlnet.gov/expapi/verbs/attended"
        ]


def completed(app, user_id, activity="webinar-1"):
    with app.app_context():
        return (
            db.session.scalar(
                select(Completion).where(
                    Completion.user_id == user_id,
                    Completion.kind == "activity",
                    Completion.item_id == activity,
                )
            )
            is not None
        )


def test_checkboxes_complete_the_activity(app, world, plan):
    session_id = plan()
    els = register(app, world, "els", session_id)
    register(app, world, "pieter", session_id)
    trainer = app.test_client()
    login(trainer, world["trainer"])
    url = live_url(world, rest=f"/{session_id}/attendance")
    html = trainer.get(url).get_data(as_text=True)
    assert "Els Peeters" in html and "Pieter Maes" in html
    response = send(trainer, url, {"present": [str(world["els"].id)]})
    assert response.status_code == 302
    assert completed(app, world["els"].id) and not completed(app, world["pieter"].id)
    (statement,) = attended_statements(app, world["els"].id)
    assert statement["object"]["id"].endswith("/webinar-1")
    assert statement["result"]["duration"] in ("PT1H30M", "PT01H30M00S")  # 90 minutes
    # Marking again changes nothing: one completion, one statement.
    send(trainer, url, {"present": [str(world["els"].id)]})
    assert len(attended_statements(app, world["els"].id)) == 1
    page = els.get(f"/courses/{world.course.slug}").get_data(as_text=True)
    assert "status-green" in page.split("webinar-1", 1)[1].split("</li>", 1)[0]


def test_csv_upload_reports_every_row(app, world, plan, make_user):
    session_id = plan(capacity=None)
    register(app, world, "els", session_id)
    stranger = make_user(name="Not Enrolled", organisation=world.de_panne)
    csv = (
        "email;naam\n"
        f"{world['els'].email.upper()};Els\n"
        f"{world['pieter'].email};Pieter (not registered: a walk-in)\n"
        "nobody@example.be;?\n"
        f"{stranger.email};Stranger\n"
        f"{world['els'].email};Els again\n"
        ";empty\n"
    ).encode("utf-8-sig")
    trainer = app.test_client()
    login(trainer, world["trainer"])
    from tests.conftest import csrf_token

    url = live_url(world, rest=f"/{session_id}/attendance/upload")
    response = trainer.post(
        url,
        data={
            "csrf_token": csrf_token(trainer, "/"),
            "file": (io.BytesIO(csv), "aanwezig.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    table = html[html.index('class="table attendance-report"') :]
    rows = table.split("<tr class=")[1:]
    assert [r.split('"')[1] for r in rows] == [
        "row-ok",
        "row-ok",
        "row-problem",
        "row-problem",
        "row-problem",
        "row-problem",
    ]
    assert [r.split('class="numeric">')[1].split("<")[0] for r in rows] == [
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
    ]
    assert completed(app, world["els"].id) and completed(app, world["pieter"].id)
    assert not completed(app, stranger.id)
    # A file that is not text is refused with a message, nothing marked.
    bad = trainer.post(
        url,
        data={
            "csrf_token": csrf_token(trainer, "/"),
            "file": (io.BytesIO(b"\xff\xfe\x00P\x00K"), "x.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and 'class="error-summary"' in bad.get_data(as_text=True)


def test_a_manager_marks_only_their_own_organisations_dates(app, world, plan):
    own = plan(activity="terugkom", organisation=world.de_panne, capacity=None)
    theirs = plan(activity="terugkom", organisation=world.koksijde, capacity=None)
    register(app, world, "els", own, activity="terugkom")
    manager = app.test_client()
    login(manager, world["manager"])
    assert manager.get(live_url(world, "terugkom", f"/{theirs}/attendance")).status_code == 404
    url = live_url(world, "terugkom", f"/{own}/attendance")
    assert send(manager, url, {"present": [str(world["els"].id)]}).status_code == 302
    assert completed(app, world["els"].id, "terugkom")
