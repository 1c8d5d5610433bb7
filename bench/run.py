"""``make bench``: the pages under load at scale, side by side with two baselines.

For each data size: generate the data (``lms demo --scale N``) into a new SQLite file (or the
PostgreSQL database of ``LMS_BENCH_DATABASE_URL``, emptied first), serve ``bench.wsgi:app``
(the real app plus two baseline routes) with gunicorn (2 workers) on 127.0.0.1, sign people
in, and load every page with wrk for a fixed time at a fixed concurrency: baselines first,
the pages, the baselines again. Then the batch jobs are timed. Prints a table and appends it,
with the machine, commit, data size and load conditions, to bench/RESULTS.md; wrk's raw
output goes to bench/raw/<timestamp>/.

    python bench/run.py [--quick] [--learners 1000 10000] [--seconds 10] [--connections 4]
                        [--conditions "quiet machine"] [--no-batch]

Not a test: it measures and records. The targets (issue 19) are checked and printed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
BIN = Path(sys.executable).parent
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
RADIO_RE = re.compile(r'<input[^>]*type="(radio|checkbox)"[^>]*>')
ATTR_RE = re.compile(r'(name|value)="([^"]*)"')
WORKERS = 2
#: Sessions are bound to the address and browser (Flask-Login's "strong" protection): the
#: requests that sign in and wrk's requests send the same User-Agent.
USER_AGENT = "lms-bench/1"
LMS = [sys.executable, "-m", "lms.cli"]
WRK_THREADS = 2
#: The connections of the pages whose targets are the time one person waits, and whose users
#: are few and act one at a time: a coordinator downloading her whole organisation (2,000
#: people), the programme's administrators on the national overview. Measured with four at
#: once, the time would be that of the queue behind three other such requests on two workers
#: (a question of capacity, which the other pages answer).
ONE_AT_A_TIME = 1
GROWTH_PAGES = ("dashboard", "people", "people.csv", "people.xlsx", "overview")
#: The pages' keys, for ``--pages`` (the baselines are always measured).
PAGE_KEYS = (
    "login", "my", "course", "lesson", "answer", "submit", "dashboard", "people",
    "people.csv", "people.xlsx", "big.csv", "big.xlsx", "overview", "verify", "thread",
    "search", "search.varied",
)  # fmt: skip


@dataclass
class Page:
    key: str
    title: str
    entries: list[dict]  # {"m", "p", "h", "b"}
    expect: tuple[int, ...] = (200,)
    #: Each entry may be used once (a submit): more requests than entries is reported.
    once: bool = False
    #: Its own number of connections (else the run's): pages with a latency target whose
    #: users are few and act one at a time (see ``ONE_AT_A_TIME``).
    connections: int | None = None


@dataclass
class Result:
    key: str
    title: str
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    errors: int
    statuses: dict[str, int]
    rss_mb: float
    note: str = ""


@dataclass
class Run:
    database: str
    learners: int
    generated_s: float
    results: dict[str, Result] = field(default_factory=dict)
    batch: dict[str, float] = field(default_factory=dict)
    batch_out: dict[str, str] = field(default_factory=dict)
    facts: dict[str, str] = field(default_factory=dict)


# Serving ----------------------------------------------------------------------------------------


#: The ports the servers (and the LRS sink) may use: ``--ports FIRST-LAST``.
PORTS = range(57000, 58000)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def environment(instance: Path, url: str, port: int, lrs: str | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "LMS_INSTANCE_PATH": str(instance),
        "LMS_DATABASE_URL": url,
        "LMS_DEMO": "no",
        # Every generated account has one password, hashed at this (still scrypt) cost, so
        # signing in hundreds of people before the load does not take minutes.
        "LMS_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        "LMS_LOGIN_RATE_LIMIT": "1000000 per minute",
        "LMS_LOGIN_ACCOUNT_RATE_LIMIT": "1000000 per minute",
        "LMS_CERTIFICATE_VERIFY_RATE_LIMIT": "1000000 per minute",
        "LMS_SECURE_COOKIES": "false",
        "LMS_BASE_URL": f"http://127.0.0.1:{port}",
        "LMS_COURSES_PATH": str(REPO / "courses"),
        "LMS_QUIZZES_PATH": str(REPO / "quizzes"),
        "LMS_CERTIFICATES_PATH": str(REPO / "certificates"),
        # This checkout's ``lms`` first, whichever checkout the virtualenv was installed from.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    if lrs:
        env["LMS_LRS_ENDPOINTS"] = json.dumps([{"name": "lrs", "url": lrs}])
    return env


def serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "--workers", str(WORKERS),
        "--bind", f"127.0.0.1:{port}",
        "--log-level", "warning",
        "--timeout", "120",
        "bench.wsgi:app",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=REPO, stderr=log.open("w"))
    for _ in range(300):
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
            return process
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"gunicorn did not start (see {log})")


def workers_of(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def peak_rss_mb(master: int) -> float:
    peaks = []
    for pid in workers_of(master):
        status = Path(f"/proc/{pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            peaks.append(int(match.group(1)) / 1024)
    return max(peaks, default=0.0)


# Signing in and the pages' requests ----------------------------------------------------------


def sign_in(base: str, email: str, password: str) -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    token = CSRF_RE.search(session.get(f"{base}/login").text).group(1)
    response = session.post(
        f"{base}/login",
        data={"login": email, "password": password, "csrf_token": token},
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise SystemExit(f"login failed for {email}: {response.status_code}")
    return session


def cookie(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def form_answer(html: str) -> dict[str, str] | None:
    """A response for the question page's form: its first choice."""
    for tag in RADIO_RE.finditer(html):
        attrs = dict(ATTR_RE.findall(tag.group(0)))
        if "name" in attrs and "value" in attrs and attrs["name"] != "go":
            return {attrs["name"]: attrs["value"]}
    return None


def encode(data: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(data)


POST = {"Content-Type": "application/x-www-form-urlencoded"}


def prepare(base: str, env: dict[str, str], connections: int, quick: bool) -> tuple[list, dict]:
    """The facts the pages need, read from the database, and the open attempts to submit."""
    os.environ.update({k: v for k, v in env.items() if k.startswith("LMS_")})
    from sqlalchemy import func, select

    from lms.accounts.models import RoleAssignment, User
    from lms.app import create_app
    from lms.assessment import services as assessment
    from lms.catalog.queries import get_course_def
    from lms.certification.models import Certificate
    from lms.core.db import db
    from lms.forums.models import ForumPost, ForumThread
    from lms.learning.models import Enrolment
    from lms.organisations.models import Organisation
    from lms.synthetic import (
        ADMIN_EMAIL,
        BENCH_ORGANISATION,
        COORDINATOR_EMAIL,
        PASSWORD,
    )

    app = create_app()
    facts: dict = {}
    with app.app_context():
        session = db.session
        course = get_course_def(session, "connectoo")
        bench = session.scalar(select(Organisation).where(Organisation.name == BENCH_ORGANISATION))
        learners = session.scalars(
            select(User.email)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(User.organisation_id == bench.id, Enrolment.course_id == course.course_id)
            .where(User.email.not_like("archetype.%"))
            .order_by(User.id)
            .limit(max(8, 2 * connections))
        ).all()
        size = func.count(User.id).label("size")
        largest_id, largest_size = session.execute(
            select(User.organisation_id, size).group_by(User.organisation_id).order_by(size.desc())
        ).first()
        largest_coordinator = session.scalar(
            select(User.email)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.role == "manager", RoleAssignment.organisation_id == largest_id)
        )
        codes = session.scalars(select(Certificate.code).limit(500)).all()
        posts = func.count(ForumPost.id).label("posts")
        threads = session.execute(
            select(ForumThread.id, ForumThread.activity_id, posts)
            .join(ForumPost, ForumPost.thread_id == ForumThread.id)
            .where(
                ForumThread.organisation_id == bench.id, ForumThread.course_id == course.course_id
            )
            .group_by(ForumThread.id, ForumThread.activity_id)
            .order_by(posts.desc())
            .limit(4)
        ).all()
        sections = [s.id for m in course.modules for a in m.activities for s in a.sections]
        tests = [a for m in course.modules for a in m.activities if a.type == "test"]
        # Open attempts, for people who never took a test: the first ones answer the first
        # question of the first test again and again; the others submit every test once.
        # (Learners of Benchpoort may have used up their attempts: at 1,000 learners its first
        # learners had, and the page had no data.)
        answer_people = max(8, 2 * connections)
        pool_people = answer_people + (30 if quick else 150)
        fresh = session.scalars(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.course_id == course.course_id, Enrolment.last_activity_at.is_(None))
            .where(User.email.not_like("archetype.%"))
            .order_by(User.id)
            .limit(pool_people)
        ).all()
        to_answer, to_submit = [], []
        for number, person in enumerate(fresh):
            enrolment = session.scalar(
                select(Enrolment).where(
                    Enrolment.user_id == person.id, Enrolment.course_id == course.course_id
                )
            )
            answering = number < answer_people
            for activity in tests[:1] if answering else tests:
                assessment.start_attempt(
                    session, user=person, enrolment=enrolment, course=course, activity=activity
                )
            (to_answer if answering else to_submit).append(person.email)
        session.commit()
        user_ids = session.scalars(select(User.id).order_by(User.id).limit(1000)).all()
        facts.update(
            password=PASSWORD,
            admin=ADMIN_EMAIL,
            coordinator=COORDINATOR_EMAIL,
            learners=learners,
            largest_coordinator=largest_coordinator,
            largest_size=largest_size,
            codes=codes,
            threads=[(t.activity_id, t.id, t.posts) for t in threads],
            sections=sections,
            tests=[a.id for a in tests],
            to_answer=to_answer,
            to_submit=to_submit,
            user_ids=user_ids,
        )
    app.extensions["lms"].engine.dispose()
    return build_pages(base, facts), facts


def build_pages(base: str, facts: dict) -> list[Page]:
    password = facts["password"]

    def signed(emails):
        with ThreadPoolExecutor(4) as pool:
            return list(pool.map(lambda e: sign_in(base, e, password), emails))

    learners = signed(facts["learners"])
    cookies = [cookie(s) for s in learners]
    coordinator = cookie(sign_in(base, facts["coordinator"], password))
    admin = cookie(sign_in(base, facts["admin"], password))
    largest = cookie(sign_in(base, facts["largest_coordinator"], password))

    def get(path, jar):
        return {"m": "GET", "p": path, "h": {"Cookie": jar} if jar else {}, "b": None}

    def each(paths):
        return [get(p, c) for p in paths for c in cookies]

    ids = facts["user_ids"]
    reads = [get(f"/_bench/read/{i}", None) for i in ids]
    writes = [get(f"/_bench/write/{i}", None) for i in ids]
    pages = [
        Page("base.read", "(a) baseline: primary-key read", reads),
        Page("base.write", "(b) baseline: read, write a row, render", writes),
        Page("login", "Login page", [get("/login", None)]),
        Page("my", "My learning", each(["/"])),
        Page("course", "Course page", each(["/courses/connectoo"])),
        Page("lesson", "Lesson page (records progress)",
             each([f"/courses/connectoo/learn/{s}" for s in facts["sections"]])),
    ]  # fmt: skip
    # Saving an answer: learners with an open attempt of the first test (started in
    # prepare()) answer its first question, again and again. Each body is tried once here:
    # only one that saves (on to question 2) is used.
    answers = []
    test = facts["tests"][0]
    question = f"/courses/connectoo/tests/{test}/question?n=1"
    for session in signed(facts["to_answer"]):
        html = session.get(f"{base}{question}").text
        answer, token = form_answer(html), CSRF_RE.search(html)
        number = re.search(r'name="attempt" value="(\d+)"', html)
        if not (answer and token and number):
            continue
        body = encode({**answer, "attempt": number.group(1), "go": "next",
                       "csrf_token": token.group(1)})  # fmt: skip
        tried = session.post(f"{base}{question}", data=body, headers=POST, allow_redirects=False)
        if tried.status_code == 302 and tried.headers["Location"].endswith("question?n=2"):
            answers.append(
                {"m": "POST", "p": question, "h": {"Cookie": cookie(session), **POST}, "b": body}
            )
    pages.append(Page("answer", "Test: save an answer", answers, (302,)))
    submits = []
    for session in signed(facts["to_submit"]):
        for activity in facts["tests"]:
            html = session.get(f"{base}/courses/connectoo/tests/{activity}/review").text
            token = CSRF_RE.search(html)
            number = re.search(r'name="attempt" value="(\d+)"', html)
            if token and number:
                body = encode({"attempt": number.group(1), "csrf_token": token.group(1)})
                submits.append(
                    {"m": "POST", "p": f"/courses/connectoo/tests/{activity}/submit",
                     "h": {"Cookie": cookie(session), **POST}, "b": body}
                )  # fmt: skip
    pages.append(Page("submit", "Test: submit", submits, (302,), once=True))
    size = facts["largest_size"]
    csv, xlsx = "/progress/people?format=csv", "/progress/people?format=xlsx"
    pages += [
        Page("dashboard", "Coordinator dashboard (200 people)", [get("/progress/", coordinator)]),
        Page("people", "People table (200 people)", [get("/progress/people", coordinator)]),
        Page("people.csv", "People CSV export (200)", [get(csv, coordinator)]),
        Page("people.xlsx", "People XLSX export (200)", [get(xlsx, coordinator)]),
        Page("big.csv", f"People CSV export ({size}), 1 connection", [get(csv, largest)],
             connections=ONE_AT_A_TIME),
        Page("big.xlsx", f"People XLSX export ({size}), 1 connection", [get(xlsx, largest)],
             connections=ONE_AT_A_TIME),
        Page("overview", "National overview, 1 connection", [get("/progress/national/", admin)],
             connections=ONE_AT_A_TIME),
        Page("verify", "Certificate verification",
             [get(f"/certificates/verify?code={c}", None) for c in facts["codes"]]),
    ]  # fmt: skip
    # The thread page, by learners of the thread's organisation (it marks posts read).
    threads = [f"/courses/connectoo/forums/{a}/threads/{t}" for a, t, _ in facts["threads"]]
    pages.append(Page("thread", "Forum thread page", each(threads[:1])))
    pages.extend(search_page(get, cookies))
    return pages


#: Databank searches (a word and a filter), over the resources ``lms demo --scale`` makes.
SEARCHES = (
    "/databank/?q=handleiding+itsme&type=manual",
    "/databank/?q=smartphone&group=older_people",
    "/databank/?q=veilig+online&language=nl",
    "/databank/?q=vid%C3%A9o&theme=myebox",
)


#: Words of the generated resources' titles (lms.synthetic) and the filters, for the varied
#: searches: 18 words x 16 filters = 288 different pages, asked in turn, so the rendered
#: filters that each worker keeps (the last 100) never serve twice: the first-time path.
VARIED_WORDS = (
    "itsme", "csam", "ebox", "mypension", "myminfin", "gezondheid", "e-mail", "videobellen",
    "veilig", "smartphone", "bankieren", "vaardigheden", "eid", "overheidsdiensten",
    "manuel", "vid%C3%A9o", "exercices", "questionnaire",
)  # fmt: skip
VARIED_FILTERS = (
    "type=manual", "type=video", "type=exercise", "type=website", "group=older_people",
    "group=newcomers", "group=low_literacy", "group=everyone", "language=nl", "language=fr",
    "language=de", "theme=itsme", "theme=email", "theme=eid", "sort=added", "sort=type",
)  # fmt: skip


def search_page(get, cookies) -> list[Page]:
    """The databank's search page: a query with a filter, by signed-in learners; the same
    four searches again and again, and 288 different ones in turn."""
    varied = [f"/databank/?q={w}&{f}" for w in VARIED_WORDS for f in VARIED_FILTERS]
    return [
        Page(
            "search",
            "Databank search (word + filter)",
            [get(p, c) for p in SEARCHES for c in cookies],
        ),
        Page(
            "search.varied",
            "Databank search, 288 different searches in turn",
            [get(p, cookies[i % len(cookies)]) for i, p in enumerate(varied)],
        ),
    ]


# wrk ---------------------------------------------------------------------------------------------

LUA = """
local entries = %(entries)s
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  counter = tid
  sent = 0
end
function request()
  if %(once)s and counter >= #entries then
    wrk.thread:stop()
  end
  local e = entries[(counter %% #entries) + 1]
  counter = counter + %(threads)d
  sent = sent + 1
  return wrk.format(e.m, e.p, e.h, e.b)
end
function response(status, headers, body)
  local k = "s" .. status
  _G[k] = (_G[k] or 0) + 1
end
function done(summary, latency, requests)
  local counts, statuses, sent = {}, {}, 0
  for _, t in ipairs(threads) do
    sent = sent + (t:get("sent") or 0)
    for code = 100, 599 do
      local n = t:get("s" .. code)
      if n then counts[code] = (counts[code] or 0) + n end
    end
  end
  for code, n in pairs(counts) do
    statuses[#statuses + 1] = string.format('"%%d": %%d', code, n)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %%d, "duration_us": %%d, "p50": %%d, "p95": %%d, "p99": %%d, ' ..
    '"socket_errors": %%d, "sent": %%d, "statuses": {%%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout, sent,
    table.concat(statuses, ", ")))
end
"""


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string literal for ASCII text


def lua_entries(entries: list[dict]) -> str:
    parts = []
    for e in entries:
        fields = {"User-Agent": USER_AGENT, **e["h"]}
        headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in fields.items())
        body = lua_string(e["b"]) if e["b"] is not None else "nil"
        parts.append(f'{{m = "{e["m"]}", p = {lua_string(e["p"])}, h = {{{headers}}}, b = {body}}}')
    return "{\n" + ",\n".join(parts) + "\n}"


def load(base: str, page: Page, seconds: float, connections: int, raw: Path) -> dict:
    threads = min(WRK_THREADS, connections)  # wrk wants a connection per thread at least
    if not page.entries:
        return {"requests": 0, "duration_us": 1, "p50": 0, "p95": 0, "p99": 0,
                "socket_errors": 0, "sent": 0, "statuses": {}, "missing": True}  # fmt: skip
    script = raw / f"{page.key}.lua"
    script.write_text(
        LUA
        % {
            "entries": lua_entries(page.entries),
            "threads": threads,
            "once": "true" if page.once else "false",
        }
    )
    command = [
        "wrk", "-t", str(threads), "-c", str(connections), "-d", f"{round(seconds)}s",
        "--timeout", "30s", "--latency", "-s", str(script), base,
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    script.unlink()  # it holds session cookies and CSRF tokens: not kept with the results
    (raw / f"{page.key}.txt").write_text(" ".join(command) + "\n\n" + out.stdout + out.stderr)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk failed for {page.key}: {out.stderr or out.stdout}")
    return json.loads(line[6:])


def drain(base: str, connections: int) -> None:
    """Wait until the workers have finished what wrk left in flight when it stopped (a slow
    page's last requests would otherwise be charged to the next page)."""
    for _ in range(2):
        with ThreadPoolExecutor(connections) as pool:
            list(
                pool.map(lambda _: requests.get(f"{base}/healthz", timeout=300), range(connections))
            )


def measure(base, page, seconds, connections, raw, master) -> Result:
    drain(base, connections)
    connections = page.connections or connections
    data = load(base, page, seconds, connections, raw)
    statuses = {str(k): v for k, v in data["statuses"].items()}
    unexpected = sum(v for k, v in statuses.items() if int(k) not in page.expect)
    note = "no data for this page" if data.get("missing") else ""
    if not data["requests"] and not data.get("missing"):
        # Nothing answered within the run: every request sent is counted as an error.
        note = f"no answer within {seconds:.0f} s"
        data["p50"] = data["p95"] = data["p99"] = seconds * 1e6
        data["socket_errors"] += max(data["sent"], 1)
    if page.once and data["requests"] >= len(page.entries):
        note = f"all {len(page.entries)} prepared attempts submitted before the time was up"
    return Result(
        key=page.key,
        title=page.title,
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50=data["p50"] / 1000,
        p95=data["p95"] / 1000,
        p99=data["p99"] / 1000,
        requests=data["requests"],
        errors=unexpected + data["socket_errors"],
        statuses=statuses,
        rss_mb=peak_rss_mb(master),
        note=note,
    )


# Batch jobs and the LRS sink -----------------------------------------------------------------


class Sink(BaseHTTPRequestHandler):
    received = 0

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        Sink.received += len(json.loads(body or b"[]"))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"[]")

    def log_message(self, *args):
        pass


def batch_jobs(run: Run, env: dict[str, str]) -> None:
    Sink.received = 0
    sink = ThreadingHTTPServer(("127.0.0.1", free_port()), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{sink.server_address[1]}/xAPI/"
    env = {**env, "LMS_LRS_ENDPOINTS": json.dumps([{"name": "lrs", "url": url}])}
    for key, command in (
        ("lms reminders send --summaries", [*LMS, "reminders", "send", "--summaries"]),
        ("lms reports snapshot", [*LMS, "reports", "snapshot"]),
        ("lms xapi deliver --once", [*LMS, "xapi", "deliver", "--once"]),
    ):
        began = time.perf_counter()
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        run.batch[key] = time.perf_counter() - began
        text = (out.stdout + out.stderr).strip().splitlines()
        run.batch_out[key] = (text[-1] if text else "") + (
            "" if out.returncode == 0 else " (FAILED)"
        )
    run.batch_out["lms xapi deliver --once"] += f"; the sink received {Sink.received}"
    sink.shutdown()


# One data size on one database ---------------------------------------------------------------


def reset_postgresql(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def one_run(database: str, url: str | None, learners: int, args, raw_root: Path) -> Run:
    instance = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    try:
        url = url or f"sqlite:///{instance / 'lms.sqlite3'}"
        if url.startswith("postgresql"):
            reset_postgresql(url)
        port = free_port()
        env = environment(instance, url, port)
        print(f"== {database}, {learners:,} learners: generating")
        began = time.perf_counter()
        subprocess.run([*LMS, "demo", "--scale", str(learners)], env=env, check=True)
        run = Run(database, learners, time.perf_counter() - began)
        from sqlalchemy import create_engine

        from bench.wsgi import metadata

        engine = create_engine(url)
        metadata.create_all(engine)
        engine.dispose()
        raw = raw_root / f"{database}-{learners}"
        raw.mkdir(parents=True, exist_ok=True)
        # Another process may have taken the port while the data was generated.
        port = free_port()
        env = environment(instance, url, port)
        server = serve(env, port, raw / "gunicorn.log")
        base = f"http://127.0.0.1:{port}"
        try:
            pages, facts = prepare(base, env, args.connections, args.quick)
            run.facts["largest organisation"] = str(facts["largest_size"])
            by_key = {p.key: p for p in pages}
            order = ["base.read", "base.write"] + [
                p.key
                for p in pages
                if not p.key.startswith("base.") and (not args.pages or p.key in args.pages)
            ]
            for key in order:
                result = measure(base, by_key[key], args.seconds, args.connections, raw, server.pid)
                run.results[key] = result
                print(f"   {result.title:<42} {result.rps:8.1f} req/s  p95 {result.p95:8.1f} ms"
                      f"  errors {result.errors}")  # fmt: skip
            if not args.quick:  # the baselines again, after the pages: did the machine drift?
                for key in ("base.read", "base.write"):
                    again = measure(
                        base, by_key[key], args.seconds, args.connections, raw, server.pid
                    )
                    first = run.results[key]
                    first.note = f"before {first.rps:.0f}, after {again.rps:.0f} req/s"
                    first.rps = (first.rps + again.rps) / 2
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        if args.batch:
            batch_jobs(run, env)
            for key, seconds in run.batch.items():
                print(f"   {key:<42} {seconds:8.1f} s   {run.batch_out[key]}")
        return run
    finally:
        shutil.rmtree(instance, ignore_errors=True)


# Reporting ------------------------------------------------------------------------------------


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), "unknown CPU")  # fmt: skip
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return f"{os.cpu_count()} cores, {mem / 1024 / 1024:.1f} GiB RAM, {cpu}"


def commit() -> str:
    def git(*a):
        return subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True).stdout.strip()

    dirty = (
        " (with uncommitted changes)" if git("status", "--porcelain", "--", "lms", "bench") else ""
    )
    return (git("rev-parse", "--short", "HEAD") or "unknown") + dirty


def table(run: Run) -> str:
    a = run.results["base.read"].rps or math.nan
    b = run.results["base.write"].rps or math.nan
    lines = [
        f"**{run.database}, {run.learners:,} learners** (generated in {run.generated_s:.0f} s; "
        f"largest organisation {run.facts.get('largest organisation', '?')} people)",
        "",
        "| page | req/s | p50 ms | p95 ms | p99 ms | errors | x (a) | x (b) | peak RSS/worker MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in run.results.values():
        note = f" ({r.note})" if r.note else ""
        lines.append(
            f"| {r.title}{note} | {r.rps:.1f} | {r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f} | "
            f"{r.errors} | {r.rps / a:.2f} | {r.rps / b:.2f} | {r.rss_mb:.0f} |"
        )
    if run.batch:
        lines += ["", "| batch job | seconds | output |", "| --- | ---: | --- |"]
        lines += [f"| `{k}` | {v:.1f} | {run.batch_out[k]} |" for k, v in run.batch.items()]
    return "\n".join(lines)


def verdict(exponent: float) -> str:
    if exponent < 0.25:
        return "flat"
    if exponent < 0.8:
        return "sublinear"
    if exponent <= 1.25:
        return "linear"
    return "worse than linear"


def growth(runs: list[Run]) -> list[str]:
    """How each report page's median latency grows with the learners, run to run."""
    lines = []
    for database in dict.fromkeys(r.database for r in runs):
        mine = sorted((r for r in runs if r.database == database), key=lambda r: r.learners)
        for small, large in itertools.pairwise(mine):
            k = large.learners / small.learners
            for key in GROWTH_PAGES:
                s, t = small.results.get(key), large.results.get(key)
                if not s or not t or not s.p50:
                    continue
                if not s.requests or not t.requests:
                    lines.append(
                        f"- {database} {t.title}: no answer within the run at "
                        f"{(small if not s.requests else large).learners:,}: **worse**"
                    )
                    continue
                e = math.log(max(t.p50, 1e-6) / s.p50) / math.log(k)
                lines.append(
                    f"- {database} {t.title}: p50 {s.p50:.1f} ms at {small.learners:,} -> "
                    f"{t.p50:.1f} ms at {large.learners:,} (x{t.p50 / s.p50:.2f} for x{k:.0f} "
                    f"learners, exponent {e:.2f}): **{verdict(e)}**"
                )
    return lines


def targets(runs: list[Run]) -> list[str]:
    lines = []

    def check(ok: bool | None, text: str) -> None:
        mark = "n/a" if ok is None else ("holds" if ok else "MISSED")
        lines.append(f"- {mark}: {text}")

    for run in runs:
        # Only the pages measured (``--pages``): the others' targets are not reported.
        r, label = run.results, f"{run.database} {run.learners:,}"
        b = r["base.write"].rps
        for key, share in (("lesson", 0.5), ("answer", 0.3), ("submit", 0.3)):
            if key not in r:
                continue
            ratio = r[key].rps / b if b else 0
            check(
                ratio >= share, f"{label}: {r[key].title} {ratio:.0%} of (b) (target {share:.0%})"
            )
        for key in ("dashboard", "people"):
            if key not in r:
                continue
            ok = r[key].p95 < 100 if run.learners >= 10_000 else None
            check(
                ok, f"{label}: {r[key].title} p95 {r[key].p95:.0f} ms (target < 100 ms at 10,000)"
            )
        if "overview" in r:
            ok = r["overview"].p95 < 1000 if run.learners >= 100_000 else None
            check(
                ok,
                f"{label}: national overview p95 {r['overview'].p95:.0f} ms "
                "(target < 1 s at 100,000)",
            )
        for key in ("big.csv", "big.xlsx"):
            if key not in r:
                continue
            big = int(run.facts.get("largest organisation", "0"))
            ok = r[key].p95 < 2000 if big >= 2000 else None
            check(ok, f"{label}: {r[key].title} p95 {r[key].p95:.0f} ms (target < 2 s for 2,000)")
        for key in ("search", "search.varied"):
            if key in r:
                ok = r[key].p95 < 50 if run.learners >= 10_000 else None
                check(
                    ok,
                    f"{label}: {r[key].title} p95 {r[key].p95:.0f} ms "
                    "(target < 50 ms over 10,000 resources)",
                )
        rss = max(x.rss_mb for x in r.values())
        ok = rss < 150 if run.learners >= 100_000 else (False if rss >= 150 else None)
        check(ok, f"{label}: peak RSS per worker {rss:.0f} MB (target < 150 MB at 100,000)")
    return lines


def main() -> int:
    global PORTS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 learners, 3 s per page")
    parser.add_argument("--learners", type=int, nargs="+", default=None)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--conditions", default=os.environ.get("LMS_BENCH_CONDITIONS", "not stated")
    )
    parser.add_argument("--no-batch", dest="batch", action="store_false")
    parser.add_argument("--results", type=Path, default=REPO / "bench" / "RESULTS.md")
    parser.add_argument(
        "--pages",
        nargs="+",
        default=None,
        metavar="KEY",
        help="measure only these pages (besides the two baselines): " + ", ".join(PAGE_KEYS),
    )
    parser.add_argument(
        "--ports",
        default=f"{PORTS.start}-{PORTS.stop - 1}",
        metavar="FIRST-LAST",
        help="the ports the servers and the LRS sink may use (127.0.0.1)",
    )
    args = parser.parse_args()
    unknown = set(args.pages or ()) - set(PAGE_KEYS)
    if unknown:
        parser.error(
            f"unknown page(s): {', '.join(sorted(unknown))}; known: {', '.join(PAGE_KEYS)}"
        )
    first, _, last = args.ports.partition("-")
    if not (first.isdigit() and last.isdigit() and 0 < int(first) <= int(last) < 65536):
        parser.error(f"--ports needs FIRST-LAST (such as 57500-57999), not {args.ports!r}")
    PORTS = range(int(first), int(last) + 1)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk; make bench does)")
    args.learners = args.learners or ([300] if args.quick else [1_000, 10_000])
    args.seconds = args.seconds or (3.0 if args.quick else 10.0)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    raw_root = REPO / "bench" / "raw" / stamp
    databases = [("sqlite", None)]
    if os.environ.get("LMS_BENCH_DATABASE_URL"):
        pg = os.environ["LMS_BENCH_DATABASE_URL"]
        # As docs/operations.md recommends for production: JIT off.
        pg += ("&" if "?" in pg else "?") + "options=-cjit%3Doff"
        databases.append(("postgresql", pg))
    runs = []
    for database, url in databases:
        for learners in args.learners:
            runs.append(one_run(database, url, learners, args, raw_root))
    text = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}"
        + (" (quick mode)" if args.quick else ""),
        "",
        f"- machine: {machine()}; load generator (wrk) on the same host",
        f"- load conditions: {args.conditions}",
        f"- gunicorn {WORKERS} workers (sync) for every server; wrk {WRK_THREADS} threads, "
        f"{args.connections} connections, {args.seconds:.0f} s per page; raw output: "
        f"bench/raw/{stamp}/",
        "",
    ]
    for run in runs:
        text += [table(run), ""]
    if len(args.learners) > 1:
        text += ["How cost grows:", "", *growth(runs), ""]
    text += ["Targets:", "", *targets(runs), ""]
    report = "\n".join(text)
    print("\n" + report)
    with args.results.open("a", encoding="utf-8") as out:
        out.write("\n" + report)
    print(f"appended to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
