"""Every permission rule, probed over every forum URL of ``app.url_map``."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.catalog.queries import get_course_def
from lms.core.db import db
from lms.forums import services
from lms.forums.access import forum_access
from lms.forums.digest import unfollow_token
from lms.forums.models import ForumPost, ForumReport, ForumThread
from tests.conftest import csrf_token, login
from tests.forums.conftest import forum_url, send

PREFIX = "lms.forums."


@pytest.fixture
def scene(app, world):
    """Els (De Panne) opened a thread in each forum; Pieter (Koksijde) replied in the
    course-wide one and reported Els's post."""
    with app.app_context():
        course = get_course_def(db.session, world.course.slug)
        els = db.session.get(User, world["els"].id)
        pieter = db.session.get(User, world["pieter"].id)

        def access(user, activity):
            return forum_access(db.session, user, course, course.activities_by_id[activity])

        thread = services.start_thread(
            db.session, access(els, "f-course"), "Draad van Els", "Tekst van Els."
        )
        opening = db.session.scalar(select(ForumPost).where(ForumPost.thread_id == thread.id))
        answer = services.reply(
            db.session, access(pieter, "f-course"), thread, "Antwoord van Pieter."
        )
        org_thread = services.start_thread(
            db.session, access(els, "f-org"), "Alleen De Panne", "Iets voor collega's."
        )
        org_post = db.session.scalar(select(ForumPost).where(ForumPost.thread_id == org_thread.id))
        report = services.report_post(
            db.session,
            access(pieter, "f-course"),
            opening,
            "Naam van een burger",
            reports_url="http://localhost/forums/reports",
        )
        db.session.commit()
        return {
            "thread": thread.id,
            "post": opening.id,
            "answer": answer.id,
            "org_thread": org_thread.id,
            "org_post": org_post.id,
            "report": report.id,
            "token": unfollow_token(app.config["SECRET_KEY"], els.id, thread.id),
        }


def forum_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith(PREFIX)]


def build(rule, world, scene, activity="f-course"):
    org = activity == "f-org"
    values = {
        "slug": world.course.slug,
        "activity_id": activity,
        "thread_id": scene["org_thread" if org else "thread"],
        "post_id": scene["org_post" if org else "post"],
        "report_id": scene["report"],
        "token": scene["token"],
    }
    return rule.build(values, append_unknown=False)[1]


def probe(client, rule, url):
    """Status of each method of ``rule`` (POSTs carry a valid CSRF token)."""
    found = {}
    for method in sorted(rule.methods & {"GET", "POST"}):
        if method == "GET":
            found[method] = client.get(url)
        else:
            found[method] = client.post(
                url,
                data={
                    "csrf_token": csrf_token(client, "/")
                    if _logged_in(client)
                    else csrf_token(client, "/login"),
                    "body": "Probe",
                    "title": "Probe",
                    "action": "hide",
                },
            )
    return found


def _logged_in(client) -> bool:
    return client.get("/").status_code == 200


def counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count(ForumPost.id))),
            db.session.scalar(select(func.count(ForumThread.id))),
            db.session.scalar(select(func.count(ForumReport.id))),
            db.session.scalar(
                select(func.count(ForumPost.id)).where(ForumPost.hidden_at.is_not(None))
            ),
        )


def test_every_url_sends_anonymous_people_to_the_login(app, client, world, scene):
    probed = set()
    for rule in forum_rules(app):
        if rule.endpoint == PREFIX + "unfollow":
            continue  # the digest's link: the signed token is the key (tested below)
        for method, response in probe(client, rule, build(rule, world, scene)).items():
            assert response.status_code == 302, (rule.rule, method)
            assert "/login" in response.headers["Location"]
        probed.add(rule.endpoint)
    assert len(probed) == len(forum_rules(app)) - 1


@pytest.mark.parametrize("who", ["outsider", "tom"])
def test_learners_of_another_course_or_not_enrolled_are_refused_everywhere(
    app, client, world, scene, who
):
    """Olga learns another course; Tom works in De Panne but is not enrolled."""
    login(client, world[who])
    before = counts(app)
    probed = set()
    for rule in forum_rules(app):
        if rule.endpoint == PREFIX + "unfollow":
            continue
        for activity in ("f-course", "f-org"):
            url = build(rule, world, scene, activity)
            for method, response in probe(client, rule, url).items():
                assert response.status_code in (403, 404), (rule.rule, method)
                assert "Tekst van Els" not in response.get_data(as_text=True)
        probed.add(rule.endpoint)
    assert probed == {r.endpoint for r in forum_rules(app)} - {PREFIX + "unfollow"}
    assert counts(app) == before


def test_organisation_forum_is_closed_to_other_organisations(app, client, world, scene):
    login(client, world["pieter"])  # enrolled, but in Koksijde
    html = client.get(forum_url(world, "f-org")).get_data(as_text=True)
    assert "Alleen De Panne" not in html
    before = counts(app)
    for rule in forum_rules(app):
        if not {"thread_id", "post_id"} & set(rule.arguments):
            continue
        for method, response in probe(client, rule, build(rule, world, scene, "f-org")).items():
            assert response.status_code == 404, (rule.rule, method)
    assert counts(app) == before
    # ... while a colleague of De Panne reads and replies there.
    colleague = app.test_client()
    login(colleague, world["nadia"])
    url = forum_url(world, "f-org", f"/threads/{scene['org_thread']}")
    assert "Iets voor collega" in colleague.get(url).get_data(as_text=True)
    assert send(colleague, url + "/reply", {"body": "Merci!"}).status_code == 302


def test_a_manager_reads_only_their_own_peoples_posts_and_cannot_write(app, client, world, scene):
    login(client, world["manager"])
    html = client.get(forum_url(world)).get_data(as_text=True)
    assert "Draad van Els" in html and 'name="title"' not in html
    thread = client.get(forum_url(world, rest=f"/threads/{scene['thread']}"))
    text = thread.get_data(as_text=True)
    assert thread.status_code == 200 and "Tekst van Els" in text
    assert "Pieter" not in text and "Antwoord van Pieter" not in text  # Koksijde
    before = counts(app)
    expected_post = {  # every writing URL is refused; reporting is open to every reader
        "start_thread": 403,
        "reply": 403,
        "follow": 302,
        "moderate_thread": 403,
        "edit_post": 403,
        "delete_post": 403,
        "report_post": 302,
        "moderate_post": 403,
        "resolve_report": 403,
    }
    for rule in forum_rules(app):
        name = rule.endpoint.removeprefix(PREFIX)
        if name == "unfollow":
            continue
        responses = probe(client, rule, build(rule, world, scene))
        if "POST" in responses:
            assert responses["POST"].status_code == expected_post[name], rule.rule
        if "GET" in responses:
            expected = 403 if name in ("edit_post", "delete_post", "reports") else 200
            assert responses["GET"].status_code == expected, rule.rule
    after = counts(app)
    assert after[:2] == before[:2] and after[2] == before[2] + 1 and after[3] == before[3]
    # The manager of Koksijde finds nothing of De Panne's.
    other = app.test_client()
    login(other, world["koksijde_manager"])
    assert "Draad van Els" not in other.get(forum_url(world)).get_data(as_text=True)
    assert other.get(forum_url(world, rest=f"/threads/{scene['thread']}")).status_code == 404
    assert other.get(forum_url(world, rest=f"/posts/{scene['post']}/report")).status_code == 404


def test_only_trainers_moderate(app, client, world, scene):
    login(client, world["pieter"])
    thread_url = forum_url(world, rest=f"/threads/{scene['thread']}/moderate")
    post_url = forum_url(world, rest=f"/posts/{scene['post']}/moderate")
    assert send(client, thread_url, {"action": "lock"}).status_code == 403
    assert send(client, post_url, {"action": "hide"}).status_code == 403
    assert client.get("/forums/reports").status_code == 403
    assert send(client, f"/forums/reports/{scene['report']}/resolve").status_code == 403
    trainer = app.test_client()
    login(trainer, world["trainer"])
    assert "Naam van een burger" in trainer.get("/forums/reports").get_data(as_text=True)
    assert send(trainer, post_url, {"action": "hide"}).status_code == 302
    # Hiding the opening post hides the thread from learners, and closes the report.
    assert client.get(forum_url(world, rest=f"/threads/{scene['thread']}")).status_code == 404
    assert "Draad van Els" not in client.get(forum_url(world)).get_data(as_text=True)
    assert "Naam van een burger" not in trainer.get("/forums/reports").get_data(as_text=True)
    html = trainer.get(forum_url(world, rest=f"/threads/{scene['thread']}")).get_data(as_text=True)
    assert "Tekst van Els" in html and "tag-red" in html
    assert send(trainer, post_url, {"action": "restore"}).status_code == 302
    assert client.get(forum_url(world, rest=f"/threads/{scene['thread']}")).status_code == 200
    assert send(trainer, thread_url, {"action": "lock"}).status_code == 302
    assert send(trainer, thread_url, {"action": "explode"}).status_code == 400


def test_authors_edit_within_the_time_limit_and_delete_their_own_posts(app, client, world, scene):
    own = forum_url(world, rest=f"/posts/{scene['post']}")
    login(client, world["els"])
    assert client.get(own + "/edit").status_code == 200
    assert send(client, own + "/edit", {"body": "Verbeterde *tekst*."}).status_code == 302
    html = client.get(forum_url(world, rest=f"/threads/{scene['thread']}")).get_data(as_text=True)
    assert "Verbeterde <em>tekst</em>." in html
    # Someone else's post can be neither changed nor deleted.
    others = forum_url(world, rest=f"/posts/{scene['answer']}")
    assert client.get(others + "/edit").status_code == 403
    assert send(client, others + "/delete").status_code == 403
    # After the time limit, no more changes.
    app.config["LMS_FORUM_EDIT_MINUTES"] = 0
    assert send(client, own + "/edit", {"body": "Te laat."}).status_code == 403
    # Deleting is always possible; the text is gone for good, a placeholder stays.
    assert client.get(own + "/delete").status_code == 200
    assert send(client, own + "/delete").status_code == 302
    html = client.get(forum_url(world, rest=f"/threads/{scene['thread']}")).get_data(as_text=True)
    assert "Verbeterde" not in html and "post-deleted" in html
    with app.app_context():
        post = db.session.get(ForumPost, scene["post"])
        assert post.body_source == "" and post.deleted_at is not None


def test_unfollow_link_needs_a_valid_token(app, client, world, scene):
    url = f"/forums/unfollow/{scene['token']}"
    assert client.get(url).status_code == 200
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 200
    assert client.get("/forums/unfollow/forged-token").status_code == 404
    tampered = unfollow_token("another-secret", world["els"].id, scene["thread"])
    assert client.get(f"/forums/unfollow/{tampered}").status_code == 404


def test_every_forum_and_session_form_needs_the_csrf_token(app, client, world, scene):
    login(client, world["trainer"])
    before = counts(app)
    rules = [
        r
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith((PREFIX, "lms.live.")) and "POST" in r.methods
    ]
    assert len(rules) >= 15
    for rule in rules:
        values = dict.fromkeys(rule.arguments, 1)
        values.update(
            slug=world.course.slug,
            activity_id="f-course",
            thread_id=scene["thread"],
            post_id=scene["post"],
            report_id=scene["report"],
            token=scene["token"],
        )
        url = rule.build(values, append_unknown=False)[1]
        response = client.post(url, data={"body": "x", "title": "x", "action": "hide"})
        assert response.status_code == 400, rule.rule
        forged = client.post(url, data={"body": "x", "action": "hide", "csrf_token": "forged"})
        assert forged.status_code == 400, rule.rule
    assert counts(app) == before
