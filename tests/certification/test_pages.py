"""The certificate pages: the learner's, the coordinator's, the admin's, the public one."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from lms.accounts.models import User
from lms.certification.models import Certificate
from lms.core.db import db
from tests.certification.conftest import certified_course_yaml
from tests.conftest import csrf_token, login


def status_of(html: str) -> str | None:
    """The status the verification page shows (valid, expired, revoked, replaced, unknown)."""
    match = re.search(r'class="verify-result[^"]*"[^>]*data-status="(\w+)"', html)
    return match.group(1) if match else None


@pytest.fixture
def two_municipalities(make_organisation, make_user):
    de_panne, koksijde = make_organisation("De Panne"), make_organisation("Koksijde")
    return {
        "manager": make_user(name="An Vermeulen", organisation=de_panne, manages=[de_panne]),
        "els": make_user(name="Els Peeters", organisation=de_panne),
        "pieter": make_user(name="Pieter Maes", organisation=koksijde),
        "admin": make_user(name="Alex Admin", roles=("admin",)),
    }


def test_learner_sees_downloads_and_finds_them_from_the_profile(
    client, make_user, certified_course, complete
):
    user = make_user(name="Zoë Vandenbroucke")
    certificate = complete(user, certified_course)
    login(client, user)
    assert 'href="/certificates/"' in client.get("/profile").get_data(as_text=True)
    html = client.get("/certificates/").get_data(as_text=True)
    assert certificate.display_code in html and "Digitale inclusie" in html
    assert f'href="/certificates/{certificate.display_code}.pdf"' in html
    detail = client.get(f"/certificates/{certificate.display_code}")
    assert detail.status_code == 200
    assert "Zoë Vandenbroucke" in detail.get_data(as_text=True)
    download = client.get(f"/certificates/{certificate.display_code}.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF")
    disposition = download.headers["Content-Disposition"]
    assert f"certificate-digitale-inclusie-{certificate.display_code}.pdf" in disposition
    assert client.get(f"/certificates/{certificate.display_code}.pdf").data == download.data
    # Revoke and replace buttons are for administrators only.
    assert "/revoke" not in detail.get_data(as_text=True)


def test_nobody_else_sees_a_certificate(
    app, client, two_municipalities, certified_course, complete
):
    people = two_municipalities
    els = complete(people["els"], certified_course)
    pieter = complete(people["pieter"], certified_course)
    # Another learner: not found, whatever the URL.
    login(client, people["pieter"])
    for url in (f"/certificates/{els.display_code}", f"/certificates/{els.display_code}.pdf"):
        assert client.get(url).status_code == 404
    assert client.get("/certificates/organisation").status_code == 403
    # The coordinator of De Panne sees Els's certificate, not Pieter's of Koksijde.
    manager = app.test_client()
    login(manager, people["manager"])
    html = manager.get("/certificates/organisation").get_data(as_text=True)
    assert els.display_code in html and "Els Peeters" in html
    assert pieter.display_code not in html and "Pieter Maes" not in html
    assert manager.get(f"/certificates/{els.display_code}").status_code == 200
    assert manager.get(f"/certificates/{els.display_code}.pdf").status_code == 200
    assert manager.get(f"/certificates/{pieter.display_code}").status_code == 404
    assert manager.get(f"/certificates/{pieter.display_code}.pdf").status_code == 404
    # ...and cannot revoke it.
    token = csrf_token(manager, f"/certificates/{els.display_code}")
    response = manager.post(
        f"/certificates/{els.display_code}/revoke", data={"csrf_token": token, "reason": "x"}
    )
    assert response.status_code == 403


def test_public_page_says_valid_with_name_course_and_date_and_nothing_more(
    client, make_user, make_organisation, certified_course, complete
):
    user = make_user(
        name="Ελένη Παπαδοπούλου", email="eleni@example.be", organisation=make_organisation()
    )
    certificate = complete(user, certified_course)
    response = client.get(f"/certificates/verify?code={certificate.display_code.lower()}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and status_of(html) == "valid"
    assert "Ελένη Παπαδοπούλου" in html and "Digitale inclusie" in html
    assert certificate.completed_at.year and str(certificate.completed_at.year) in html
    for private in ("eleni@example.be", "De Panne", "modules"):
        assert private not in html
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_public_page_for_unknown_and_mistyped_codes(client):
    html = client.get("/certificates/verify?code=K7QM-2XRD-9TPA").get_data(as_text=True)
    assert status_of(html) == "unknown" and "K7QM-2XRD-9TPA" in html
    html = client.get("/certificates/verify?code=K7QM-2XRD").get_data(as_text=True)
    assert status_of(html) is None
    assert 'class="error-summary"' in html and 'href="#code"' in html
    html = client.get("/certificates/verify").get_data(as_text=True)
    assert status_of(html) is None and 'class="error-summary"' not in html
    assert 'name="code"' in html


def test_expired_certificate(app, client, import_course, make_user, complete):
    course = import_course(certified_course_yaml("short", valid_for_months=12))
    user = make_user()
    certificate = complete(user, course, at=datetime(2020, 3, 2, 9, 0, tzinfo=UTC))
    assert str(certificate.valid_until) == "2021-03-02"
    public = app.test_client()
    html = public.get(f"/certificates/verify?code={certificate.display_code}").get_data(
        as_text=True
    )
    assert status_of(html) == "expired" and "2021" in html
    # The holder sees it too, with a word about a refresher.
    login(client, user)
    html = client.get("/certificates/").get_data(as_text=True)
    assert 'data-status="expired"' in html and 'class="notice"' in html


def test_refresher_notice_before_the_end(client, import_course, make_user, complete):
    course = import_course(certified_course_yaml("refresh", valid_for_months=1))
    user = make_user()
    complete(user, course)
    login(client, user)
    html = client.get("/certificates/").get_data(as_text=True)
    assert 'data-status="valid"' in html and 'class="notice"' in html


def test_admin_revokes_with_a_reason(app, client, two_municipalities, certified_course, complete):
    people = two_municipalities
    certificate = complete(people["els"], certified_course)
    login(client, people["admin"])
    page = f"/certificates/{certificate.display_code}"
    token = csrf_token(client, page)
    response = client.post(f"{page}/revoke", data={"csrf_token": token, "reason": "  "})
    assert response.status_code == 400
    assert 'class="error-summary"' in response.get_data(as_text=True)
    response = client.post(
        f"{page}/revoke", data={"csrf_token": token, "reason": "Fraude bij de eindtest"}
    )
    assert response.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Fraude bij de eindtest" in html
    public = app.test_client()
    html = public.get(f"/certificates/verify?code={certificate.display_code}").get_data(
        as_text=True
    )
    assert status_of(html) == "revoked"
    with app.app_context():
        revoked = db.session.get(Certificate, certificate.id)
        assert revoked.status == "revoked" and revoked.revoked_by_id == people["admin"].id
        assert str(revoked.revoked_at.year) in html
    assert "Fraude" not in html  # the reason stays inside
    assert client.get(f"{page}.pdf").status_code == 404  # no longer handed out


def test_admin_reissues_after_a_name_correction(
    app, client, two_municipalities, certified_course, complete
):
    people = two_municipalities
    old = complete(people["els"], certified_course)
    with app.app_context():
        db.session.get(User, people["els"].id).full_name = "Els Peeters-Vandamme"
        db.session.commit()
    login(client, people["admin"])
    page = f"/certificates/{old.display_code}"
    assert "Els Peeters-Vandamme" in client.get(page).get_data(as_text=True)
    response = client.post(f"{page}/reissue", data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 302
    with app.app_context():
        replaced = db.session.get(Certificate, old.id)
        new = db.session.get(Certificate, replaced.replaced_by_id)
        assert replaced.status == "replaced" and new.status == "valid"
        assert new.holder_name == "Els Peeters-Vandamme" and new.edition == 2
        assert new.completed_at == replaced.completed_at and new.code != replaced.code
        assert response.headers["Location"].endswith(f"/certificates/{new.display_code}")
        new_code = new.display_code
    public = app.test_client()
    html = public.get(f"/certificates/verify?code={old.display_code}").get_data(as_text=True)
    assert status_of(html) == "replaced"
    html = public.get(f"/certificates/verify?code={new_code}").get_data(as_text=True)
    assert status_of(html) == "valid" and "Els Peeters-Vandamme" in html


@pytest.fixture
def app_config():
    return {"LMS_CERTIFICATE_VERIFY_RATE_LIMIT": "3 per minute"}


def test_lookups_are_rate_limited(client):
    for _ in range(3):
        assert client.get("/certificates/verify?code=K7QM-2XRD-9TPA").status_code == 200
    response = client.get("/certificates/verify?code=K7QM-2XRD-9TPB")
    assert response.status_code == 429
    # The empty form is not a look-up.
    assert client.get("/certificates/verify").status_code == 200


def test_public_keys_are_published(client, make_user, certified_course, complete):
    assert client.get("/certificates/keys.json").get_json()["keys"] == []
    certificate = complete(make_user(), certified_course)
    data = client.get("/certificates/keys.json").get_json()
    assert [key["kid"] for key in data["keys"]] == [certificate.key.kid]
    assert data["keys"][0]["kty"] == "OKP" and data["keys"][0]["crv"] == "Ed25519"
