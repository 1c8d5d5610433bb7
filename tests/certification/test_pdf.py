"""The PDF: every European name printed with embedded fonts, a QR code to the verification
page, the signed data attached; rendered once and stored."""

from __future__ import annotations

import pytest

from lms.certification import documents, rendering, signing
from lms.certification.models import Certificate
from lms.core.db import db
from tests.certification.conftest import run_tool

#: (name, language): Latin with diacritics, Greek and Cyrillic, in the four languages.
NAMES = [
    ("Zoë Vandenbroucke", "nl"),
    ("François Lefèvre", "fr"),
    ("Łukasz Wałęsa", "de"),
    ("Ayşe Yılmaz", "en"),  # noqa: RUF001 (Turkish dotless i, on purpose)
    ("Gödrős Ödön", "nl"),
    ("Ελένη Παπαδοπούλου", "fr"),
    ("Дмитрий Иванов", "de"),
    ("Jürgen Müßiggang", "de"),
    ("Søren Kierkegård", "en"),
    ("Đorđe Marković", "nl"),
    ("Ioana Țărănescu", "fr"),
    ("Γιώργος Αντετοκούνμπο", "en"),
    ("Олена Шевченко-Ґонта", "nl"),
    ("Siobhán Ní Bhriain", "en"),
]
#: The certificate's own word for itself, per language (from certificates/connectoo.html).
KIND = {"nl": "Getuigschrift", "fr": "Certificat", "de": "Zertifikat", "en": "Certificate"}


def embedded_flags(pdffonts_output: str) -> list[str]:
    lines = pdffonts_output.splitlines()
    column = lines[0].index("emb")
    return [line[column : column + 3].strip() for line in lines[2:] if line.strip()]


def check_pdf(pdf: bytes, folder, *, name: str, language: str, code: str) -> list[str]:
    """What is wrong with one certificate PDF (empty when all is well)."""
    problems = []
    path = folder / "certificate.pdf"
    path.write_bytes(pdf)
    text = " ".join(run_tool("pdftotext", path, "-").split())
    for expected in (name, "Digitale inclusie", code, KIND[language]):
        if expected not in text:
            problems.append(f"pdftotext lacks {expected!r}")
    flags = embedded_flags(run_tool("pdffonts", path))
    if not flags or any(flag != "yes" for flag in flags):
        problems.append(f"fonts not all embedded: {flags}")
    run_tool("pdftoppm", "-r", "100", "-png", "-singlefile", path, folder / "page")
    decoded = run_tool("zbarimg", "--raw", "-q", folder / "page.png").strip()
    if decoded != f"http://127.0.0.1/certificates/verify?code={code}":
        problems.append(f"QR code reads {decoded!r}")
    return problems


def test_certificate_pdf_for_european_names(app, make_user, certified_course, complete, tmp_path):
    """One course, one learner per name (in the four languages): name, course and code in the
    text, every font embedded, the QR code pointing at the verification page."""
    problems = {}
    for name, language in NAMES:
        issued = complete(make_user(name=name, language=language), certified_course)
        with app.app_context():
            certificate = db.session.get(Certificate, issued.id)
            pdf = documents.certificate_pdf(db.session, certificate)
            db.session.commit()
        found = check_pdf(pdf, tmp_path, name=name, language=language, code=issued.display_code)
        if found:
            problems[name] = found
    assert problems == {}
    assert len(NAMES) >= 10


def test_the_pdf_is_a4_landscape_and_carries_the_signed_data(
    app, make_user, certified_course, complete, tmp_path
):
    issued = complete(make_user(name="Ayşe Yılmaz"), certified_course)  # noqa: RUF001
    with app.app_context():
        certificate = db.session.get(Certificate, issued.id)
        pdf = documents.certificate_pdf(db.session, certificate)
        document = rendering.extract_document(pdf)
        assert document == documents.signed_document_of(certificate, certificate.key.kid)
        assert signing.verify_document(document, signing.known_keys(db.session)).ok
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    info = run_tool("pdfinfo", path)
    assert "841.89 x 595.276 pts (A4)" in info and "Pages:           1" in info
    assert "Ayşe Yılmaz" in info  # noqa: RUF001 (the title names the holder)
    assert rendering.ATTACHMENT_NAME in run_tool("pdfdetach", "-list", path)


def test_rendered_once_then_the_stored_bytes_are_sent(
    app, make_user, certified_course, complete, monkeypatch
):
    issued = complete(make_user(), certified_course)
    with app.app_context():
        certificate = db.session.get(Certificate, issued.id)
        first = documents.certificate_pdf(db.session, certificate)
        db.session.commit()

    def no_second_render(*_a, **_k):
        raise AssertionError("rendered again")

    monkeypatch.setattr(documents, "render_pdf", no_second_render)
    with app.app_context():
        certificate = db.session.get(Certificate, issued.id)
        assert documents.certificate_pdf(db.session, certificate) == first


def test_a_missing_template_or_font_is_an_error(app, tmp_path):
    view_args = {
        "language": "nl",
        "holder_name": "X",
        "course_title": "Y",
        "completed_on": "1 mei",
        "issued_on": "1 mei",
        "valid_until": None,
        "code": "K7QM-2XRD-9TPA",
        "verify_url": "http://x/v",
        "verify_page": "http://x/v",
        "qr_code": "",
        "issuer": "Z",
        "course_version": 1,
        "edition": 1,
        "modules_completed": 1,
        "modules_total": 1,
    }
    view = rendering.CertificateView(**view_args)
    with pytest.raises(rendering.RenderError):
        rendering.render_pdf(tmp_path, "nothing", view, {})
    with pytest.raises(rendering.RenderError):
        rendering.font_files({"sans": str(tmp_path / "missing.ttf"), "serif": "/nonexistent"})
