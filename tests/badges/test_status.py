"""What the server says of a credential after it was handed out: revocation through
``credentialStatus``, expiry, and key rotation (old credentials stay valid)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.badges.conftest import (
    check,
    jwt_of,
    path_of,
    segments,
    status_of,
    verify_independently,
)
from tests.certification.conftest import certified_course_yaml
from tests.conftest import csrf_token, login


def revoked_ids(client, claims: dict) -> list[str]:
    """The revocation list the credential points at, read as a verifier would."""
    status = claims["credentialStatus"]
    assert status["type"] == "1EdTechRevocationList"
    listing = client.get(path_of(status["id"]))
    assert listing.status_code == 200
    assert listing.headers["Access-Control-Allow-Origin"] == "*"
    return [entry["id"] for entry in listing.get_json()["revokedCredentials"]]


def test_revocation_shows_through_credential_status(app, holder, els_certificate, people):
    token = jwt_of(holder, els_certificate)
    _header, claims = segments(token)
    public = app.test_client()
    assert claims["id"] not in revoked_ids(public, claims)
    assert status_of(check(public, text=token).get_data(as_text=True)) == "valid"
    # An administrator revokes the certificate.
    admin = app.test_client()
    login(admin, people["admin"])
    page = f"/certificates/{els_certificate.display_code}"
    response = admin.post(
        f"{page}/revoke",
        data={"csrf_token": csrf_token(admin, page), "reason": "Fraude bij de toets"},
    )
    assert response.status_code == 302
    listing = public.get(path_of(claims["credentialStatus"]["id"])).get_json()
    assert listing["issuer"] == claims["issuer"]["id"]
    assert {"id": claims["id"], "revocationReason": "revoked"} in listing["revokedCredentials"]
    assert "Fraude" not in str(listing)  # the reason typed by the administrator stays inside
    html = check(public, text=token).get_data(as_text=True)
    assert status_of(html) == "revoked"
    # The signature itself is still good: only the status tells.
    assert verify_independently(public, token) == claims
    # The withdrawn badge is not handed out again.
    for ext in ("jwt", "json", "png"):
        assert holder.get(f"/badges/{els_certificate.display_code}.{ext}").status_code == 404


def test_a_replaced_certificate_is_listed_too(app, holder, els_certificate, people):
    token = jwt_of(holder, els_certificate)
    _header, claims = segments(token)
    admin = app.test_client()
    login(admin, people["admin"])
    page = f"/certificates/{els_certificate.display_code}"
    response = admin.post(f"{page}/reissue", data={"csrf_token": csrf_token(admin, page)})
    assert response.status_code == 302
    assert claims["id"] in revoked_ids(app.test_client(), claims)
    assert status_of(check(app.test_client(), text=token).get_data(as_text=True)) == "revoked"


def test_expiry(app, import_course, make_user, complete):
    course = import_course(certified_course_yaml("short", valid_for_months=12))
    user = make_user(email="kortlopend@example.be")
    certificate = complete(user, course, at=datetime(2020, 3, 2, 9, 0, tzinfo=UTC))
    client = app.test_client()
    login(client, user)
    token = jwt_of(client, certificate)
    _header, claims = segments(token)
    assert claims["validUntil"] == "2021-03-02T22:59:59Z"  # the end of that day in Brussels
    assert claims["exp"] == int(datetime(2021, 3, 2, 22, 59, 59, tzinfo=UTC).timestamp())
    html = check(app.test_client(), text=token).get_data(as_text=True)
    assert status_of(html) == "expired"
    # Without an end of validity there is no validUntil and no exp, and it stays valid.
    lasting = import_course(certified_course_yaml("lasting", valid_for_months=None))
    forever = complete(user, lasting, at=datetime(2020, 3, 2, 9, 0, tzinfo=UTC))
    token = jwt_of(client, forever)
    _header, claims = segments(token)
    assert "validUntil" not in claims and "exp" not in claims
    assert status_of(check(app.test_client(), text=token).get_data(as_text=True)) == "valid"


def test_rotation_keeps_old_credentials_valid(
    app, holder, els_certificate, people, certified_course, complete
):
    old_token = jwt_of(holder, els_certificate)
    old_kid = segments(old_token)[0]["kid"]
    result = app.test_cli_runner().invoke(args=["lms", "certificates", "rotate-key"])
    assert result.exit_code == 0, result.output
    public = app.test_client()
    key_set = public.get("/badges/jwks.json").get_json()
    assert len(key_set["keys"]) == 2 and old_kid in [k["kid"] for k in key_set["keys"]]
    assert all("d" not in key for key in key_set["keys"])  # never a private key
    # The old credential: still verifiable from the key set, and still valid on the page.
    assert verify_independently(public, old_token)["jti"] == f"urn:uuid:{els_certificate.public_id}"
    assert status_of(check(public, text=old_token).get_data(as_text=True)) == "valid"
    # A new download is signed with the new key.
    new_token = jwt_of(holder, els_certificate)
    new_kid = segments(new_token)[0]["kid"]
    assert new_kid != old_kid
    verify_independently(public, new_token)
    assert status_of(check(public, text=new_token).get_data(as_text=True)) == "valid"
