"""Signatures: tampering is detected, keys live in the instance folder, rotation keeps old
certificates verifiable (also from the command line, from a code or a downloaded PDF)."""

from __future__ import annotations

import json
import stat

import pytest

from lms.certification import documents, signing
from lms.certification.models import Certificate
from lms.core.db import db


@pytest.fixture
def issued(app, make_user, certified_course, complete) -> Certificate:
    return complete(make_user(name="Łukasz Wałęsa", language="de"), certified_course)


def document_of(app, certificate_id: int) -> tuple[dict, dict[str, bytes]]:
    with app.app_context():
        certificate = db.session.get(Certificate, certificate_id)
        return (
            documents.signed_document_of(certificate, certificate.key.kid),
            signing.known_keys(db.session),
        )


def flip(text: str, index: int) -> str:
    """``text`` with the character at ``index`` replaced by another one of the same kind."""
    char = text[index]
    other = "B" if char == "A" else "A" if char.isalpha() else "1" if char != "1" else "2"
    return text[:index] + other + text[index + 1 :]


def test_a_changed_byte_in_payload_or_signature_fails(app, issued):
    document, keys = document_of(app, issued.id)
    assert signing.verify_document(document, keys).ok
    payload = document["payload"]
    # Every position of the payload, e.g. one letter of the name or a digit of a date.
    name_at = payload.index("Wałęsa")
    for index in (name_at, name_at + 2, payload.index('"completed_on"') + 17, len(payload) - 3):
        tampered = {**document, "payload": flip(payload, index)}
        check = signing.verify_document(tampered, keys)
        assert not check.ok and check.reason == "bad-signature", index
    signature = document["signature"]
    for index in (0, len(signature) // 2, len(signature) - 2):
        tampered = {**document, "signature": flip(signature, index)}
        assert not signing.verify_document(tampered, keys).ok, index
    # Raw bytes too: one bit of the signature.
    raw = bytearray(signing.unb64url(signature))
    raw[10] ^= 0x01
    assert not signing.verify_document({**document, "signature": signing.b64url(raw)}, keys).ok
    assert signing.verify_document({**document, "kid": "0" * 16}, keys).reason == "unknown-key"
    assert signing.verify_document({"payload": payload}, keys).reason == "malformed"


def test_the_key_is_made_on_first_use_in_the_instance_folder(app, issued):
    folder = signing.key_folder(app.config["LMS_INSTANCE_PATH"])
    kid = (folder / "current").read_text().strip()
    assert kid == issued.key.kid
    mode = stat.S_IMODE((folder / f"{kid}.pem").stat().st_mode)
    assert mode == 0o600
    assert signing.current_key(app.config["LMS_INSTANCE_PATH"]).kid == kid  # stable


def test_rotation_keeps_old_certificates_valid(app, make_user, certified_course, complete, issued):
    runner = app.test_cli_runner()
    old_kid = issued.key.kid
    result = runner.invoke(args=["lms", "certificates", "rotate-key"])
    assert result.exit_code == 0, result.output
    folder = signing.key_folder(app.config["LMS_INSTANCE_PATH"])
    assert not (folder / f"{old_kid}.pem").exists()  # the old private key is gone
    newer = complete(make_user(), certified_course)
    assert newer.key.kid != old_kid
    for certificate in (issued, newer):
        document, keys = document_of(app, certificate.id)
        assert signing.verify_document(document, keys).ok
        result = runner.invoke(args=["lms", "certificates", "verify", certificate.display_code])
        assert result.exit_code == 0, result.output
        assert "Signature:    good" in result.output and "Status:       valid" in result.output
    published = app.test_client().get("/certificates/keys.json").get_json()["keys"]
    assert {k["kid"] for k in published} == {old_kid, newer.key.kid}
    assert next(k for k in published if k["kid"] == old_kid)["retired"] is not None


def test_cli_verifies_a_downloaded_pdf_offline(app, issued, tmp_path):
    with app.app_context():
        certificate = db.session.get(Certificate, issued.id)
        pdf = documents.certificate_pdf(db.session, certificate)
        db.session.commit()
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    keys_file = tmp_path / "keys.json"
    keys_file.write_bytes(app.test_client().get("/certificates/keys.json").data)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "certificates", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert "Łukasz Wałęsa" in result.output and issued.display_code in result.output
    # With only the published keys (no database): the signature alone.
    result = runner.invoke(
        args=["lms", "certificates", "verify", str(path), "--keys", str(keys_file)]
    )
    assert result.exit_code == 0 and "Signature:    good" in result.output
    # A forged certificate.json (another name) fails.
    document = json.loads(json.dumps(services_document(app, issued.id)))
    document["payload"] = document["payload"].replace("Wałęsa", "Walesa")
    forged = tmp_path / "certificate.json"
    forged.write_text(json.dumps(document), encoding="utf-8")
    result = runner.invoke(args=["lms", "certificates", "verify", str(forged)])
    assert result.exit_code == 1 and "BAD" in result.output


def services_document(app, certificate_id: int) -> dict:
    return document_of(app, certificate_id)[0]


def test_cli_revoke_and_unknown_code(app, issued):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["lms", "certificates", "revoke", issued.display_code, "--reason", "Fraude"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["lms", "certificates", "verify", issued.display_code])
    assert result.exit_code == 1 and "Status:       revoked on" in result.output
    result = runner.invoke(args=["lms", "certificates", "verify", "K7QM-2XRD-9TPA"])
    assert result.exit_code == 1 and "unknown" in result.output
    result = runner.invoke(args=["lms", "certificates", "revoke", issued.display_code])
    assert result.exit_code != 0  # --reason is required
