"""Helpers for the addresses the LMS redirects to."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """Only follow ``next`` to a path on this site (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def external_url(endpoint: str, **values: object) -> str:
    """The absolute URL of ``endpoint`` under ``LMS_BASE_URL``, for e-mails and jobs (no
    request needed; a host app's URL prefix is part of the URL map)."""
    from flask import current_app

    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["LMS_BASE_URL"].rstrip("/") + path
