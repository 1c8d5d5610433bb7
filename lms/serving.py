"""``lms serve``: the app under gunicorn, with several worker processes (production).

The app the command loaded (the standalone app, or a host's through ``flask lms serve``) is
handed to gunicorn's workers. Its engine is disposed of before the workers are forked and
again in each worker, so no database connection is ever shared between processes.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class GunicornServer(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

        app = self.application

        def post_fork(_server: Any, _worker: Any) -> None:
            app.extensions["lms"].engine.dispose(close=False)

        self.cfg.set("post_fork", post_fork)

    def load(self) -> Flask:
        return self.application


def serve(app: Flask, *, workers: int, bind: str, timeout: int) -> None:
    app.extensions["lms"].engine.dispose()
    GunicornServer(
        app,
        {
            "bind": bind,
            "workers": workers,
            "timeout": timeout,
            "graceful_timeout": 30,
            # A worker is replaced after this many requests (with jitter): a slow leak in a
            # library never grows for ever.
            "max_requests": 2000,
            "max_requests_jitter": 200,
            "errorlog": "-",
            "proc_name": "lms",
        },
    ).run()
