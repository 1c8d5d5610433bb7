"""The app as in production: ``lms serve`` (gunicorn, two workers) on PostgreSQL with Redis
for the rate limiter, driven over HTTP: a learner's journey and a coordinator's export."""

from __future__ import annotations

import csv
import io
import json
import re
import signal
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from lms.accounts.services import RoleSpec, create_user
from lms.core.db import db
from lms.learning.models import SectionVisit
from lms.organisations.services import create_organisation
from tests.ops.conftest import lms_process
from tests.ops.servers import free_port
from tests.xapi.learner import enrol, import_course

pytestmark = pytest.mark.multiprocess

PASSWORD = "correct-horse-battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def log_in(http: requests.Session, base: str, login: str, password: str = PASSWORD):
    page = http.get(f"{base}/login", timeout=10)
    token = CSRF.search(page.text).group(1)
    return http.post(
        f"{base}/login",
        data={"login": login, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )


@pytest.fixture
def people(pg_app, tmp_path):
    with pg_app.app_context():
        session = db.session
        course = import_course(session, tmp_path / "content")
        org = create_organisation(session, "De Panne", departments=["Onthaal"])
        learner = create_user(
            session,
            full_name="Jeanne Lefèvre",
            email="jeanne@depanne.be",
            password=PASSWORD,
            organisation=org,
            department=None,
            roles=[RoleSpec("learner")],
            language="nl",
        )
        create_user(
            session,
            full_name="Coordinator Kris",
            email="kris@depanne.be",
            password=PASSWORD,
            organisation=org,
            department=None,
            roles=[RoleSpec("manager", org.id)],
            language="nl",
        )
        enrol(session, learner, course)
        session.commit()
        return {"learner_id": learner.id, "course": course}


def test_lms_serve_two_workers_on_postgresql_with_redis(
    pg_url, pg_app, people, redis_server, tmp_path
):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    server = lms_process(
        ["serve", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        {
            "LMS_DATABASE_URL": pg_url,
            "LMS_INSTANCE_PATH": str(tmp_path / "instance"),
            "LMS_DEMO": "no",
            "LMS_BASE_URL": base,
            "LMS_RATELIMIT_STORAGE_URI": redis_server.url,
            "LMS_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            "LMS_LOG_FORMAT": "json",
        },
        log,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text()
            try:
                if requests.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        while len(children(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(children(server.pid)) == 2  # the master and its two workers

        # A learner: log in, My learning, a lesson; the visit is recorded.
        course = people["course"]
        section = course.sections[0]
        with requests.Session() as learner:
            assert log_in(learner, base, "jeanne@depanne.be").status_code == 302
            home = learner.get(f"{base}/", timeout=10)
            assert home.status_code == 200 and "xAPI-demo" in home.text
            lesson = learner.get(f"{base}/courses/{course.slug}/learn/{section.id}", timeout=10)
            assert lesson.status_code == 200 and "Inleiding" in lesson.text
            assert lesson.headers["X-Request-ID"]
        with pg_app.app_context():
            visits = db.session.scalars(
                select(SectionVisit).where(SectionVisit.user_id == people["learner_id"])
            ).all()
            assert [v.section_id for v in visits] == [section.id]

        # A coordinator: the people table as CSV.
        with requests.Session() as coordinator:
            assert log_in(coordinator, base, "kris@depanne.be").status_code == 302
            export = coordinator.get(f"{base}/progress/people?format=csv", timeout=30)
            assert export.status_code == 200
            assert export.headers["Content-Type"].startswith("text/csv")
            rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
            assert [row[0] for row in rows[1:]] == ["Jeanne Lefèvre"]

        # The limiter counts in Redis: a failed login leaves its counters there.
        redis = redis_server.client()
        assert not redis.keys("LIMITS*")
        with requests.Session() as stranger:
            assert log_in(stranger, base, "jeanne@depanne.be", "wrong").status_code == 422
        keys = [key.decode() for key in redis.keys("LIMITS*")]
        assert keys and any("jeanne@depanne.be" in key for key in keys), keys
        redis.close()
        # ...shared by both workers: the account's limit (5 failures a minute) holds across
        # them, whichever worker each attempt reaches (new connections each time).
        answers = []
        for _attempt in range(5):
            with requests.Session() as stranger:
                answers.append(log_in(stranger, base, "jeanne@depanne.be", "wrong").status_code)
        assert answers == [422, 422, 422, 422, 429]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    paths = {(line["method"], line["path"], line["status"]) for line in lines}
    assert ("POST", "/login", 302) in paths
    assert ("GET", "/courses/<slug>/learn/<section_id>", 200) in paths
    assert "jeanne" not in "".join(json.dumps(line) for line in lines).lower()
