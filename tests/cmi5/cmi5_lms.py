"""A small cmi5 LMS for the tests: it serves an unzipped package and plays the LMS's part of
cmi5 1.0 (section 8: launch; 10: LMS.LaunchData; 11: learner preferences) and of an LRS.

It answers the fetch URL once with an auth token (a second call gets cmi5's error), keeps
state and agent-profile documents, records every statement posted with the right token and
refuses the rest, writes the ``launched`` statement itself before a launch, and has a page
for ``returnURL``. Only 127.0.0.1, on a port from 58200-58299.
"""

from __future__ import annotations

import json
import mimetypes
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.cmi5.rules import (
    CATEGORY_CMI5,
    MASTERY_SCORE,
    SESSION_ID,
    VERBS,
    Launch,
)

PORTS = range(58200, 58300)
HOME_PAGE = "https://lms.example.org"


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 58200-58299")


@dataclass
class Session:
    launch: Launch
    token: str
    fetch_calls: int = 0
    statements: list[dict[str, Any]] = field(default_factory=list)


class Cmi5LMS:
    def __init__(self, package_dir: Path) -> None:
        self.package_dir = package_dir.resolve()
        self.sessions: dict[str, Session] = {}
        self.states: dict[tuple[str, str, str, str], bytes] = {}
        self.profiles: dict[tuple[str, str], bytes] = {}
        self.refused: list[str] = []
        self.lock = threading.Lock()
        self.server = make_server("127.0.0.1", _free_port(), self.wsgi, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Cmi5LMS:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
        self.server.server_close()

    # The LMS's side ---------------------------------------------------------------------

    def launch(
        self,
        url: str,
        publisher_id: str,
        *,
        move_on: str,
        mastery_score: float | None = None,
        launch_mode: str = "Normal",
        registration: str | None = None,
        actor: dict[str, Any] | None = None,
        language_preference: str | None = None,
        return_url: bool = True,
    ) -> tuple[str, Session]:
        """Prepare a launch (launch data, preferences, "launched") and return its URL."""
        actor = actor or {"objectType": "Agent", "account": {"homePage": HOME_PAGE, "name": "l-1"}}
        registration = registration or str(uuid.uuid4())
        session_id = str(uuid.uuid4())
        # An activityId of the LMS's own, unlike the publisher's id (section 8.1).
        activity_id = f"{HOME_PAGE}/activities/{uuid.uuid5(uuid.NAMESPACE_URL, publisher_id)}"
        launch = Launch(
            actor,
            registration,
            activity_id,
            session_id,
            publisher_id,
            move_on,
            mastery_score,
            launch_mode,
        )
        session = Session(launch, token=uuid.uuid4().hex)
        template = {
            "contextActivities": {"grouping": [{"id": publisher_id, "objectType": "Activity"}]},
            "extensions": {SESSION_ID: session_id},
        }
        launch_data: dict[str, Any] = {
            "contextTemplate": template,
            "launchMode": launch_mode,
            "moveOn": move_on,
        }
        if mastery_score is not None:
            launch_data["masteryScore"] = mastery_score
        if return_url:
            launch_data["returnURL"] = f"{self.base}/returned"
        agent = json.dumps(actor, sort_keys=True)
        with self.lock:
            self.sessions[session_id] = session
            key = ("LMS.LaunchData", activity_id, agent, registration)
            self.states[key] = json.dumps(launch_data).encode()
            if language_preference is not None:
                preferences = {"languagePreference": language_preference, "audioPreference": "on"}
                self.profiles[("cmi5LearnerPreferences", agent)] = json.dumps(preferences).encode()
            extensions = {SESSION_ID: session_id, **launch_extensions(launch_mode, mastery_score)}
            session.statements.append(
                {
                    "id": str(uuid.uuid4()),
                    "actor": actor,
                    "verb": {"id": VERBS["launched"], "display": {"en-US": "launched"}},
                    "object": {"id": activity_id, "objectType": "Activity"},
                    "context": {
                        "registration": registration,
                        "contextActivities": {
                            "grouping": [{"id": publisher_id, "objectType": "Activity"}],
                            "category": [{"id": CATEGORY_CMI5, "objectType": "Activity"}],
                        },
                        "extensions": {
                            **extensions,
                            "https://w3id.org/xapi/cmi5/context/extensions/launchurl": (
                                f"{self.base}/au/{url}"
                            ),
                            "https://w3id.org/xapi/cmi5/context/extensions/moveon": move_on,
                        },
                    },
                    "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds")[:-6] + "Z",
                }
            )
        query = urlencode(
            {
                "endpoint": f"{self.base}/xapi/",
                "fetch": f"{self.base}/fetch/{session_id}",
                "actor": json.dumps(actor),
                "registration": registration,
                "activityId": activity_id,
            }
        )
        return f"{self.base}/au/{url}?{query}", session

    # HTTP ---------------------------------------------------------------------------------

    def wsgi(self, environ, start_response):
        request = Request(environ)
        try:
            response = self.route(request)
        except Exception as exc:  # a test double: say what went wrong
            response = Response(f"test LMS error: {exc!r}", status=500)
        return response(environ, start_response)

    def route(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/au/"):
            return self.static(path[len("/au/") :])
        if path == "/returned":
            return Response(
                "<!doctype html><title>LMS</title><h1>Back in the LMS</h1>",
                200,
                content_type="text/html; charset=utf-8",
            )
        if path.startswith("/fetch/"):
            return self.fetch(request, path[len("/fetch/") :])
        if path.startswith("/xapi/"):
            session = self.authorised(request)
            if session is None:
                return Response("unauthorised", status=401)
            return self.xapi(request, path[len("/xapi/") :], session)
        return Response("not found", status=404)

    def static(self, name: str) -> Response:
        file = (self.package_dir / name).resolve()
        if not file.is_relative_to(self.package_dir) or not file.is_file():
            return Response("not found", status=404)
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind.endswith("javascript"):
            kind += "; charset=utf-8"
        return Response(file.read_bytes(), content_type=kind)

    def fetch(self, request: Request, session_id: str) -> Response:
        with self.lock:
            session = self.sessions.get(session_id)
            if request.method != "POST" or session is None:
                return Response("not found", status=404)
            session.fetch_calls += 1
            if session.fetch_calls > 1:  # cmi5 8.2.3: the token is handed out once
                answer = {"error-code": "1", "error-text": "already in use"}
            else:
                answer = {"auth-token": session.token}
        return Response(json.dumps(answer), content_type="application/json")

    def authorised(self, request: Request) -> Session | None:
        header = request.headers.get("Authorization", "")
        if request.headers.get("X-Experience-API-Version") != "1.0.3":
            self.refused.append(f"{request.method} {request.path}: no xAPI version header")
            return None
        with self.lock:
            for session in self.sessions.values():
                if header == f"Basic {session.token}" and session.fetch_calls:
                    return session
        self.refused.append(f"{request.method} {request.path}: bad token")
        return None

    def xapi(self, request: Request, resource: str, session: Session) -> Response:
        args = request.args
        if resource == "statements" and request.method == "POST":
            statement = json.loads(request.get_data())
            with self.lock:
                session.statements.append(statement)
            return Response(json.dumps([statement.get("id")]), content_type="application/json")
        if resource == "activities/state":
            key = (
                args["stateId"],
                args["activityId"],
                _agent(args["agent"]),
                args.get("registration", ""),
            )
            return self.document(request, self.states, key, read_only=key[0] == "LMS.LaunchData")
        if resource == "agents/profile":
            key = (args["profileId"], _agent(args["agent"]))
            return self.document(request, self.profiles, key, read_only=True)
        return Response("not found", status=404)

    def document(self, request: Request, store: dict, key: tuple, *, read_only: bool) -> Response:
        with self.lock:
            if request.method == "GET":
                if key not in store:
                    return Response("no such document", status=404)
                return Response(store[key], content_type="application/json")
            if request.method in {"PUT", "POST"} and not read_only:
                store[key] = request.get_data()
                return Response(status=204)
        self.refused.append(f"{request.method} {request.path}: not allowed")
        return Response("forbidden", status=403)


def _agent(text: str) -> str:
    return json.dumps(json.loads(text), sort_keys=True)


def launch_extensions(launch_mode: str, mastery_score: float | None) -> dict[str, Any]:
    extensions: dict[str, Any] = {
        "https://w3id.org/xapi/cmi5/context/extensions/launchmode": launch_mode
    }
    if mastery_score is not None:
        extensions[MASTERY_SCORE] = mastery_score
    return extensions
