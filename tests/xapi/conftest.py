"""Fixtures of the xAPI tests: a course, a learner, fake and real LRSs, a committing app."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.app import create_app
from lms.catalog.readmodel import CourseDef
from lms.core.db import db
from lms.xapi import builder
from tests.xapi.fake_lrs import FakeLRS
from tests.xapi.learner import enrol, import_course


@dataclass
class Learner:
    user: Any
    enrolment: Any


@pytest.fixture
def course(app: Flask, tmp_path: Path) -> CourseDef:
    with app.app_context():
        course = import_course(db.session, tmp_path / "content")
        db.session.commit()
        return course


@pytest.fixture
def make_learner(app: Flask, make_user, course: CourseDef) -> Callable[..., Learner]:
    def make(**kwargs: Any) -> Learner:
        user = make_user(**kwargs)
        with app.app_context():
            enrolment = enrol(db.session, user, course)
            db.session.commit()
        return Learner(user, enrolment)

    return make


AT = datetime(2024, 5, 1, 8, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def who(make_learner):
    learner = make_learner(language="fr")
    return {"enrolment": learner.enrolment, "user": learner.user}


def every_statement(course, who) -> dict[str, dict]:
    section = course.sections_by_id["s2"]
    lesson = course.lessons_by_id["l1"]
    elearning = course.activities_by_id["m1-elearning"]
    forum = course.activities_by_id["m1-forum"]
    module = course.modules_by_id["m1"]
    common = {**who, "course": course, "at": AT}
    score = builder.Score(raw=7, max=10)
    return {
        "experienced": builder.section_experienced(section=section, **common),
        "progressed": builder.lesson_progressed(lesson=lesson, progress=0.5, **common),
        "completed": builder.activity_completed(activity=elearning, **common),
        "module completed": builder.module_completed(module=module, **common),
        "module satisfied": builder.module_satisfied(module=module, **common),
        "course completed": builder.course_completed(**common),
        "course satisfied": builder.course_satisfied(**common),
        "answered": builder.answered(
            activity=elearning,
            bank="demo-bank",
            question_id="q1",
            prompt={"nl": "Wat is CSAM?", "fr": "Qu'est-ce que CSAM ?"},
            interaction_type="choice",
            response="b",
            success=True,
            **common,
        ),
        "passed": builder.passed(
            activity=elearning, score=score, duration=timedelta(seconds=95.456), **common
        ),
        "failed": builder.failed(activity=elearning, score=builder.Score(3, 10), **common),
        "commented": builder.commented(activity=forum, **common),
        "attended": builder.attended(activity=forum, duration=timedelta(hours=1.5), **common),
        "earned": builder.earned(
            certificate_id=uuid.UUID(int=7), name={"nl": "Getuigschrift"}, **common
        ),
    }


@pytest.fixture
def fake_lrs() -> Iterator[FakeLRS]:
    lrs = FakeLRS().start()
    yield lrs
    lrs.stop()


def rows(session: Session) -> list:
    from lms.xapi.models import XapiStatement

    return list(session.scalars(select(XapiStatement).order_by(XapiStatement.id)))


# A real Ralph LRS ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def ralph_python() -> Path:
    """Ralph's own interpreter (its venv is built on first use, then reused)."""
    from tests.xapi.ralph import ensure_venv

    return ensure_venv()


@pytest.fixture
def ralph(ralph_python: Path, tmp_path: Path):
    from tests.xapi.ralph import RalphLRS

    lrs = RalphLRS(ralph_python, tmp_path / "ralph")
    lrs.start()
    yield lrs
    lrs.stop()


@pytest.fixture
def live_app(tmp_path: Path) -> Callable[..., Flask]:
    """An app on its own SQLite file that really commits (workers run beside web requests),
    unlike ``app`` whose test transaction is rolled back."""
    from lms.core.migrate import upgrade

    def make(**config: Any) -> Flask:
        instance = tmp_path / "live-instance"
        app = create_app(
            {
                "TESTING": True,
                "LMS_INSTANCE_PATH": str(instance),
                "LMS_DATABASE_URL": f"sqlite:///{instance / 'live.sqlite3'}",
                "LMS_DEMO": "no",
                "LMS_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
                **config,
            }
        )
        upgrade(app)
        return app

    return make
