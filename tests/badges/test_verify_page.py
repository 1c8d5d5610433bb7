"""The public badge check: every outcome in plain words, refusals in the audit log, and
hostile uploads answered with a clear message (never a 500)."""

from __future__ import annotations

import base64
import json
import os
import re
from io import BytesIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from sqlalchemy import select

from lms.core.audit import AuditEvent
from lms.core.db import db
from tests.badges.conftest import check, download, jwt_of, segments, status_of

MAX_KB = 64


@pytest.fixture
def app_config() -> dict:
    return {"LMS_BADGE_VERIFY_RATE_LIMIT": "1000 per minute", "LMS_BADGE_MAX_UPLOAD_KB": MAX_KB}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def foreign_jwt(claims: dict, kid: str, key: Ed25519PrivateKey | None = None) -> str:
    key = key or Ed25519PrivateKey.generate()
    header = b64(json.dumps({"alg": "EdDSA", "kid": kid, "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims).encode())
    return f"{header}.{payload}.{b64(key.sign(f'{header}.{payload}'.encode()))}"


def refusals(app) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "badge.refused")
                .order_by(AuditEvent.id)
            )
        )


def error_of(html: str) -> str:
    match = re.search(r'<p class="error-message"[^>]*>(.*?)</p>', html, re.S)
    assert match, "no error message on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()


def test_the_page_is_linked_and_accessible(app, holder, els_certificate):
    public = app.test_client()
    html = public.get("/certificates/verify").get_data(as_text=True)
    assert 'href="/badges/verify"' in html
    page = public.get("/badges/verify")
    assert page.status_code == 200 and page.headers["X-Robots-Tag"] == "noindex"
    html = page.get_data(as_text=True)
    assert html.count("<h1>") == 1 and 'enctype="multipart/form-data"' in html
    for name in ("file", "text"):  # every field has its label
        assert f'<label class="label" for="{name}">' in html and f'id="{name}"' in html
    # The holder's certificate page offers the three downloads.
    detail = holder.get(f"/certificates/{els_certificate.display_code}").get_data(as_text=True)
    for ext in ("png", "json", "jwt"):
        assert f'href="/badges/{els_certificate.display_code}.{ext}"' in detail


def test_valid_in_every_form(app, holder, els_certificate):
    token = jwt_of(holder, els_certificate)
    as_json = download(holder, els_certificate, "json").data
    png = download(holder, els_certificate, "png").data
    public = app.test_client()
    for kwargs in (
        {"text": token},
        {"text": f"  {token}\n"},
        {"file": (token.encode(), "badge.jwt")},
        {"file": (as_json, "badge.json")},
        {"text": as_json.decode()},
        {"file": (png, "badge.png")},
        # The VC data model 2.0 envelope of a JWT.
        {
            "text": json.dumps(
                {"id": f"data:application/vc+jwt,{token}", "type": "EnvelopedVerifiableCredential"}
            )
        },
    ):
        response = check(public, **kwargs)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and status_of(html) == "valid", kwargs.keys()
        assert "Digitale inclusie" in html
    assert refusals(app) == []  # a valid badge leaves no trace


def test_tampered_and_other_issuer_are_refused_and_logged(app, holder, els_certificate, people):
    token = jwt_of(holder, els_certificate)
    header, claims = segments(token)
    as_json = json.loads(download(holder, els_certificate, "json").data)
    public = app.test_client()
    header_part, payload_part, signature_part = token.split(".")
    changed_payload = (
        payload_part[:30] + ("A" if payload_part[30] != "A" else "B") + payload_part[31:]
    )
    edited = {**as_json, "name": "Expert digitale inclusie"}  # the readable part, not the proof
    baked = download(holder, els_certificate, "png").data
    cases = [
        ({"text": f"{header_part}.{changed_payload}.{signature_part}"}, "tampered"),
        ({"text": f"{header_part}.{payload_part}.{signature_part[:-3]}AAA"}, "tampered"),
        ({"file": (json.dumps(edited).encode(), "badge.json")}, "tampered"),
        ({"file": (baked.replace(payload_part[40:60].encode(), b"X" * 20), "badge.png")}, None),
        # Signed by someone else, claiming to be us (our key URL, a key we never had).
        ({"text": foreign_jwt(claims, header["kid"][:-16] + "0123456789abcdef")}, "other-issuer"),
        # Another issuer altogether.
        (
            {
                "text": foreign_jwt(
                    {**claims, "iss": "https://badges.example.org/issuer"},
                    "https://badges.example.org/keys/1",
                )
            },
            "other-issuer",
        ),
        # A JSON credential of another issuer without a proof we know.
        (
            {
                "text": json.dumps(
                    {
                        **{k: v for k, v in as_json.items() if k != "proof"},
                        "issuer": {"id": "https://other.example", "type": ["Profile"]},
                    }
                )
            },
            "other-issuer",
        ),
    ]
    for kwargs, expected in cases:
        html = check(public, **kwargs).get_data(as_text=True)
        if expected is None:  # the changed bytes inside the PNG break its CRC: damaged image
            assert "damaged" in error_of(html)
            continue
        assert status_of(html) == expected, kwargs
    logged = refusals(app)
    assert [event.details["outcome"] for event in logged] == [
        "tampered",
        "tampered",
        "tampered",
        "other-issuer",
        "other-issuer",
        "other-issuer",
    ]
    assert logged[0].details["reason"] == "bad-signature"
    assert logged[2].details["reason"] == "json-differs-from-proof"
    assert logged[0].details["credential_id"] is None  # nothing of a tampered payload is trusted
    assert logged[3].details["kid"].endswith("0123456789abcdef")
    for event in logged:
        assert event.actor_id is None and event.target_type == "badge_credential"
        assert people["els"].email.lower() not in json.dumps(event.details).lower()
    # A signed-in person checking a forged badge is named in the entry.
    check(holder, text=f"{header_part}.{changed_payload}.{signature_part}")
    assert refusals(app)[-1].actor_id == people["els"].id


def test_hostile_uploads_get_a_clear_message(app, holder, els_certificate):
    public = app.test_client()
    plain_png = public.get("/badges/image.png").data
    png = download(holder, els_certificate, "png").data
    damaged = png[:33] + png[33:60].replace(png[45:46], bytes([png[45] ^ 0xFF])) + png[60:]
    cases = [
        ({}, 400, "Choose a badge file, or paste the credential."),
        ({"file": (b"", "badge.png")}, 400, "The file is empty."),
        ({"file": (b"%PDF-1.7 not an image", "badge.png")}, 400, "This file is not a PNG image"),
        ({"file": (os.urandom(3000), "random.bin")}, 400, "We cannot read a badge credential"),
        ({"text": "hello, I am a badge"}, 400, "We cannot read a badge credential"),
        ({"text": "a.b.c"}, 400, "We cannot read a badge credential"),
        ({"text": "[1, 2, 3]"}, 400, "We cannot read a badge credential"),
        ({"text": '{"not": "a credential"}'}, 400, "We cannot read a badge credential"),
        # Nesting deep enough to exhaust the JSON parser's recursion, as text and in a header.
        ({"text": "[" * 50_000}, 400, "We cannot read a badge credential"),
        ({"text": f"{b64(b'[' * 40_000)}.e30.AAAA"}, 400, "We cannot read a badge credential"),
        ({"file": (plain_png, "badge.png")}, 400, "This image carries no badge credential"),
        ({"file": (damaged, "badge.png")}, 400, "This PNG image is damaged"),
        ({"file": (png[: len(png) - 30], "badge.png")}, 400, "This PNG image is damaged"),
        ({"file": (b"\xff\xfe" + os.urandom(100), "badge.jwt")}, 400, "We cannot read"),
        # A little over the limit: read, measured, refused.
        ({"file": (b"x" * (MAX_KB * 1024 + 1), "big.jwt")}, 413, "The file is too big"),
        # Far over the limit: refused before the body is read.
        ({"file": (b"x" * (MAX_KB * 1024 * 4), "big.png")}, 413, "The file is too big"),
    ]
    for kwargs, code, message in cases:
        response = check(public, **kwargs)
        html = response.get_data(as_text=True)
        assert response.status_code == code, (kwargs.keys(), response.status_code)
        assert message in error_of(html), (message, error_of(html))
        assert status_of(html) is None
    assert refusals(app) == []  # unreadable uploads are not refusals of a credential


def test_the_check_is_rate_limited(app, app_config):
    app.config["LMS_BADGE_VERIFY_RATE_LIMIT"] = "2 per minute"
    public = app.test_client()
    codes = [check(public, text="a.b.c").status_code for _ in range(3)]
    assert codes == [400, 400, 429]


def test_a_baked_badge_of_a_png_that_pillow_rewrote_still_checks(app, holder, els_certificate):
    """An image editor that keeps text chunks (Pillow here) keeps the badge."""
    png = download(holder, els_certificate, "png").data
    image = Image.open(BytesIO(png))
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadgecredential", image.text["openbadgecredential"], zip=False)
    out = BytesIO()
    image.save(out, "PNG", pnginfo=info)
    html = check(app.test_client(), file=(out.getvalue(), "resaved.png")).get_data(as_text=True)
    assert status_of(html) == "valid"
