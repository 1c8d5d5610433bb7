"""Erasing a person: nothing of their name or e-mail address stays in any row (both
databases), and certificates, forum threads, xAPI and the audit log behave as documented."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.certification.models import Certificate, CertificateFile
from lms.certification.queries import find_by_code
from lms.core.audit import AuditEvent
from lms.core.db import Base, db
from lms.forums.models import ForumPost
from lms.learning.models import Enrolment
from lms.live.models import LiveSession
from lms.mail.models import OutgoingMail
from lms.privacy.erasure import ErasureError, erase_person
from lms.xapi.models import XapiStatement
from lms.xapi.vocabulary import VERBS
from tests.conftest import PASSWORD, login, post_form


@pytest.fixture
def app_config() -> dict:
    # The tests' database is one shared file inside a transaction that is rolled back:
    # no VACUUM here (test_erasure_files.py checks it on a database of its own).
    return {"LMS_ERASURE_VACUUM": False}


def rows_mentioning(session, words: list[str]) -> list[str]:
    """Every table row whose values, as text, contain one of ``words`` (any case)."""
    found = []
    needles = [w.casefold() for w in words]
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)).all():
            text = json.dumps([str(v) for v in row], ensure_ascii=False).casefold()
            text += str(row).casefold()
            if any(n in text for n in needles):
                found.append(f"{table.name}: {str(row)[:200]}")
    return found


def test_erasing_leaves_the_name_and_address_in_no_row(app, rich_person, make_user):
    words = [rich_person.name, rich_person.email]
    admin = make_user(roles=("admin",), language="en")
    client = app.test_client()
    # She signed in (the audit log keeps her address), an admin searched for her by name.
    with app.app_context():
        zoe = db.session.get(User, rich_person.user_id)
        zoe.set_password(PASSWORD)
        db.session.commit()
    login(client, zoe)
    client = app.test_client()
    login(client, admin)
    assert (
        client.get(
            "/progress/people", query_string={"q": rich_person.name, "format": "csv"}
        ).status_code
        == 200
    )
    with app.app_context():
        before = rows_mentioning(db.session, words)
        enrolments = db.session.scalar(
            select(func.count()).select_from(Enrolment).where(Enrolment.user_id == zoe.id)
        )
        statements = db.session.scalars(
            select(XapiStatement).where(XapiStatement.user_id == zoe.id)
        ).all()
        delivered = {s.statement_id for s in statements if s.sequence <= _cursor()}
        certificate = db.session.scalars(
            select(Certificate).where(Certificate.user_id == zoe.id)
        ).one()
        code, status = certificate.code, certificate.status
        posts = db.session.scalar(
            select(func.count()).select_from(ForumPost).where(ForumPost.author_id == zoe.id)
        )
        audit_entries = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert enrolments and statements and delivered and posts
    # The data is everywhere before (a check that the search finds it at all).
    tables = {line.split(":")[0] for line in before}
    assert {"lms_user", "lms_certificate", "lms_outgoing_mail", "lms_forum_post",
            "lms_audit_event", "lms_report_snapshot", "lms_live_session"} <= tables  # fmt: skip

    page = client.get(f"/admin/people/{zoe.id}/erase")
    assert page.status_code == 200 and "cannot be undone" in page.get_data(as_text=True)
    url = f"/admin/people/{zoe.id}/erase"
    refused = post_form(client, url, {}, page=url)
    assert refused.status_code == 422
    done = post_form(client, url, {"confirm": "y"}, page=url)
    assert done.status_code == 302

    with app.app_context():
        session = db.session
        assert rows_mentioning(session, words) == []
        erased = session.get(User, zoe.id)
        assert erased.erased_at is not None and not erased.active and erased.email is None
        assert not erased.role_assignments and erased.organisation_id is None
        # Learning records are gone; forum posts stay, under the pseudonym.
        assert not session.scalar(
            select(func.count()).select_from(Enrolment).where(Enrolment.user_id == zoe.id)
        )
        assert (
            session.scalar(
                select(func.count()).select_from(ForumPost).where(ForumPost.author_id == zoe.id)
            )
            == posts
        )
        # The certificate still answers "valid" by its code, with no name and no document.
        kept = find_by_code(session, code)
        assert kept.status == status and kept.holder_erased_at is not None
        assert kept.holder_name == "" and kept.payload == "" and kept.summary == {}
        assert not session.scalar(select(func.count()).select_from(CertificateFile).where(
            CertificateFile.certificate_id == kept.id))  # fmt: skip
        # xAPI: the delivered ones are voided through the outbox; the others are gone.
        left = session.scalars(select(XapiStatement).where(XapiStatement.user_id == zoe.id)).all()
        assert {s.verb for s in left} == {VERBS["voided"]}
        assert {json.loads(s.payload)["object"]["id"] for s in left} == {str(i) for i in delivered}
        assert all(s.sequence is None for s in left)  # sent after the originals
        # The audit log kept every entry (plus the erasure's own), without her address.
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == audit_entries + 1
        logins = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "user.login", AuditEvent.actor_id == zoe.id
            )
        ).all()
        assert logins and all(e.details.get("address") != "127.0.0.1" for e in logins)
        erase = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.erase")).one()
        assert erase.actor_id == admin.id and erase.target_id == zoe.id
        # Her seat in the webinar is free again.
        assert session.scalars(select(LiveSession)).one().seats_taken == 0
        # Nobody lists her any more.
        assert session.scalar(select(func.count()).select_from(OutgoingMail).where(
            OutgoingMail.recipient == rich_person.email)) == 0  # fmt: skip
    people = client.get("/admin/people").get_data(as_text=True)
    assert "Former participant" not in people
    assert client.get(f"/admin/people/{zoe.id}/erase").status_code == 404
    # The public verification page still answers, without a name.
    verified = client.get("/certificates/verify", query_string={"code": code}).get_data(
        as_text=True
    )
    assert rich_person.name not in verified


def _cursor() -> int:
    from lms.xapi.models import XapiEndpoint

    return db.session.scalars(select(XapiEndpoint.cursor)).one()


def test_nobody_erases_their_own_account_or_an_erased_person_twice(app, make_user):
    admin = make_user(roles=("admin",), language="en")
    other = make_user()
    with app.app_context():
        me = db.session.get(User, admin.id)
        with pytest.raises(ErasureError, match="own account"):
            erase_person(db.session, me, actor=me)
        person = db.session.get(User, other.id)
        erase_person(db.session, person, actor=me)
        with pytest.raises(ErasureError, match="already"):
            erase_person(db.session, person, actor=me)


def test_only_administrators_reach_the_erase_page(app, make_user, make_organisation):
    org = make_organisation()
    learner = make_user(organisation=org)
    coordinator = make_user(roles=("learner", "manager"), manages=[org], organisation=org)
    client = app.test_client()
    login(client, coordinator)
    assert client.get(f"/admin/people/{learner.id}/erase").status_code == 403
    url = f"/admin/people/{learner.id}/erase"
    assert post_form(client, url, {"confirm": "y"}, page="/profile").status_code == 403
    admin = make_user(roles=("admin",), language="en")
    client = app.test_client()
    login(client, admin)
    assert client.get(f"/admin/people/{2**31}/erase").status_code == 404
    assert client.get("/admin/people/99999999/erase").status_code == 404
    own = client.get(f"/admin/people/{admin.id}/erase").get_data(as_text=True)
    assert "You cannot erase your own account" in own and 'name="confirm"' not in own
