"""Benchmark: the lesson page (which records progress) under concurrent load, served by
gunicorn with several workers, on the embedded SQLite file and on PostgreSQL.

Each connection is a different learner who opens the sections of a Connectoo module in turn
(every first visit writes a row, every visit updates "continue where you left off"). Prints
requests, failures (any status >= 500 or a broken connection), throughput and latency.

Not a test: it prints figures (`make bench`). PostgreSQL is measured when TEST_DATABASE_URL
is set (`make bench` starts a throw-away cluster for it).

    python scripts/bench_concurrency.py [--workers 2] [--connections 2 10] [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-2026"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
COURSE = "connectoo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(instance: Path, database_url: str, learners: int) -> list[str]:
    """Migrate, import the real courses, create the learners; returns the section ids."""
    from sqlalchemy import text

    from lms.accounts.services import create_user
    from lms.app import create_app
    from lms.authoring.importer import import_paths
    from lms.catalog.queries import get_course_def
    from lms.core.db import Base, db
    from lms.core.migrate import upgrade
    from lms.learning.services import enrol

    app = create_app(
        {"LMS_INSTANCE_PATH": str(instance), "LMS_DATABASE_URL": database_url, "LMS_DEMO": "no"}
    )
    with app.app_context():
        if database_url.startswith("postgresql"):
            import lms.models  # noqa: F401

            with db.engine.begin() as conn:
                for table in Base.metadata.tables:
                    conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
                conn.execute(text("DROP TABLE IF EXISTS lms_alembic_version"))
        upgrade(app)
        import_paths(db.session, [REPO / "courses", REPO / "quizzes"], certificates_dir=None)
        course = get_course_def(db.session, COURSE)
        for n in range(learners):
            user = create_user(
                db.session,
                full_name=f"Bench {n}",
                email=f"bench{n}@example.be",
                password=PASSWORD,
                organisation=None,
                department=None,
                roles=[],
                language="nl",
            )
            db.session.flush()
            enrol(db.session, user, course)
        db.session.commit()
        sections = [s.id for s in course.modules[1].activities[0].sections]
    app.extensions["lms"].engine.dispose()
    return sections


def serve(instance: Path, database_url: str, workers: int, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "LMS_INSTANCE_PATH": str(instance),
        "LMS_DATABASE_URL": database_url,
        "LMS_DEMO": "no",
        "LMS_LOGIN_RATE_LIMIT": "10000 per minute",
        "LMS_LOGIN_ACCOUNT_RATE_LIMIT": "10000 per minute",
        "LMS_SECURE_COOKIES": "false",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "lms.app:create_app()",
        ],
        env=env,
        cwd=REPO,
    )
    for _ in range(200):
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
            return process
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def logged_in(base: str, n: int) -> requests.Session:
    session = requests.Session()
    token = CSRF_RE.search(session.get(f"{base}/login").text).group(1)
    response = session.post(
        f"{base}/login",
        data={"login": f"bench{n}@example.be", "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise SystemExit(f"login failed for bench{n}: {response.status_code}")
    return session


def load(base: str, sections: list[str], connections: int, seconds: float, offset: int):
    statuses: Counter = Counter()
    times: list[float] = []
    lock = threading.Lock()
    sessions = [logged_in(base, offset + n) for n in range(connections)]
    barrier = threading.Barrier(connections)
    stop_at = [0.0]

    def worker(session: requests.Session, start: int) -> None:
        barrier.wait()
        if start == 0:
            stop_at[0] = time.perf_counter() + seconds
        while not stop_at[0]:
            time.sleep(0.001)
        i = start
        while time.perf_counter() < stop_at[0]:
            url = f"{base}/courses/{COURSE}/learn/{sections[i % len(sections)]}"
            began = time.perf_counter()
            try:
                code = session.get(url, timeout=60, allow_redirects=False).status_code
            except requests.RequestException:
                code = "connection error"
            took = time.perf_counter() - began
            with lock:
                statuses[code] += 1
                times.append(took)
            i += 1

    threads = [threading.Thread(target=worker, args=(s, n)) for n, s in enumerate(sessions)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return statuses, times, elapsed


def report(label: str, connections: int, statuses: Counter, times: list[float], elapsed: float):
    total = sum(statuses.values())
    failed = sum(n for code, n in statuses.items() if not isinstance(code, int) or code >= 500)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1] if times else 0.0
    print(
        f"{label:<10} {connections:>3} conn  {total:>6} requests  {failed:>5} failed "
        f"({100 * failed / max(total, 1):.1f}%)  {total / elapsed:7.1f} req/s  "
        f"median {statistics.median(times) * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms  "
        f"statuses {dict(statuses)}"
    )
    return failed


def run(label: str, database_url: str | None, args) -> int:
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder)
        url = database_url or f"sqlite:///{instance / 'lms.sqlite3'}"
        learners = sum(args.connections)
        sections = prepare(instance, url, learners)
        port = free_port()
        server = serve(instance, url, args.workers, port)
        failed = 0
        try:
            offset = 0
            base = f"http://127.0.0.1:{port}"
            for connections in args.connections:
                result = load(base, sections, connections, args.seconds, offset)
                failed += report(label, connections, *result)
                offset += connections
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, nargs="+", default=[2, 10])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    print(f"lesson page, gunicorn --workers {args.workers}, {args.seconds:.0f} s per load level")
    failed = run("sqlite", None, args)
    pg = os.environ.get("TEST_DATABASE_URL")
    if pg:
        failed += run("postgresql", pg, args)
    else:
        print("postgresql: skipped (set TEST_DATABASE_URL, as `make bench` does)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
