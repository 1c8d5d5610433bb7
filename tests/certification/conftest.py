"""Fixtures of the certificate tests: a small course that gives a certificate, and a way to
complete it as a learner through the real learning services (which fire the listener)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask

from lms.catalog.readmodel import CourseDef
from lms.certification.models import Certificate
from lms.certification.services import first_certificate
from lms.core.db import db
from lms.learning import services as learning
from tests.learning.conftest import course_yaml, import_course  # noqa: F401 (fixture)

#: Debian tools the tests read PDFs with (poppler-utils, zbar-tools).
TOOLS = ("pdftotext", "pdffonts", "pdftoppm", "zbarimg")


def certified_course_yaml(
    slug: str,
    *,
    valid_for_months: int | None = 36,
    sections: int = 1,
    extra_activities: str = "",
    title: str | None = None,
) -> str:
    text = course_yaml(
        slug, 1, lessons=1, sections=sections, extra_activities=extra_activities, title=title
    )
    months = f", valid_for_months: {valid_for_months}" if valid_for_months else ""
    line = f"certificate: {{template: connectoo{months}}}"
    return text.replace("enrolment: open\n", f"enrolment: open\n{line}\n", 1)


@pytest.fixture
def certified_course(import_course) -> CourseDef:  # noqa: F811
    return import_course(certified_course_yaml("cert-course", title="Digitale inclusie"))


@pytest.fixture
def complete(app: Flask) -> Callable[..., Certificate | None]:
    """``complete(user, course, at=None)`` enrols the user and opens every section, committing like
    the player does; returns the user's first certificate of the course (or None)."""

    def run(user, course: CourseDef, at: datetime | None = None) -> Certificate | None:
        with app.app_context():
            session = db.session
            person = session.get(type(user), user.id)
            enrolment, _ = learning.enrol(session, person, course)
            for section in course.sections:
                learning.open_section(session, enrolment, person, course, section.id, at=at)
            session.commit()
            certificate = first_certificate(session, person.id, course.course_id)
            if certificate is not None:
                certificate.key  # noqa: B018 (load it while the session is open)
            return certificate

    return run


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"install Debian's {'zbar-tools' if name == 'zbarimg' else 'poppler-utils'}"
    return path


def run_tool(*args: str | Path) -> str:
    result = subprocess.run(
        [tool(str(args[0])), *map(str, args[1:])], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout
