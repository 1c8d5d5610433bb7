"""Favourites, lists (and their tenancy), proposals with links and files, the review queue,
the e-mails, and the public setting."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from lms.core.db import db
from lms.databank.models import Favourite, Resource, ResourceList
from lms.mail.models import OutgoingMail
from tests.conftest import csrf_token, login

BIG = 2**31


def _id(app, slug):
    with app.app_context():
        return db.session.scalar(select(Resource.id).where(Resource.slug == slug))


def _post(client, url, data, **kw):
    """POST like a browser, with the token of the databank's page (or the login page's)."""
    html = client.get("/databank/").get_data(as_text=True)
    token = csrf_token(client, "/databank/" if "csrf_token" in html else "/login")
    return client.post(url, data={**data, "csrf_token": token}, **kw)


def test_favourites_without_and_with_javascript(app, client, imported, make_user):
    learner = make_user()
    login(client, learner)
    assert 'href="/databank/"' in client.get("/").get_data(as_text=True)  # main menu
    rid = _id(app, "t-itsme-video")
    # Without JavaScript: the form posts, the page comes back.
    response = _post(
        client, f"/databank/r/{rid}/favourite", {"on": "1", "next": "/databank/?q=itsme"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/databank/?q=itsme")
    page = client.get("/databank/?q=itsme").get_data(as_text=True)
    assert 'aria-pressed="true"' in page
    favourites = client.get("/databank/favourites").get_data(as_text=True)
    assert "/databank/r/t-itsme-video" in favourites
    assert "/databank/r/t-itsme-handleiding" not in favourites
    # The same star again changes nothing (one row).
    _post(client, f"/databank/r/{rid}/favourite", {"on": "1"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Favourite)) == 1
    # With JavaScript: the same form, answered in JSON.
    response = _post(
        client, f"/databank/r/{rid}/favourite", {"on": "0"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.get_json()["favourite"] is False
    assert "/databank/r/t-itsme-video" not in client.get("/databank/favourites").get_data(
        as_text=True
    )
    # Hostile: an open redirect, an id beyond 2^31-1, a missing resource.
    response = _post(
        client, f"/databank/r/{rid}/favourite", {"on": "1", "next": "https://evil.example"}
    )
    assert "evil" not in response.headers["Location"]
    assert _post(client, f"/databank/r/{BIG}/favourite", {"on": "1"}).status_code == 404
    assert _post(client, "/databank/r/999999/favourite", {"on": "1"}).status_code == 404


def test_favourites_lists_and_proposals_need_an_account(app, client, imported):
    rid = _id(app, "t-itsme-video")
    assert client.get("/databank/").status_code == 200
    assert client.get("/databank/r/t-itsme-video").status_code == 200
    assert 'href="/databank/"' in client.get("/login").get_data(as_text=True)  # footer
    for url in ("/databank/favourites", "/databank/lists", "/databank/propose", "/databank/review"):
        assert client.get(url).status_code == 302, url
    assert _post(client, f"/databank/r/{rid}/favourite", {"on": "1"}).status_code == 302


@pytest.mark.parametrize("app_config", [{"LMS_DATABANK_PUBLIC": False}])
def test_a_private_databank_needs_an_account(app, client, imported, make_user):
    assert client.get("/databank/").status_code == 302
    assert client.get("/databank/r/t-itsme-video").status_code == 302
    login(client, make_user())
    assert client.get("/databank/").status_code == 200


def test_lists_shared_with_colleagues_of_the_same_organisation_only(
    app, client, imported, make_user, make_organisation
):
    panne = make_organisation("De Panne")
    koksijde = make_organisation("Koksijde")
    owner = make_user(organisation=panne)
    colleague = make_user(organisation=panne)
    stranger = make_user(organisation=koksijde)
    loner = make_user()
    login(client, owner)
    response = _post(client, "/databank/lists", {"name": "Voor het digicafé van woensdag"})
    assert response.status_code == 302
    list_url = response.headers["Location"]
    with app.app_context():
        list_id = db.session.scalar(select(ResourceList.id))
    rid = _id(app, "t-videobellen")
    assert (
        _post(client, f"/databank/r/{rid}/add-to-list", {"list_id": str(list_id)}).status_code
        == 302
    )
    assert (
        _post(client, f"/databank/r/{rid}/add-to-list", {"list_id": str(list_id)}).status_code
        == 302
    )
    assert "/databank/r/t-videobellen" in client.get(list_url).get_data(as_text=True)
    # Not shared yet: colleagues get a 404 like everyone else.
    others = {}
    for person in (colleague, stranger, loner):
        other = app.test_client()
        login(other, person)
        others[person.id] = other
        assert other.get(list_url).status_code == 404
    assert _post(client, f"/databank/lists/{list_id}/share", {"shared": "1"}).status_code == 302
    assert "/databank/r/t-videobellen" in others[colleague.id].get(list_url).get_data(as_text=True)
    assert others[stranger.id].get(list_url).status_code == 404
    assert others[loner.id].get(list_url).status_code == 404
    # Only the owner changes the list.
    colleague_client = others[colleague.id]
    token = csrf_token(colleague_client, "/databank/")
    for url, data in (
        (f"/databank/lists/{list_id}/share", {"shared": "0"}),
        (f"/databank/lists/{list_id}/delete", {}),
        (f"/databank/lists/{list_id}/remove", {"resource_id": str(rid)}),
        (f"/databank/r/{rid}/add-to-list", {"list_id": str(list_id)}),
    ):
        assert colleague_client.post(url, data={**data, "csrf_token": token}).status_code == 404
    # Ids beyond 2^31-1 are a 404, never a 500.
    assert client.get(f"/databank/lists/{BIG}").status_code == 404
    response = _post(client, f"/databank/r/{rid}/add-to-list", {"list_id": str(BIG)})
    assert response.status_code == 302  # "choose a list"
    _post(client, f"/databank/lists/{list_id}/remove", {"resource_id": str(rid)})
    assert "/databank/r/t-videobellen" not in client.get(list_url).get_data(as_text=True)
    assert _post(client, f"/databank/lists/{list_id}/delete", {}).status_code == 302
    assert client.get(list_url).status_code == 404


def _proposal(**changes):
    data = {
        "title": "Handleiding Mijn Gezondheid voor ouderen",
        "description": "Een handleiding met grote letters.",
        "type": "manual",
        "target_groups": ["older_people"],
        "languages": ["nl"],
        "themes": ["mijngezondheid"],
        "url": "https://www.example.org/mijn-gezondheid",
        "licence": "CC BY 4.0",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _pdf():
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def test_proposal_review_and_notification(app, client, imported, make_user, make_organisation):
    panne = make_organisation("De Panne")
    proposer = make_user(organisation=panne, language="fr", email="propose@example.be")
    trainer = make_user(roles=("trainer",))
    login(client, proposer)
    assert client.get("/databank/propose").status_code == 200
    response = _post(client, "/databank/propose", _proposal())
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        proposal = db.session.scalar(select(Resource).where(Resource.source == "proposal"))
        assert proposal.status == "pending"
        proposal_id = proposal.id
    # Waiting: not found by search, not on a resource page.
    assert "Mijn Gezondheid voor ouderen" not in client.get("/databank/?q=gezondheid").get_data(
        as_text=True
    )
    assert client.get(f"/databank/review/{proposal_id}").status_code == 403
    # The trainer's queue.
    reviewer = app.test_client()
    login(reviewer, trainer)
    assert "Mijn Gezondheid voor ouderen" in reviewer.get("/databank/review").get_data(as_text=True)
    page = reviewer.get(f"/databank/review/{proposal_id}")
    assert page.status_code == 200
    token = csrf_token(reviewer, "/databank/")
    response = reviewer.post(
        f"/databank/review/{proposal_id}",
        data={
            **_proposal(title="Mijn Gezondheid: handleiding voor ouderen"),
            "action": "approve",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        proposal = db.session.get(Resource, proposal_id)
        assert proposal.status == "published"
        assert proposal.organisation_name == "De Panne"
        mail = db.session.scalar(
            select(OutgoingMail).where(OutgoingMail.recipient == "propose@example.be")
        )
        assert mail.language == "fr"
        assert "handleiding voor ouderen" in mail.body
        assert "Merci pour votre proposition" in mail.body
        assert mail.subject == "Votre matériel est dans la banque de données"
        slug = proposal.slug
        assert slug.startswith(f"p{proposal_id}_")  # never a curated id (no underscore)
    found = client.get("/databank/?q=handleidingen+gezondheid&organisation=De+Panne").get_data(
        as_text=True
    )
    assert f"/databank/r/{slug}" in found
    assert reviewer.get(f"/databank/review/{proposal_id}").status_code == 404  # decided
    assert reviewer.get(f"/databank/review/{BIG}").status_code == 404


def test_a_rejection_tells_the_reason(app, client, imported, make_user):
    proposer = make_user(language="nl", email="nee@example.be")
    trainer = make_user(roles=("trainer",))
    login(client, proposer)
    _post(client, "/databank/propose", _proposal(url="https://example.org/reclame"))
    with app.app_context():
        proposal_id = db.session.scalar(select(Resource.id).where(Resource.source == "proposal"))
    reviewer = app.test_client()
    login(reviewer, trainer)
    token = csrf_token(reviewer, "/databank/")
    empty = reviewer.post(
        f"/databank/review/{proposal_id}", data={"action": "reject", "csrf_token": token}
    )
    assert empty.status_code == 400
    response = reviewer.post(
        f"/databank/review/{proposal_id}",
        data={"action": "reject", "reject-reason": "Dit is reclame.", "csrf_token": token},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Resource, proposal_id).status == "rejected"
        mail = db.session.scalar(
            select(OutgoingMail).where(OutgoingMail.recipient == "nee@example.be")
        )
        assert "Dit is reclame." in mail.body
    assert "Dit is reclame." in client.get("/databank/my-proposals").get_data(as_text=True)
    # A rejected address may be proposed again.
    assert (
        _post(client, "/databank/propose", _proposal(url="https://example.org/reclame")).status_code
        == 302
    )


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "//evil.example/x",
        "https://",
        "https://exa mple.org",
    ],
)
def test_unsafe_links_are_refused(app, client, imported, make_user, url):
    login(client, make_user())
    response = _post(client, "/databank/propose", _proposal(url=url))
    assert response.status_code == 400
    assert "https://" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Resource.source == "proposal")) == 0


def test_duplicate_addresses_are_refused_with_a_link(app, client, imported, make_user):
    login(client, make_user())
    response = _post(
        client, "/databank/propose", _proposal(url="http://TEST.example.org/itsme-video/")
    )
    assert response.status_code == 400
    assert "/databank/r/t-itsme-video" in response.get_data(as_text=True)
    assert _post(client, "/databank/propose", _proposal()).status_code == 302
    again = _post(
        client, "/databank/propose", _proposal(url="https://example.org/mijn-gezondheid#x")
    )
    assert again.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Resource.source == "proposal")) == 1


@pytest.mark.parametrize("app_config", [{"LMS_DATABANK_MAX_UPLOAD_MB": 0.01}])
def test_uploads_are_checked_by_content_and_size(app, client, imported, make_user):
    trainer = make_user(roles=("trainer",))
    login(client, make_user())

    def upload(name, content, **changes):
        data = _proposal(**{"url": None, **changes})
        data["file"] = (io.BytesIO(content), name)
        return _post(client, "/databank/propose", data, content_type="multipart/form-data")

    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    lying = [
        ("handleiding.pdf", png),  # a PNG named .pdf
        ("foto.png", _pdf()),
        ("tekst.docx", b"PK\x03\x04 not really a zip"),
        ("tekst.docx", b"MZ\x90\x00 a program"),
        ("script.html", b"<script>alert(1)</script>"),
        ("programma.exe", b"MZ"),
        ("leeg.pdf", b""),
    ]
    for name, content in lying:
        response = upload(name, content)
        assert response.status_code == 400, name
    too_big = upload("groot.pdf", _pdf() + b"0" * 10_500)
    assert too_big.status_code == 400
    assert "0.01 MB" in too_big.get_data(as_text=True)
    # Far beyond the limit: refused before the body is read, with the same message.
    huge = upload("enorm.pdf", _pdf() + b"0" * 300_000)
    assert huge.status_code == 413
    assert "0.01 MB" in huge.get_data(as_text=True)
    assert upload("both.pdf", _pdf(), url="https://example.org/x").status_code == 400
    assert _post(client, "/databank/propose", _proposal(url=None)).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Resource.source == "proposal")) == 0
    assert upload("Mijn handleiding.docx", _docx(), title="Een Word-bestand").status_code == 302
    assert upload("../../evil handleiding.pdf", _pdf()).status_code == 302
    with app.app_context():
        item = db.session.scalar(select(Resource).where(Resource.file_name.like("%evil%")))
        assert item.file_name == "evil handleiding.pdf"
        assert "/" not in item.file_stored
        item_id = item.id
    # Before review: the proposer and the trainers may open the file, nobody else.
    waiting = client.get(f"/databank/proposals/{item_id}/file")
    assert waiting.status_code == 200 and waiting.data == _pdf()
    waiting.close()
    stranger = app.test_client()
    login(stranger, make_user())
    assert stranger.get(f"/databank/proposals/{item_id}/file").status_code == 404
    assert stranger.get(f"/databank/proposals/{BIG}/file").status_code == 404
    reviewer = app.test_client()
    login(reviewer, trainer)
    token = csrf_token(reviewer, "/databank/")
    response = reviewer.post(
        f"/databank/review/{item_id}",
        data={**_proposal(url=None), "action": "approve", "csrf_token": token},
    )
    assert response.status_code == 302
    with app.app_context():
        slug = db.session.get(Resource, item_id).slug
    download = client.get(f"/databank/r/{slug}/file")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.data == _pdf()
    download.close()


def test_all_my_data_and_erasure(app, client, imported, make_user):
    from lms.privacy.erasure import erase_person
    from lms.privacy.export import collect

    person = make_user(name="Zoë Zonderland", email="zoe@example.be")
    trainer = make_user(roles=("trainer",))
    login(client, person)
    rid = _id(app, "t-videobellen")
    _post(client, f"/databank/r/{rid}/favourite", {"on": "1"})
    _post(client, "/databank/lists", {"name": "Mijn lijst"})
    _post(client, "/databank/propose", _proposal(url="https://example.org/wacht"))
    _post(client, "/databank/propose", _proposal(url="https://example.org/goed"))
    with app.app_context():
        waiting, approved = db.session.scalars(
            select(Resource).where(Resource.source == "proposal").order_by(Resource.id)
        ).all()
        from lms.accounts.models import User
        from lms.databank import services

        services.approve(db.session, approved, db.session.get(User, trainer.id))
        db.session.commit()
        export = {
            s.key: s.rows for s in collect(db.session, db.session.get(User, person.id)).sections
        }
        assert [r["resource"] for r in export["databank_favourites"]] == ["t-videobellen"]
        assert [r["name"] for r in export["databank_lists"]] == ["Mijn lijst"]
        assert {r["status"] for r in export["databank_proposals"]} == {"pending", "published"}
        # No organisation: the proposal credits the person by name, until they are erased.
        assert approved.organisation_name == "Zoë Zonderland"
        erase_person(db.session, db.session.get(User, person.id))
        db.session.commit()
        assert db.session.get(Resource, waiting.id) is None
        kept = db.session.get(Resource, approved.id)
        assert kept.added_by_id is None and "Zonderland" not in kept.organisation_name
        assert db.session.scalar(select(func.count()).select_from(Favourite)) == 0
        assert db.session.scalar(select(func.count()).select_from(ResourceList)) == 0


def test_files_of_rejected_and_erased_proposals_are_removed(app, client, imported, make_user):
    from lms.accounts.models import User
    from lms.privacy.erasure import clean_up_after_erasure, erase_person

    proposer = make_user()
    trainer = make_user(roles=("trainer",))
    login(client, proposer)

    def upload(title):
        data = _proposal(url=None, title=title)
        data["file"] = (io.BytesIO(_pdf()), f"{title}.pdf")
        assert (
            _post(client, "/databank/propose", data, content_type="multipart/form-data").status_code
            == 302
        )

    upload("Eerste")
    upload("Tweede")
    folder = app.extensions["lms"].instance_path / "databank"
    with app.app_context():
        first, second = db.session.scalars(
            select(Resource).where(Resource.source == "proposal").order_by(Resource.id)
        ).all()
        first_id, second_file = first.id, second.file_stored
    assert len(list(folder.iterdir())) == 2
    reviewer = app.test_client()
    login(reviewer, trainer)
    token = csrf_token(reviewer, "/databank/")
    response = reviewer.post(
        f"/databank/review/{first_id}",
        data={"action": "reject", "reject-reason": "Dubbel.", "csrf_token": token},
    )
    assert response.status_code == 302
    assert [p.name for p in folder.iterdir()] == [second_file]
    with app.app_context():
        report = erase_person(db.session, db.session.get(User, proposer.id))
        db.session.commit()
        clean_up_after_erasure(
            app.extensions["lms"].engine, app.extensions["lms"].instance_path, report, vacuum=False
        )
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("app_config", [{"LMS_DATABANK_PROPOSAL_RATE_LIMIT": "2 per minute"}])
def test_proposals_are_limited_per_person(app, client, imported, make_user):
    login(client, make_user())
    for n in range(2):
        url = f"https://example.org/veel-{n}"
        assert _post(client, "/databank/propose", _proposal(url=url)).status_code == 302
    assert (
        _post(client, "/databank/propose", _proposal(url="https://example.org/x")).status_code
        == 429
    )
    other = app.test_client()
    login(other, make_user())
    assert (
        _post(other, "/databank/propose", _proposal(url="https://example.org/y")).status_code == 302
    )


def test_office_files_are_recognised_by_their_members():
    from lms.databank.files import UploadRefused, check_upload

    def odt(mimetype: bytes, first: str = "mimetype") -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            if first != "mimetype":
                archive.writestr(first, "x")
            archive.writestr("mimetype", mimetype)
            archive.writestr("content.xml", "<office/>")
        return buffer.getvalue()

    assert (
        check_upload("a.odt", io.BytesIO(odt(b"application/vnd.oasis.opendocument.text")), 10**6)[1]
        == "odt"
    )
    assert check_upload("a.docx", io.BytesIO(_docx()), 10**6)[1] == "docx"
    for name, data in (
        ("a.odt", odt(b"application/zip")),
        ("a.odt", odt(b"application/vnd.oasis.opendocument.text", first="other")),
        ("a.odt", odt(b"x" * 10_000)),  # a large first member is never inflated
        ("a.xlsx", _docx()),  # a Word file named .xlsx
        ("a.pptx", _docx()),
    ):
        with pytest.raises(UploadRefused):
            check_upload(name, io.BytesIO(data), 10**6)
