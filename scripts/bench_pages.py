"""Benchmark: time of the learner's pages (My learning, the lesson page) on a course of
5 and of 50 modules, served by the real app on a temporary SQLite instance.

Not a test: it prints figures (`make bench`). Speed targets are read here, never asserted in
the test suite (the suite counts queries instead).
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from pathlib import Path

from lms.app import create_app
from lms.authoring.importer import import_paths
from lms.core.db import db
from lms.core.migrate import upgrade

REPEAT = 30


def course_file(folder: Path, slug: str, modules: int) -> Path:
    lines = [f"id: {slug}", f"title: {{nl: {slug}, fr: {slug}}}", "languages: [nl, fr]", "modules:"]
    for m in range(modules):
        lines += [
            f"  - id: m{m}",
            f"    title: Module {m}",
            "    activities:",
            f"      - id: m{m}-e",
            "        type: elearning",
            "        title: E",
            "        lessons:",
        ]
        for lesson in range(3):
            lines += [
                f"          - id: m{m}-l{lesson}",
                "            title: Les",
                "            sections:",
            ]
            for s in range(4):
                lines += [
                    f"              - id: m{m}-l{lesson}-s{s}",
                    "                title: Deel",
                    "                body: {nl: 'Een **korte** tekst.', fr: 'Un texte.'}",
                ]
    path = folder / f"{slug}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def median_ms(client, url: str) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app = create_app(
            {
                "LMS_INSTANCE_PATH": str(folder / "instance"),
                "LMS_DEMO": "no",
                "LMS_COURSES_PATH": str(folder),
                "WTF_CSRF_ENABLED": False,
                "LMS_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            }
        )
        upgrade(app)
        with app.app_context():
            from lms.accounts.services import create_user

            import_paths(
                db.session,
                [course_file(folder, "small", 5), course_file(folder, "large", 50)],
                None,
            )
            create_user(
                db.session, full_name="Bench", email="bench@example.be", password="bench-password-1"
            )
            db.session.commit()
        client = app.test_client()
        client.post("/login", data={"login": "bench@example.be", "password": "bench-password-1"})
        for slug in ("small", "large"):
            client.post(f"/courses/{slug}/enrol")
            first = client.get(f"/courses/{slug}/continue").headers["Location"]
            section = re.search(r"/learn/(.+)$", first).group(1)
            lesson_ms = median_ms(client, f"/courses/{slug}/learn/{section}")
            course_ms = median_ms(client, f"/courses/{slug}")
            print(
                f"{slug:6} course: lesson page {lesson_ms:6.1f} ms, course page "
                f"{course_ms:6.1f} ms (median of {REPEAT})"
            )
        print(f"My learning with 2 enrolments: {median_ms(client, '/'):6.1f} ms")


if __name__ == "__main__":
    main()
