"""Who may download a badge: as for the certificate's PDF, the holder, the coordinators of
their organisation and administrators; nobody else learns that it exists (404)."""

from __future__ import annotations

from tests.conftest import login

EXTENSIONS = ("jwt", "json", "png")


def test_only_the_holder_and_their_coordinators_download(app, people, els_certificate):
    code = els_certificate.display_code
    for who, expected in (
        ("els", 200),
        ("manager", 200),  # De Panne's coordinator, as for the PDF
        ("admin", 200),
        ("pieter", 404),  # another learner
        ("other_manager", 404),  # another municipality's coordinator
    ):
        client = app.test_client()
        login(client, people[who])
        for ext in EXTENSIONS:
            response = client.get(f"/badges/{code}.{ext}")
            assert response.status_code == expected, (who, ext)
            assert client.get(f"/certificates/{code}.pdf").status_code == expected, who
    anonymous = app.test_client()
    for ext in EXTENSIONS:
        response = anonymous.get(f"/badges/{code}.{ext}")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_codes_that_do_not_exist_or_are_malformed_are_404(app, people, els_certificate):
    client = app.test_client()
    login(client, people["els"])
    for code in ("AAAA-AAAA-AAAA", "x", "9" * 40, "%00"):
        for ext in EXTENSIONS:
            assert client.get(f"/badges/{code}.{ext}").status_code == 404
    for kid in ("0" * 16, "not-a-key", "9" * 200):
        assert client.get(f"/badges/keys/{kid}").status_code == 404
