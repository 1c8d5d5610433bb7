"""A learner enrols, walks through lessons, leaves and comes back where they stopped."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from lms.core import signals
from lms.core.db import db
from lms.learning.models import Completion, Enrolment, SectionVisit
from tests.conftest import csrf_token, login
from tests.learning.conftest import course_yaml


def enrol(client, slug):
    token = csrf_token(client, f"/courses/{slug}")
    return client.post(f"/courses/{slug}/enrol", data={"csrf_token": token})


def percent(html: str, label: str) -> int:
    match = re.search(f"(?:{label})" + r"[^<]*?(\d+)%", html)
    assert match, f"no {label} percentage"
    return int(match.group(1))


def test_self_enrolment_in_an_open_course_only(client, make_user, import_course):
    import_course(course_yaml("open-course", 1))
    import_course(course_yaml("closed-course", 1, enrolment="closed"))
    login(client, make_user())
    home = client.get("/").get_data(as_text=True)
    assert "Cursus open-course" in home and "closed-course" not in home
    assert client.get("/courses/closed-course").status_code == 404
    assert enrol(client, "open-course").status_code == 302
    assert enrol(client, "open-course").status_code == 302  # twice is harmless
    home = client.get("/").get_data(as_text=True)
    assert "/courses/open-course/continue" in home


def test_walk_leave_and_resume_on_another_device(app, client, make_user, import_course):
    course = import_course(course_yaml("walk", 2, lessons=2, sections=3))  # 12 sections
    user = make_user()
    login(client, user)
    enrol(client, "walk")
    ids = [s.id for s in course.sections]
    # Starting the course shows the plan prompt first (lms.plans), which goes on to the
    # first section; skipped, it does not come back.
    first = client.get("/courses/walk/continue")
    assert first.headers["Location"].startswith("/courses/walk/plan?")
    assert f"next=/courses/walk/learn/{ids[0]}" in first.headers["Location"]
    token = csrf_token(client, "/courses/walk/plan")
    skipped = client.post(
        f"/courses/walk/plan/skip?next=/courses/walk/learn/{ids[0]}", data={"csrf_token": token}
    )
    assert skipped.headers["Location"].endswith(f"/courses/walk/learn/{ids[0]}")
    first = client.get("/courses/walk/continue")
    assert first.headers["Location"].endswith(f"/courses/walk/learn/{ids[0]}")
    for section_id in ids[:7]:
        page = client.get(f"/courses/walk/learn/{section_id}")
        assert page.status_code == 200
    # Another device: a new browser session.
    other = app.test_client()
    login(other, user)
    resume = other.get("/courses/walk/continue")
    assert resume.headers["Location"].endswith(f"/courses/walk/learn/{ids[6]}")
    # The same numbers on the dashboard, the course page and the player: 7 of 12 = 58%.
    dashboard = other.get("/").get_data(as_text=True)
    course_page = other.get("/courses/walk").get_data(as_text=True)
    player = other.get(f"/courses/walk/learn/{ids[6]}").get_data(as_text=True)
    # Module 1 is done (6 of 6), module 2 has 1 of 6: the course is (100 + 16.7) / 2 = 58%.
    assert percent(dashboard, "Opleiding|Course") == 58
    assert percent(course_page, "Opleiding|Course") == 58
    assert "6 of 6" in course_page or "6 van 6" in course_page
    assert "1 of 6" in course_page or "1 van 6" in course_page
    assert percent(player, "E-learning") == 16


def test_section_states_and_previous_next_cross_lessons(client, make_user, import_course):
    course = import_course(course_yaml("nav", 1, lessons=2, sections=2))
    login(client, make_user())
    enrol(client, "nav")
    s = [x.id for x in course.sections]
    html = client.get(f"/courses/nav/learn/{s[1]}").get_data(as_text=True)
    assert f'href="/courses/nav/learn/{s[2]}"' in html and 'rel="next"' in html
    assert "Les 1 van 2" in html or "Lesson 1 of 2" in html
    html = client.get(f"/courses/nav/learn/{s[2]}").get_data(as_text=True)
    assert 'rel="prev"' in html and f"/courses/nav/learn/{s[1]}" in html
    assert "Les 2 van 2" in html or "Lesson 2 of 2" in html
    html = client.get(f"/courses/nav/learn/{s[3]}").get_data(as_text=True)
    assert 'rel="next"' not in html and "/courses/nav#module-m1" in html
    assert 'aria-current="step"' in html


def test_completion_is_recorded_once_with_signals(app, client, make_user, import_course):
    course = import_course(course_yaml("done", 1, lessons=1, sections=2))
    user = make_user()
    login(client, user)
    enrol(client, "done")
    received = []

    def listener(sender, **kw):
        received.append(kw["course"].slug)

    signals.course_completed.connect(listener)
    try:
        for _ in range(2):
            for section in course.sections:
                client.get(f"/courses/done/learn/{section.id}")
    finally:
        signals.course_completed.disconnect(listener)
    assert received == ["done"]
    with app.app_context():
        kinds = db.session.execute(
            select(Completion.kind, func.count())
            .where(Completion.user_id == user.id)
            .group_by(Completion.kind)
        ).all()
        assert dict(kinds) == {"activity": 1, "module": 1, "course": 1}
        enrolment = db.session.scalars(select(Enrolment)).one()
        assert enrolment.completed_at is not None
        assert db.session.scalar(select(func.count()).select_from(SectionVisit)) == 2
    html = client.get("/courses/done").get_data(as_text=True)
    assert "100%" in html


def test_unknown_section_and_not_enrolled(client, make_user, import_course):
    course = import_course(course_yaml("guard", 1))
    login(client, make_user())
    assert client.get("/courses/guard/learn/nope").status_code == 404
    response = client.get(f"/courses/guard/learn/{course.sections[0].id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/courses/guard")
    assert client.get("/courses/missing").status_code == 404


def test_learning_pages_need_a_login(client, import_course):
    import_course(course_yaml("private", 1))
    response = client.get("/courses/private")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_course_shows_in_french_for_a_french_learner(client, make_user, import_course):
    course = import_course(course_yaml("fr", 1))
    login(client, make_user(language="fr"))
    enrol(client, "fr")
    html = client.get(f"/courses/fr/learn/{course.sections[0].id}").get_data(as_text=True)
    assert "Texte de" in html and 'lang="fr"' in html
