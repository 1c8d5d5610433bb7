"""Every permission rule over every session URL of ``app.url_map``."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.core.db import db
from lms.live.models import LiveRegistration, LiveSession
from tests.conftest import csrf_token, login
from tests.live.conftest import live_url, send

PREFIX = "lms.live."


def live_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith(PREFIX)]


def counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count(LiveSession.id))),
            db.session.scalar(select(func.count(LiveRegistration.id))),
            db.session.scalar(
                select(func.count(LiveRegistration.id)).where(
                    LiveRegistration.attended_at.is_not(None)
                )
            ),
        )


def form(client, logged_in=True):
    return {
        "csrf_token": csrf_token(client, "/" if logged_in else "/login"),
        "day": "2031-03-17",
        "start": "14:00",
        "link": "https://meet.example.be/x",
        "place": "Zaal",
        "organisation": "",
        "present": ["1", "2", "3"],
    }


def probe(client, rule, url, logged_in=True):
    found = {}
    for method in sorted(rule.methods & {"GET", "POST"}):
        found[method] = (
            client.get(url) if method == "GET" else client.post(url, data=form(client, logged_in))
        )
    return found


def build(rule, world, activity, session_id):
    return rule.build(
        {"slug": world.course.slug, "activity_id": activity, "session_id": session_id},
        append_unknown=False,
    )[1]


@pytest.fixture
def dates(plan, world):
    return {
        "everyone": plan(),
        "de_panne": plan(activity="terugkom", organisation=world.de_panne),
    }


def test_anonymous_people_go_to_the_login(app, client, world, dates):
    for rule in live_rules(app):
        for method, response in probe(
            client, rule, build(rule, world, "webinar-1", dates["everyone"]), False
        ).items():
            assert response.status_code == 302 and "/login" in response.headers["Location"], (
                rule.rule,
                method,
            )


@pytest.mark.parametrize("who", ["outsider", "tom"])
def test_learners_of_another_course_or_not_enrolled_are_refused(app, client, world, dates, who):
    login(client, world[who])
    before = counts(app)
    for rule in live_rules(app):
        for activity, session_id in (
            ("webinar-1", dates["everyone"]),
            ("terugkom", dates["de_panne"]),
        ):
            for method, response in probe(
                client, rule, build(rule, world, activity, session_id)
            ).items():
                assert response.status_code in (403, 404), (rule.rule, method)
    assert counts(app) == before


def test_a_learner_of_another_organisation_does_not_see_a_collective_moment(
    app, client, world, dates
):
    login(client, world["pieter"])  # Koksijde
    html = client.get(live_url(world, "terugkom")).get_data(as_text=True)
    assert "Gemeentehuis" not in html
    before = counts(app)
    for rule in live_rules(app):
        if "session_id" not in rule.arguments:
            continue
        url = build(rule, world, "terugkom", dates["de_panne"])
        for method, response in probe(client, rule, url).items():
            assert response.status_code == 404, (rule.rule, method)
    assert counts(app) == before
    # A colleague of De Panne sees it and registers.
    colleague = app.test_client()
    login(colleague, world["els"])
    assert "Gemeentehuis" in colleague.get(live_url(world, "terugkom")).get_data(as_text=True)
    send(colleague, live_url(world, "terugkom", f"/{dates['de_panne']}/register"))
    assert counts(app)[1] == before[1] + 1


def test_learners_neither_plan_nor_mark_attendance(app, client, world, dates):
    login(client, world["els"])
    before = counts(app)
    assert client.get(live_url(world, rest="/new")).status_code == 403
    assert send(client, live_url(world, rest="/new"), form(client)).status_code == 403
    for rest in ("/attendance", "/attendance/upload"):
        url = live_url(world, rest=f"/{dates['everyone']}{rest}")
        assert send(client, url, form(client)).status_code == 403
    assert client.get(live_url(world, rest=f"/{dates['everyone']}/attendance")).status_code == 403
    assert counts(app) == before


def test_a_manager_plans_for_their_own_organisation_only(app, client, world, dates):
    login(client, world["manager"])
    page = client.get(live_url(world, "terugkom", "/new")).get_data(as_text=True)
    assert "De Panne" in page and "Koksijde" not in page
    data = {"day": "2031-03-17", "start": "09:30", "place": "Sociaal huis"}
    koksijde = send(
        client,
        live_url(world, "terugkom", "/new"),
        {**data, "organisation": str(world.koksijde.id)},
    )
    assert koksijde.status_code == 422
    everyone = send(client, live_url(world, "terugkom", "/new"), {**data, "organisation": ""})
    assert everyone.status_code == 422
    before = counts(app)
    ok = send(
        client,
        live_url(world, "terugkom", "/new"),
        {**data, "organisation": str(world.de_panne.id)},
    )
    assert ok.status_code == 302
    assert counts(app)[0] == before[0] + 1
    with app.app_context():
        live = db.session.scalars(select(LiveSession).order_by(LiveSession.id.desc())).first()
        assert live.organisation_id == world.de_panne.id
        assert (live.ends_at - live.starts_at).total_seconds() == 120 * 60  # the YAML's length
        assert live.starts_at.hour == 8  # 09:30 in Brussels in March is 08:30 UTC
    # The manager of Koksijde neither sees nor manages De Panne's date.
    other = app.test_client()
    login(other, world["koksijde_manager"])
    url = live_url(world, "terugkom", f"/{dates['de_panne']}/attendance")
    assert other.get(url).status_code == 404


def test_a_trainer_plans_with_checks(app, client, world):
    login(client, world["trainer"])
    url = live_url(world, rest="/new")
    missing_link = send(client, url, {"day": "2031-03-17", "start": "14:00", "organisation": ""})
    assert missing_link.status_code == 422
    ends_first = send(
        client,
        url,
        {
            "day": "2031-03-17",
            "start": "14:00",
            "end": "13:00",
            "link": "https://meet.example.be/a",
            "organisation": "",
        },
    )
    assert ends_first.status_code == 422
    past = send(
        client,
        url,
        {
            "day": "2001-03-17",
            "start": "14:00",
            "link": "https://meet.example.be/a",
            "organisation": "",
        },
    )
    assert past.status_code == 422
    ok = send(
        client,
        url,
        {
            "day": "17/03/2031",
            "start": "14:00",
            "capacity": "25",
            "link": "https://meet.example.be/a",
            "organisation": "",
        },
    )
    assert ok.status_code == 302
    with app.app_context():
        live = db.session.scalars(select(LiveSession)).one()
        assert live.capacity == 25 and live.organisation_id is None
