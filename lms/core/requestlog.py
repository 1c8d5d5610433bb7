"""Request ids and one structured log line per request.

Every request gets an id: the ``X-Request-ID`` header a proxy sent, when it looks like an id
(letters, digits, ``._:-``, at most 128 characters), else a new random one. It is sent back
in the ``X-Request-ID`` response header and printed on error pages, so that staff can quote
it and operators can find the request in the logs (nginx can log the same header).

With ``LMS_LOG_FORMAT = "json"`` each request writes one JSON line to the ``lms.request``
logger (standard error by default): time, request id, method, the route's path template
(``/courses/<slug>``, never the address as typed: no query string, no names in paths),
status, duration in milliseconds and the user id (or null). Nothing else about the person.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Blueprint, Flask, Response, g, request
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import NoInspectionAvailable

SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
HEADER = "X-Request-ID"
logger = logging.getLogger("lms.request")


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    return g.get("lms_request_id")


def _start() -> None:
    offered = request.headers.get(HEADER, "")
    g.lms_request_id = offered if SANE_ID.fullmatch(offered) else uuid.uuid4().hex
    g.lms_request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    rid = g.get("lms_request_id")
    if rid is None:
        return response
    response.headers[HEADER] = rid
    from flask import current_app

    if current_app.config.get("LMS_LOG_FORMAT") == "json":
        logger.info(json.dumps(_line(response, rid), separators=(",", ":")))
    return response


def _user_id() -> int | None:
    # Only a person already loaded for this request: logging never queries the database.
    # Read from the identity map's key, not the attribute: after an error the session is
    # dropped and the person detached, and loading an attribute would fail.
    user = g.get("_login_user")
    if user is None:
        return None
    try:
        identity = sa_inspect(user).identity
    except NoInspectionAvailable:  # the anonymous visitor
        return None
    return identity[0] if identity else None


def _line(response: Response, rid: str) -> dict:
    started = g.get("lms_request_started")
    duration = (time.perf_counter() - started) * 1000 if started is not None else None
    rule = request.url_rule
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "request_id": rid,
        "method": request.method,
        "path": rule.rule if rule is not None else None,
        "endpoint": request.endpoint,
        "status": response.status_code,
        "duration_ms": round(duration, 1) if duration is not None else None,
        "user_id": _user_id(),
    }


def _configure_logger(app: Flask) -> None:
    if app.config.get("LMS_LOG_FORMAT") != "json":
        return
    logger.setLevel(logging.INFO)
    if not any(getattr(h, "_lms", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._lms = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.propagate = False


def init_app(app: Flask) -> None:
    """Every request of the app (the standalone app)."""
    _configure_logger(app)
    app.before_request(_start)
    app.after_request(_finish)


def init_blueprint(bp: Blueprint, app: Flask) -> None:
    """Only the LMS's own routes (mounted in a host app, which may have its own ids)."""
    _configure_logger(app)
    bp.before_request(_start)
    bp.after_request(_finish)
