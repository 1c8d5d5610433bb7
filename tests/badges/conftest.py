"""Fixtures of the Open Badges tests: a certified learner in De Panne, the people around them,
and helpers that read a credential the way an outside verifier would (the key set over HTTP,
joserfc for the signature), never through ``lms.badges`` itself."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey

from lms.certification.models import Certificate
from tests.certification.conftest import certified_course, complete  # noqa: F401 (fixtures)
from tests.conftest import login
from tests.learning.conftest import import_course  # noqa: F401 (fixture)

SCHEMA = Path(__file__).with_name("ob_v3p0_achievementcredential_schema.json")


@pytest.fixture
def people(make_organisation, make_user):
    de_panne, koksijde = make_organisation("De Panne"), make_organisation("Koksijde")
    return {
        "els": make_user(
            name="Els Peeters",
            email="Els.Peeters@depanne.test",
            organisation=de_panne,
            language="nl",
        ),
        "pieter": make_user(name="Pieter Maes", organisation=koksijde),
        "manager": make_user(name="An Vermeulen", organisation=de_panne, manages=[de_panne]),
        "other_manager": make_user(name="Kim Claes", organisation=koksijde, manages=[koksijde]),
        "admin": make_user(name="Alex Admin", roles=("admin",)),
    }


@pytest.fixture
def els_certificate(people, certified_course, complete) -> Certificate:  # noqa: F811
    return complete(people["els"], certified_course)


@pytest.fixture
def holder(app, people) -> FlaskClient:
    client = app.test_client()
    login(client, people["els"])
    return client


def download(client: FlaskClient, certificate: Certificate, ext: str):
    response = client.get(f"/badges/{certificate.display_code}.{ext}")
    assert response.status_code == 200, response.status_code
    return response


def jwt_of(client: FlaskClient, certificate: Certificate) -> str:
    return download(client, certificate, "jwt").get_data(as_text=True)


def segments(token: str) -> tuple[dict, dict]:
    """(header, claims) of a compact JWS, decoded by hand (no signature check)."""
    import base64

    def part(text: str) -> dict:
        return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))

    header, payload, _signature = token.split(".")
    return part(header), part(payload)


def path_of(url: str) -> str:
    """The path of one of the app's absolute addresses (``LMS_BASE_URL`` is http://127.0.0.1)."""
    assert url.startswith("http://127.0.0.1/"), url
    return url.removeprefix("http://127.0.0.1")


def verify_independently(client: FlaskClient, token: str) -> dict:
    """Verify ``token`` as an outside verifier: the key set from the public URL, the key picked
    by the header's ``kid``, the signature checked by joserfc. Returns the claims."""
    header, _claims = segments(token)
    key_set = client.get("/badges/jwks.json").get_json()
    matches = [k for k in key_set["keys"] if k["kid"] == header["kid"]]
    assert len(matches) == 1, header["kid"]
    assert client.get(path_of(header["kid"])).get_json() == matches[0]  # the kid dereferences
    key = OKPKey.import_key(matches[0])
    with warnings.catch_warnings():
        # joserfc warns that "EdDSA" has the newer name "Ed25519" (RFC 9864); the OB and VC
        # world still writes "EdDSA".
        warnings.simplefilter("ignore", SecurityWarning)
        compact = jws.deserialize_compact(token, key, algorithms=["EdDSA"])
    return json.loads(compact.payload)


def status_of(html: str) -> str | None:
    match = re.search(r'class="verify-result[^"]*"[^>]*data-status="([\w-]+)"', html)
    return match.group(1) if match else None


def check(client: FlaskClient, *, text: str | None = None, file: tuple[bytes, str] | None = None):
    """Submit the badge check form (with its CSRF token) and return the response."""
    from io import BytesIO

    from tests.conftest import csrf_token

    token = csrf_token(client, "/badges/verify")
    data: dict = {"csrf_token": token}
    if text is not None:
        data["text"] = text
    if file is not None:
        data["file"] = (BytesIO(file[0]), file[1])
    return client.post(
        "/badges/verify",
        data=data,
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},  # the messages as the tests spell them
    )
