"""``lms sessions add`` and ``lms sessions list``."""

from __future__ import annotations

from sqlalchemy import select

from lms.core.db import db
from lms.live.models import LiveSession


def test_add_and_list(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "lms",
            "sessions",
            "add",
            world.course.slug,
            "terugkom",
            "--start",
            "2031-10-30 09:00",
            "--place",
            "Gemeentehuis De Panne",
            "--organisation",
            "De Panne",
            "--capacity",
            "12",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "2031-10-30 09:00-11:00" in result.output and "De Panne" in result.output
    with app.app_context():
        live = db.session.scalars(select(LiveSession)).one()
        assert live.starts_at.hour == 8  # 09:00 in Brussels in winter time is 08:00 UTC
        assert live.capacity == 12 and live.organisation_id == world.de_panne.id
    result = runner.invoke(
        args=[
            "lms",
            "sessions",
            "add",
            world.course.slug,
            "webinar-1",
            "--start",
            "2031-07-01 14:00",
            "--link",
            "https://meet.example.be/w",
        ]
    )
    assert result.exit_code == 0 and "2 seats" in result.output  # the YAML's capacity
    listing = runner.invoke(args=["lms", "sessions", "list", world.course.slug]).output
    assert "terugkom 2031-10-30 09:00 0/12 De Panne" in listing
    assert "webinar-1 2031-07-01 14:00 0/2 everyone" in listing


def test_add_refuses_mistakes(app, world):
    runner = app.test_cli_runner()
    for args, expected in [
        (["nope", "terugkom", "--start", "2031-10-30 09:00"], "no course"),
        ([world.course.slug, "m1-e", "--start", "2031-10-30 09:00"], "not a webinar"),
        ([world.course.slug, "terugkom", "--start", "30 oktober"], "YYYY-MM-DD"),
        (
            [
                world.course.slug,
                "webinar-1",
                "--start",
                "2031-10-30 09:00",
                "--link",
                "http://x.be",
            ],
            "https://",
        ),
        (
            [
                world.course.slug,
                "terugkom",
                "--start",
                "2031-10-30 09:00",
                "--organisation",
                "Atlantis",
            ],
            "no organisation",
        ),
    ]:
        result = runner.invoke(args=["lms", "sessions", "add", *args])
        assert result.exit_code != 0 and expected in result.output, (args, result.output)
