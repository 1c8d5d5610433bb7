"""Fixtures of the cmi5 tests: the demo course's files and the export command."""

from __future__ import annotations

import contextlib
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from lxml import etree

from lms.commands import lms_group
from tests.cmi5.content import write_content

# A real Ralph LRS and Ralph's own Python (its strict statement model), as the xAPI tests use.
from tests.xapi.conftest import ralph, ralph_python  # noqa: F401

HERE = Path(__file__).resolve().parent
XSD = HERE / "CourseStructure.xsd"


@pytest.fixture(scope="session")
def course_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


@pytest.fixture
def content(tmp_path: Path) -> tuple[Path, Path]:
    """The demo course and quiz folders (tests may change them before exporting)."""
    return write_content(tmp_path / "content")


@pytest.fixture
def export(app: Flask, content: tuple[Path, Path], tmp_path: Path) -> Callable[..., Result]:
    """``export("cmi5-demo", "m1", "--output", ...)``: runs ``lms export cmi5`` on the
    content folders, in the working folder ``tmp_path / "work"``."""
    courses, quizzes = content

    def run(*args: str, courses_path: Path = courses) -> Result:
        app.config["LMS_COURSES_PATH"] = str(courses_path)
        app.config["LMS_QUIZZES_PATH"] = str(quizzes)
        work = tmp_path / "work"
        work.mkdir(exist_ok=True)
        with contextlib.chdir(work):
            return app.test_cli_runner().invoke(lms_group, ["export", "cmi5", *args])

    return run


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
