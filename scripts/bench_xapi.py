"""xAPI benchmark: what the outbox adds to a lesson page, and delivery throughput.

    .venv/bin/python scripts/bench_xapi.py [--statements 20000] [--no-ralph]

1. The outbox's cost on a lesson page: opening a section sends ``section_experienced`` and
   ``lesson_progressed``; their listeners build, check and insert two statements in the
   page's transaction. Measured as the page's write transaction (visit row + commit) with
   and without the listeners' work, on SQLite in a temporary folder.
2. Delivery to a null LRS on 127.0.0.1 (accepts and discards): our side's throughput,
   target at least 1,000 statements/s.
3. Delivery to a real Ralph LRS (file-system backend, its own venv, see tests/xapi/ralph.py).

Everything runs on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lms.accounts.services import RoleSpec, create_user  # noqa: E402
from lms.app import create_app  # noqa: E402
from lms.core.db import db, utcnow  # noqa: E402
from lms.core.migrate import upgrade  # noqa: E402
from lms.learning.models import SectionVisit  # noqa: E402
from lms.xapi import builder, delivery, listeners, transport  # noqa: E402
from tests.xapi.fake_lrs import FakeLRS  # noqa: E402
from tests.xapi.learner import enrol, import_course  # noqa: E402


def make_app(folder: Path, **config):
    app = create_app(
        {
            "LMS_INSTANCE_PATH": str(folder),
            "LMS_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "LMS_DEMO": "no",
            "LMS_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            **config,
        }
    )
    upgrade(app)
    return app


def setup(app, folder: Path, learners: int):
    with app.app_context():
        course = import_course(db.session, folder / "content")
        pairs = []
        for n in range(learners):
            user = create_user(
                db.session,
                full_name=f"Learner {n}",
                email=f"bench{n}@example.be",
                password="correct-horse-battery",
                organisation=None,
                department=None,
                roles=[RoleSpec("learner")],
            )
            pairs.append((user, enrol(db.session, user, course)))
        db.session.commit()
    return course, pairs


def page_cost(app, course, pairs, pages: int) -> None:
    """The lesson page's write transaction, without and with the outbox listeners."""
    timings: dict[bool, list[float]] = {False: [], True: []}
    with app.app_context():
        session = db.session
        for page in range(pages):
            user, enrolment = pairs[page % len(pairs)]
            section = course.sections[page % len(course.sections)]
            lesson = course.lessons_by_id[section.lesson_id]
            with_outbox = page % 2 == 1
            started = time.perf_counter()
            session.add(
                SectionVisit(
                    user_id=user.id, course_id=course.course_id, section_id=f"b{page}-{section.id}"
                )
            )
            session.flush()
            if with_outbox:
                common = {"user": user, "course": course, "at": utcnow()}
                listeners.on_section_experienced(enrolment, section=section, **common)
                listeners.on_lesson_progressed(enrolment, lesson=lesson, progress=0.5, **common)
            session.commit()
            timings[with_outbox].append((time.perf_counter() - started) * 1000)
    without, with_ = (statistics.median(timings[flag]) for flag in (False, True))
    p95 = statistics.quantiles(timings[True], n=20)[-1]
    print(f"lesson page write transaction, {pages // 2} pages each (SQLite, committed):")
    print(f"  without outbox: median {without:.2f} ms")
    print(f"  with outbox (2 statements): median {with_:.2f} ms, p95 {p95:.2f} ms")
    print(f"  the outbox adds: {with_ - without:.2f} ms per lesson page (median)")


def fill(app, course, pairs, count: int) -> float:
    """Build, check and insert ``count`` statements; returns statements per second."""
    started = time.perf_counter()
    with app.app_context():
        session = db.session
        for n in range(count):
            user, enrolment = pairs[n % len(pairs)]
            section = course.sections[n % len(course.sections)]
            statement = builder.section_experienced(
                enrolment=enrolment, user=user, course=course, section=section, at=utcnow()
            )
            builder.enqueue(session, statement, user_id=user.id, enrolment_id=enrolment.id)
            if n % 1000 == 999:
                session.commit()
        session.commit()
    return count / (time.perf_counter() - started)


def deliver_all(app, expected: int, received) -> tuple[float, int]:
    settings = transport.Settings.from_config(app.config)
    factory = app.extensions["lms"].session_factory
    started = time.perf_counter()
    delivery.run(factory, transport.endpoints_from_config(app.config), settings, once=True)
    elapsed = time.perf_counter() - started
    return expected / elapsed, received()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=20000, help="for the null LRS")
    parser.add_argument("--ralph-statements", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--no-ralph", action="store_true", help="skip the Ralph LRS part")
    args = parser.parse_args()
    listeners.connect()
    ok = True
    with tempfile.TemporaryDirectory(prefix="lms-bench-xapi-") as tmp:
        root = Path(tmp)
        null = FakeLRS(keep=False).start()
        try:
            app = make_app(
                root / "null",
                LMS_LRS_ENDPOINTS=[null.endpoint("null")],
                LMS_XAPI_BATCH_SIZE=args.batch_size,
            )
            course, pairs = setup(app, root / "null", 50)
            page_cost(app, course, pairs, args.pages)
            rate = fill(app, course, pairs, args.statements)
            print(f"building + checking + inserting statements: {rate:,.0f} statements/s")
            already = args.pages  # the page benchmark left one statement per page
            total = args.statements + already
            rate, received = deliver_all(app, total, lambda: null.count)
            verdict = "OK" if rate >= 1000 and received == total else "BELOW TARGET"
            ok = ok and verdict == "OK"
            print(
                f"delivery to a null LRS on 127.0.0.1, batches of {args.batch_size}: "
                f"{received:,} statements, {rate:,.0f} statements/s (target 1,000: {verdict})"
            )
        finally:
            null.stop()
        if not args.no_ralph:
            ralph_part(root, args)
    return 0 if ok else 1


def ralph_part(root: Path, args) -> None:
    from tests.xapi.ralph import RalphLRS, ensure_venv

    print("starting Ralph (its venv is built on first use, about a minute)...", flush=True)
    lrs = RalphLRS(ensure_venv(), root / "ralph")
    lrs.start()
    try:
        app = make_app(
            root / "ralph-app",
            LMS_LRS_ENDPOINTS=[lrs.endpoint()],
            LMS_XAPI_BATCH_SIZE=args.batch_size,
        )
        course, pairs = setup(app, root / "ralph-app", 20)
        fill(app, course, pairs, args.ralph_statements)
        rate, stored = deliver_all(app, args.ralph_statements, lambda: len(lrs.stored_lines()))
        print(
            f"delivery to Ralph 5.1 (fs backend) on 127.0.0.1, batches of {args.batch_size}: "
            f"{stored:,} statements stored, {rate:,.0f} statements/s"
        )
    finally:
        lrs.stop()


if __name__ == "__main__":
    sys.exit(main())
