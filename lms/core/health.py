"""Health answers for the reverse proxy and the orchestrator.

- ``/healthz``: the process is alive and answers; touches nothing (no database), so that a
  database outage does not get every web process restarted.
- ``/readyz``: ready to serve: the database answers, its schema is the code's, and each
  check that a feature registered passes (the certificate signing key, the outbox backlogs).

Both answer JSON, 200 when all is well and 503 otherwise, without login or rate limit.
Features register checks per app (``add_check``) from the extension, so core knows none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


#: A readiness check: (the app, a session) -> Check. Runs only once the database answers.
ReadyCheck = Callable[[Flask, Session], Check]


def add_check(app: Flask, name: str, check: ReadyCheck) -> None:
    checks = app.extensions["lms"].extras.setdefault("ready_checks", {})
    if name in checks:
        raise ValueError(f"readiness check {name!r} is registered twice")
    checks[name] = check


def migrations_check(app: Flask, session: Session) -> Check:
    from lms.core.migrate import code_heads, current_revision

    current, expected = current_revision(app, session.connection()), ", ".join(sorted(code_heads()))
    if current == expected:
        return Check(True, f"schema {current}")
    return Check(False, f"schema {current or 'empty'}, code needs {expected}: run `lms db upgrade`")


def readiness(app: Flask) -> dict[str, Check]:
    """Run every check; the database first (nothing else runs without it)."""
    state = app.extensions["lms"]
    session = state.session_factory()
    results: dict[str, Check] = {}
    try:
        try:
            session.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            results["database"] = Check(False, f"unreachable: {type(exc).__name__}")
            return results
        results["database"] = Check(True, "answers")
        results["migrations"] = migrations_check(app, session)
        for name, check in state.extras.get("ready_checks", {}).items():
            if not results["migrations"].ok:
                results[name] = Check(False, "not checked: the schema is not the code's")
                continue
            try:
                results[name] = check(app, session)
            except SQLAlchemyError as exc:
                session.rollback()
                results[name] = Check(False, f"database error: {type(exc).__name__}")
        return results
    finally:
        session.rollback()
        session.close()


def health_view():
    return {"status": "ok"}


def ready_view():
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    results = readiness(app)
    ok = all(check.ok for check in results.values())
    body = {
        "status": "ok" if ok else "fail",
        "checks": {name: {"ok": c.ok, "detail": c.detail} for name, c in results.items()},
    }
    return body, 200 if ok else 503
