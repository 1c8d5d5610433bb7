"""The app as ``make bench`` serves it: the real ``create_app()`` plus two baseline routes,
served by the same gunicorn command on the same database, so every page is compared with
what the stack costs at the least. Never part of the product (``lms`` does not import it).

(a) ``/_bench/read/<id>``: one SQLAlchemy primary-key read, plain text.
(b) ``/_bench/write/<id>``: a primary-key read, one row written (with write intent, as the
    lesson page does) and a small Jinja template rendered: what a lesson page does at least.
"""

from __future__ import annotations

from flask import Flask, abort
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, func, insert

from lms.accounts.models import User
from lms.app import create_app
from lms.core.db import db, writes

metadata = MetaData()
#: The baseline (b) writes here (created by bench/run.py before the server starts).
hits = Table(
    "bench_hit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("at", DateTime(timezone=True), server_default=func.now()),
)

PAGE = """<!doctype html><html lang="nl"><head><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><p>{{ user.full_name }} ({{ user.preferred_language }})</p>
<ul>{% for n in range(5) %}<li>Deel {{ n + 1 }}</li>{% endfor %}</ul></main></body></html>"""


def add_baselines(app: Flask) -> Flask:
    template = app.jinja_env.from_string(PAGE)

    def read(user_id: int):
        user = db.session.get(User, user_id)
        if user is None:
            abort(404)
        return user.full_name, 200, {"Content-Type": "text/plain; charset=utf-8"}

    @writes
    def write(user_id: int):
        user = db.session.get(User, user_id)
        if user is None:
            abort(404)
        db.session.execute(insert(hits).values(user_id=user.id))
        db.session.commit()
        return template.render(title="Baseline", user=user)

    # Named like the LMS's own endpoints, so write intent is decided as for its pages:
    # (a) reads without it, (b) declares it (BEGIN IMMEDIATE on SQLite), as the lesson does.
    app.add_url_rule("/_bench/read/<int:user_id>", "lms.bench_read", read)
    app.add_url_rule("/_bench/write/<int:user_id>", "lms.bench_write", write)
    return app


app = add_baselines(create_app())
