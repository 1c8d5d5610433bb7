"""The credential itself: valid against the official OB 3.0 schema, signed so that an outside
verifier can check it with the published key set, the holder never in clear, the dates right,
and a changed byte anywhere in the signed parts fails."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from joserfc.errors import BadSignatureError, DecodeError
from jsonschema import Draft201909Validator
from jsonschema.exceptions import ValidationError

from lms.catalog.queries import get_course_def
from lms.core.db import db
from tests.badges.conftest import (
    SCHEMA,
    download,
    jwt_of,
    path_of,
    segments,
    verify_independently,
)
from tests.certification.conftest import certified_course_yaml
from tests.conftest import login


@pytest.fixture(scope="module")
def validator() -> Draft201909Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema)


def test_the_credential_validates_against_the_official_schema(holder, els_certificate, validator):
    token = jwt_of(holder, els_certificate)
    _header, claims = segments(token)
    as_json = download(holder, els_certificate, "json").get_json()
    for document in (claims, as_json):
        errors = sorted(validator.iter_errors(document), key=str)
        assert not errors, [e.message for e in errors]
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["@context"][1].startswith("https://purl.imsglobal.org/spec/ob/v3p0/context")
    # The schema is strict enough to catch a broken credential (so this test can fail).
    for broken in (
        {k: v for k, v in claims.items() if k != "validFrom"},
        {**claims, "type": ["VerifiableCredential"]},
        {**claims, "credentialSubject": {**claims["credentialSubject"], "identifier": [{}]}},
    ):
        with pytest.raises(ValidationError):
            validator.validate(broken)


def test_what_the_credential_says(app, holder, els_certificate, people):
    token = jwt_of(holder, els_certificate)
    _header, claims = segments(token)
    issuer = claims["issuer"]
    assert issuer["name"] == app.config["LMS_CERTIFICATE_ISSUER"]
    assert issuer["url"] == app.config["LMS_BASE_URL"]
    assert holder.get(path_of(issuer["id"])).get_json()["id"] == issuer["id"]  # dereferences
    achievement = claims["credentialSubject"]["achievement"]
    assert achievement["name"] == els_certificate.course_title == "Digitale inclusie"
    assert achievement["inLanguage"] == "nl"  # Els's language
    assert "Digitale inclusie" in achievement["criteria"]["narrative"]
    assert achievement["criteria"]["narrative"].startswith("Alle verplichte modules")
    image = holder.get(path_of(achievement["image"]["id"]))
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    assert claims["id"] == f"urn:uuid:{els_certificate.public_id}"
    # The registered claims repeat the credential (OB 3.0, "JWT Payload Format").
    assert claims["iss"] == issuer["id"] and claims["jti"] == claims["id"]
    assert claims["sub"] == claims["credentialSubject"]["id"]
    assert claims["nbf"] == int(els_certificate.issued_at.timestamp())
    issued = datetime.fromisoformat(claims["validFrom"])
    assert abs(issued - els_certificate.issued_at.astimezone(UTC)).total_seconds() < 1
    # Valid for 36 months: until the end of that day in Brussels.
    until = datetime.fromisoformat(claims["validUntil"])
    assert claims["exp"] == int(until.timestamp())
    local = until.astimezone(ZoneInfo(app.config["LMS_CERTIFICATE_TIMEZONE"]))
    assert local.date() == els_certificate.valid_until and local.strftime("%H:%M:%S") == "23:59:59"
    assert claims["credentialStatus"]["type"] == "1EdTechRevocationList"


def test_the_holder_is_a_salted_hash_of_the_address_never_the_address(
    holder, els_certificate, people
):
    token = jwt_of(holder, els_certificate)
    as_json = download(holder, els_certificate, "json").get_data(as_text=True)
    baked = download(holder, els_certificate, "png").data
    email = people["els"].email
    for text in (token, as_json, baked.decode("latin-1")):
        assert email.lower() not in text.lower() and "Els Peeters" not in text
    _header, claims = segments(token)
    (identity,) = claims["credentialSubject"]["identifier"]
    assert identity["type"] == "IdentityObject" and identity["hashed"] is True
    assert identity["identityType"] == "emailAddress"
    salt = identity["salt"]
    assert len(salt) >= 16
    expected = hashlib.sha256((email.lower() + salt).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"


def test_the_proof_verifies_with_the_published_key_set(holder, els_certificate):
    token = jwt_of(holder, els_certificate)
    header, claims = segments(token)
    assert header == {"alg": "EdDSA", "kid": header["kid"], "typ": "JWT"}
    assert header["kid"].startswith("http://127.0.0.1/badges/keys/")
    assert verify_independently(holder, token) == claims
    # The JSON download carries the same JWS as its proof, and says what the JWS says.
    as_json = download(holder, els_certificate, "json").get_json()
    (proof,) = as_json.pop("proof")
    assert proof["jwt"] == token and proof["verificationMethod"] == header["kid"]
    assert as_json == {
        k: v for k, v in claims.items() if k not in ("iss", "jti", "sub", "nbf", "exp")
    }


def flip(text: str, index: int) -> str:
    char = text[index]
    other = "B" if char == "A" else "A"
    return text[:index] + other + text[index + 1 :]


def test_a_changed_byte_fails(holder, els_certificate):
    token = jwt_of(holder, els_certificate)
    header_part, payload_part, signature_part = token.split(".")
    start = len(header_part) + 1
    positions = [
        start + 5,  # the payload's start
        start + len(payload_part) // 2,  # its middle
        start + len(payload_part) - 2,  # its end
        start + len(payload_part) + 1 + 3,  # the signature
        len(token) - 4,
    ]
    for index in positions:
        tampered = flip(token, index)
        assert tampered != token
        with pytest.raises((BadSignatureError, DecodeError, ValueError)):
            verify_independently(holder, tampered)
    # A changed claim, re-encoded without a new signature.
    import base64

    _header, claims = segments(token)
    claims["credentialSubject"]["achievement"]["name"] = "Expert digitale inclusie"
    forged_payload = (
        base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode("ascii")
    )
    forged = f"{header_part}.{forged_payload}.{signature_part}"
    with pytest.raises(BadSignatureError):
        verify_independently(holder, forged)


def test_the_achievement_speaks_the_learners_language(app, import_course, make_user, complete):
    text = certified_course_yaml("bilingual", title="Inclusion numérique")
    text = text.replace(
        "languages: [nl, fr]",
        "description: {nl: Voor baliemedewerkers., fr: Pour le personnel des guichets.}\n"
        "languages: [nl, fr]",
        1,
    )
    course = import_course(text)
    user = make_user(language="fr", email="chloe@example.be")
    certificate = complete(user, course)
    client = app.test_client()
    login(client, user)
    _header, claims = segments(jwt_of(client, certificate))
    achievement = claims["credentialSubject"]["achievement"]
    with app.app_context():
        catalogued = get_course_def(db.session, "bilingual")
        expected = catalogued.text(catalogued.description, "fr")
    assert expected and achievement["description"] == expected
    assert achievement["inLanguage"] == "fr"
    assert achievement["criteria"]["narrative"].startswith("A terminé")
