"""The standalone application: a plain Flask app with the LMS mounted at its root."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, redirect, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.extension import LMS


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the standalone app. ``config`` overrides everything else (used by tests)."""
    config = dict(config or {})
    instance_path = config.get("LMS_INSTANCE_PATH") or os.environ.get("LMS_INSTANCE_PATH")
    app = Flask(
        "lms",
        instance_path=os.path.abspath(instance_path or os.path.join(os.getcwd(), "instance")),
        instance_relative_config=True,
        static_folder=None,  # the LMS serves its own files from its blueprint
    )
    LMS().init_app(app, standalone=True, config=config)
    if app.config.get("LMS_TRUST_PROXY"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    @app.get("/favicon.ico")
    def favicon():  # browsers ask for it; answer with our icon instead of a 404 in the logs
        return redirect(url_for("lms.core.static", filename="favicon.svg"))

    return app
