"""Two `lms publish --due` runs at the same moment (two hosts) publish a due version once.

Real commits on separate connections (``committing_app``), two threads released together by
a barrier, several rounds, on SQLite and on PostgreSQL (a conditional UPDATE claims the
version: the second run's UPDATE finds it published and changes nothing).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from lms.authoring.importer import import_paths
from lms.catalog.models import Course, CourseVersion
from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.versions.services import publish_due

ROUNDS = 3
COURSE = """\
id: race-publish
title: Ronde {n}
languages: [nl]
{head}modules:
  - id: m1
    title: Module
    activities:
      - id: e1
        type: elearning
        title: E-learning
        lessons:
          - id: les
            title: Les
            sections:
              - {{id: s1, title: Een, body: Tekst.}}
"""


def _run(app, results: list[int], barrier: threading.Barrier) -> None:
    with app.app_context():
        barrier.wait()
        results.append(len(publish_due(db.session)))
        db.session.commit()


def test_two_runs_at_once_publish_a_due_version_once(committing_app, tmp_path) -> None:
    app = committing_app
    path = tmp_path / "race-publish.yaml"
    path.write_text(COURSE.format(n=0, head=""), "utf-8")
    with app.app_context():
        import_paths(db.session, [path], None)
        db.session.commit()
    for n in range(1, ROUNDS + 1):
        path.write_text(COURSE.format(n=n, head="publish_at: 2099-01-01\n"), "utf-8")
        with app.app_context():
            import_paths(db.session, [path], None)
            db.session.execute(
                update(CourseVersion)
                .where(CourseVersion.number == n + 1)
                .values(publish_at=datetime.now(UTC) - timedelta(minutes=1))
            )
            db.session.commit()
        results: list[int] = []
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=_run, args=(app, results, barrier)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(results) == [0, 1], n
        with app.app_context():
            course = db.session.scalar(select(Course))
            assert course.current_version.number == n + 1
            entries = db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "course.published")
            )
            assert entries == n
