"""Following a thread and the e-mail digest (``lms forums digest``)."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.core.db import db
from lms.mail.models import OutgoingMail
from tests.conftest import login
from tests.forums.conftest import enrol, forum_url, send


def mails(app):
    with app.app_context():
        return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def test_digest_in_the_followers_language_once_with_a_link_to_stop(app, client, world):
    nadia = app.test_client()  # French-speaking: she starts the thread and follows it
    login(nadia, world["nadia"])
    location = send(
        nadia,
        forum_url(world, rest="/threads"),
        {"title": "Aide pour MyMinfin", "body": "Qui a une astuce ?"},
    ).headers["Location"]
    login(client, world["els"])
    send(client, location + "/follow", {"follow": "1"})
    pieter = app.test_client()
    login(pieter, world["pieter"])
    send(pieter, location + "/reply", {"body": "Ja, via itsme."})
    send(pieter, location + "/reply", {"body": "En nog iets."})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "forums", "digest"])
    assert result.exit_code == 0, result.output
    assert "2 digest(s) queued" in result.output
    sent = {m.recipient: m for m in mails(app)}
    french = sent[world["nadia"].email]
    assert french.language == "fr" and "Aide pour MyMinfin" in french.body
    assert "2" in french.body
    dutch = sent[world["els"].email]
    assert dutch.language == "nl"
    assert world["pieter"].email not in sent  # the writer is not told about their own posts
    # Nothing new: nothing sent.
    assert "0 digest(s)" in runner.invoke(args=["lms", "forums", "digest"]).output
    # The link stops the following, without logging in.
    link = re.search(r"https?://\S+/forums/unfollow/\S+", french.body).group(0)
    path = "/" + link.split("/", 3)[3]
    anonymous = app.test_client()
    page = anonymous.get(path)
    assert page.status_code == 200
    from tests.conftest import csrf_token

    anonymous.post(path, data={"csrf_token": csrf_token(anonymous, path)})
    send(pieter, location + "/reply", {"body": "Nog een derde."})
    runner.invoke(args=["lms", "forums", "digest"])
    recipients = [m.recipient for m in mails(app)]
    assert recipients.count(world["nadia"].email) == 1  # she stopped following
    assert recipients.count(world["els"].email) == 2


def test_no_digest_for_a_thread_the_follower_can_no_longer_read(app, client, world):
    login(client, world["els"])
    location = send(
        client, forum_url(world, "f-org", "/threads"), {"title": "Intern", "body": "Voor De Panne."}
    ).headers["Location"]
    nadia = app.test_client()
    login(nadia, world["nadia"])
    send(nadia, location + "/reply", {"body": "Ok."})
    # Els moves to Koksijde before the digest runs: she cannot read De Panne's forum now.
    from lms.accounts.models import User

    with app.app_context():
        user = db.session.get(User, world["els"].id)
        user.organisation_id = world.koksijde.id
        db.session.commit()
    app.test_cli_runner().invoke(args=["lms", "forums", "digest"])
    assert [m.recipient for m in mails(app)] == []
    assert enrol  # (the fixture enrolled everyone)
