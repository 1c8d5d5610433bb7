"""Certificate benchmark: rendering a certificate the first time, and downloading a stored one.

    .venv/bin/python scripts/bench_certificates.py [--learners 10] [--downloads 200]

On SQLite in a temporary folder, with the real courses and the real template:

1. The first render in a fresh process (WeasyPrint's start-up and font loading included),
   as the first learner to download a certificate after a restart sees it.
2. The first render of further certificates in a warm process (what most learners see on
   their first download; the PDF is then stored).
3. Downloading a stored certificate: the whole HTTP request of the holder
   (``GET /certificates/<code>.pdf``), which sends the stored bytes.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lms.accounts.services import RoleSpec, create_user  # noqa: E402
from lms.app import create_app  # noqa: E402
from lms.authoring.importer import import_paths  # noqa: E402
from lms.catalog.queries import get_course_def  # noqa: E402
from lms.certification import documents, services  # noqa: E402
from lms.certification.models import Certificate  # noqa: E402
from lms.core.db import db, utcnow  # noqa: E402
from lms.core.migrate import upgrade  # noqa: E402
from lms.learning.services import enrol  # noqa: E402

PASSWORD = "correct-horse-battery"
NAMES = ["Zoë Vandenbroucke", "Ελένη Παπαδοπούλου", "Дмитрий Иванов", "François Lefèvre"]


def make_app(folder: Path):
    app = create_app(
        {
            "LMS_INSTANCE_PATH": str(folder),
            "LMS_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "LMS_DEMO": "no",
            "LMS_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            "LMS_COURSES_PATH": str(REPO / "courses"),
            "LMS_QUIZZES_PATH": str(REPO / "quizzes"),
            "LMS_CERTIFICATES_PATH": str(REPO / "certificates"),
            "LMS_LOGIN_RATE_LIMIT": "1000 per minute",
        }
    )
    upgrade(app)
    return app


def issue(app, learners: int) -> list[int]:
    """Certificates of Connectoo for ``learners`` people (issued as on completion)."""
    ids = []
    with app.app_context():
        session = db.session
        import_paths(session, [REPO / "courses", REPO / "quizzes"], REPO / "certificates")
        course = get_course_def(session, "connectoo")
        for n in range(learners):
            user = create_user(
                session,
                full_name=NAMES[n % len(NAMES)],
                email=f"bench{n}@example.be",
                password=PASSWORD,
                organisation=None,
                department=None,
                roles=[RoleSpec("learner")],
                language=("nl", "fr", "de", "en")[n % 4],
            )
            enrolment, _ = enrol(session, user, course)
            certificate, _ = services.issue_certificate(
                session, enrolment, user, course, completed_at=utcnow()
            )
            ids.append(certificate.id)
        session.commit()
    return ids


def first_renders(app, ids: list[int]) -> list[float]:
    timings = []
    for certificate_id in ids:
        with app.app_context():
            certificate = db.session.get(Certificate, certificate_id)
            start = time.perf_counter()
            documents.certificate_pdf(db.session, certificate)
            db.session.commit()
            timings.append(time.perf_counter() - start)
    return timings


def downloads(app, certificate_id: int, count: int) -> tuple[list[float], int]:
    with app.app_context():
        certificate = db.session.get(Certificate, certificate_id)
        email, code = certificate.user.email, certificate.display_code
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"login": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, "login failed"
    timings, size = [], 0
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(f"/certificates/{code}.pdf")
        size = len(response.data)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
    return timings, size


def describe(timings: list[float], unit: str = "s") -> str:
    factor = 1000 if unit == "ms" else 1
    ordered = sorted(timings)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"median {statistics.median(ordered) * factor:.{1 if unit == 'ms' else 3}f} {unit}, "
        f"p95 {p95 * factor:.{1 if unit == 'ms' else 3}f} {unit} (n={len(ordered)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10)
    parser.add_argument("--downloads", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lms-bench-certificates-") as tmp:
        app = make_app(Path(tmp))
        ids = issue(app, max(args.learners, 2))
        renders = first_renders(app, ids)
        print(f"first render, fresh process:          {renders[0]:.3f} s")
        print(f"first render, warm process:           {describe(renders[1:])}")
        timings, size = downloads(app, ids[0], args.downloads)
        print(f"download of a stored certificate:     {describe(timings, 'ms')}")
        print(f"PDF size:                             {size / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
