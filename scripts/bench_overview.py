"""Benchmark: the national overview over 100,000 learners in 600 organisations.

Each learner follows the report course (8 sections) and a third of them a second course;
they opened 0 to 8 sections, a quarter finished and hold a certificate, half of the
enrolments are mandatory. Rows are inserted in bulk (the overview reads the same tables
whatever made them). Prints the median time of building the report object and of the whole
page (an administrator's request), on SQLite, and on PostgreSQL too when TEST_DATABASE_URL
points at one (``make bench`` starts a throw-away cluster).

Not a test: it prints figures. The target (issue 16): under 1 s at 100,000 learners.
On PostgreSQL it runs twice: with the server's default (JIT on) and with ``jit = off``.
"""

from __future__ import annotations

import os
import re
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

from lms.accounts.models import User
from lms.accounts.services import RoleSpec, create_user
from lms.app import create_app
from lms.authoring.importer import import_paths
from lms.catalog.queries import get_course_def
from lms.certification.models import Certificate, SigningKey
from lms.core.db import db
from lms.core.migrate import upgrade
from lms.learning.models import Completion, Enrolment, SectionVisit
from lms.organisations.models import Organisation
from lms.reporting.overview import OverviewFilters, national_overview

LEARNERS = 100_000
ORGANISATIONS = 600
REPEAT = 5
BATCH = 20_000


def course_yaml(slug: str, modules: int, sections: int, certificate: bool) -> str:
    lines = [f"id: {slug}", f"title: {{nl: {slug}, fr: {slug}}}", "languages: [nl, fr]"]
    if certificate:
        lines.append("certificate: {template: connectoo}")
    lines.append("modules:")
    for m in range(1, modules + 1):
        lines += [
            f"  - id: m{m}",
            f"    title: Module {m}",
            "    activities:",
            f"      - id: m{m}-e",
            "        type: elearning",
            "        title: E",
            "        lessons:",
            f"          - id: m{m}-l1",
            "            title: Les",
            "            sections:",
        ]
        lines += [
            f"              - {{id: m{m}-s{s}, title: Deel, body: {{nl: Tekst}}}}"
            for s in range(1, sections + 1)
        ]
    return "\n".join(lines) + "\n"


def _chunks(rows):
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def seed(session) -> None:
    now = datetime.now(UTC)
    folder = Path(tempfile.mkdtemp())
    (folder / "rapport.yaml").write_text(course_yaml("rapport", 4, 2, True))
    (folder / "tweede.yaml").write_text(course_yaml("tweede", 2, 1, False))
    import_paths(session, [folder], certificates_dir=None)
    report, second = get_course_def(session, "rapport"), get_course_def(session, "tweede")
    session.execute(
        insert(Organisation),
        [
            {"name": f"Gemeente {n}", "slug": f"gemeente-{n}", "level": "municipality"}
            for n in range(ORGANISATIONS)
        ],
    )
    org_ids = session.scalars(select(Organisation.id).order_by(Organisation.id)).all()
    for rows in _chunks(
        [
            {
                "full_name": f"Learner {n}",
                "email": f"learner{n}@bench.test",
                "organisation_id": org_ids[n % ORGANISATIONS],
                "kind": "volunteer" if n % 10 == 9 else "staff",
            }
            for n in range(LEARNERS)
        ]
    ):
        session.execute(insert(User), rows)
    users = session.scalars(select(User.id).order_by(User.id)).all()
    enrolments, visits, completions, certificates = [], [], [], []
    sections = [s.id for s in report.sections]
    key = SigningKey(kid="bench", public_key="x" * 43)
    session.add(key)
    session.flush()
    for n, user_id in enumerate(users):
        opened = n % 9
        enrolments.append(
            {
                "user_id": user_id,
                "course_id": report.course_id,
                "source": "assignment" if n % 2 else "self",
                "mandatory": n % 2 == 1,
                "due_source": "rule" if n % 2 else None,
                "due_at": now + timedelta(days=n % 60 - 20),
                # Opening a section notes the moment (the learning service does).
                "last_activity_at": now - timedelta(days=n % 90) if opened else None,
            }
        )
        if n % 3 == 0:
            enrolments.append({"user_id": user_id, "course_id": second.course_id, "source": "self"})
        visits += [
            {"user_id": user_id, "course_id": report.course_id, "section_id": sid}
            for sid in sections[:opened]
        ]
        if opened == len(sections):
            at = now - timedelta(days=n % 300)
            completions.append(
                {
                    "user_id": user_id,
                    "course_id": report.course_id,
                    "kind": "course",
                    "item_id": "rapport",
                    "completed_at": at,
                }
            )
            certificates.append(
                {
                    "code": f"B{n:011d}",
                    "user_id": user_id,
                    "course_id": report.course_id,
                    "edition": 1,
                    "course_version_id": report.version_id,
                    "course_version": report.version_number,
                    "holder_name": f"Learner {n}",
                    "language": "nl",
                    "course_title": "rapport",
                    "template": "connectoo",
                    "issuer": "Connectoo",
                    "completed_at": at,
                    "issued_at": at,
                    "valid_until": (at + timedelta(days=365)).date(),
                    "summary": {},
                    "payload": "{}",
                    "signature": "x",
                    "key_id": key.id,
                    "status": "valid",
                }
            )
    for table, rows in (
        (Enrolment, enrolments),
        (SectionVisit, visits),
        (Completion, completions),
        (Certificate, certificates),
    ):
        for chunk in _chunks(rows):
            session.execute(insert(table), chunk)
    session.commit()
    print(
        f"  seeded {len(users)} learners, {len(enrolments)} enrolments, {len(visits)} section "
        f"visits, {len(certificates)} certificates"
    )


def median_ms(action) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def run(url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        config = {
            "LMS_INSTANCE_PATH": str(instance),
            "LMS_DEMO": "no",
            "LMS_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            "LMS_TARGETS": {"rapport": {"certified": 50_000, "by": "2027-06-30"}},
        }
        if url:
            config["LMS_DATABASE_URL"] = url
        app = create_app(config)
        if url:  # start from an empty schema
            with app.extensions["lms"].engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(app)
        with app.app_context():
            seed(db.session)
            create_user(
                db.session,
                full_name="Admin",
                email="admin@bench.test",
                password="bench-password-1",
                roles=[RoleSpec("admin")],
            )
            db.session.commit()
            if url is None or url.startswith("postgresql"):
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            build = median_ms(
                lambda: national_overview(db.session, OverviewFilters(), today=date.today())
            )
            db.session.rollback()
        client = app.test_client()
        token_page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', token_page).group(1)
        client.post(
            "/login",
            data={"login": "admin@bench.test", "password": "bench-password-1", "csrf_token": token},
        )
        page = median_ms(lambda: client.get("/progress/national/"))
        assert client.get("/progress/national/").status_code == 200
        print(f"  report object: median {build:.0f} ms; page: median {page:.0f} ms")


def main() -> None:
    print(f"National overview, {LEARNERS} learners in {ORGANISATIONS} organisations")
    print("SQLite:")
    run(None)
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        print("PostgreSQL (its default: JIT on):")
        run(url)
        # The overview's one big query has a high estimated cost, so PostgreSQL JIT-compiles
        # it, which takes longer than running it: docs/operations.md recommends jit = off.
        print("PostgreSQL with jit = off:")
        run(url + ("&" if "?" in url else "?") + "options=-cjit%3Doff")


if __name__ == "__main__":
    main()
