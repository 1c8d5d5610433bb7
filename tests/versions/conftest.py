"""A pair of versions of a small course and its bank, written to a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

COURSE = """\
id: dry
title: {{nl: Proef, fr: Essai}}
languages: [nl, fr]
{head}modules:
{modules}
"""

MODULE_1 = """\
  - id: m1
    title: Module 1
    activities:
      - id: e1
        type: elearning
        title: E-learning 1
        lessons:
          - id: les-a
            title: Les A
            sections:
{sections_a}
          - id: les-b
            title: Les B
            sections:
{sections_b}
      - id: t1
        type: test
        title: Test
        quiz: bank-a
"""

MODULE_2 = """\
  - id: m2
    title: Module 2
    activities:
      - id: e2
        type: elearning
        title: E-learning 2
        lessons:
          - id: les-c
            title: Les C
            sections:
              - {id: s5, title: Vijf, body: Tekst vijf.}
"""

BANK = """\
id: bank-a
title: Vragen
languages: [nl, fr]
questions:
{questions}
"""


def _sections(items: list[tuple[str, str]]) -> str:
    return "\n".join(f"              - {{id: {i}, title: {t}, body: Tekst {i}.}}" for i, t in items)


def _questions(items: list[tuple[str, str]]) -> str:
    return "\n".join(
        f"  - {{id: {i}, type: true_false, prompt: {{nl: {p}, fr: {p}}}, answer: true}}"
        for i, p in items
    )


class Content:
    """Writes version 1 or version 2 of the course and the bank into ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.courses = root / "courses"
        self.quizzes = root / "quizzes"
        self.certificates = root / "certificates"
        for folder in (self.courses, self.quizzes, self.certificates):
            folder.mkdir(parents=True, exist_ok=True)

    def write(self, version: int, *, head: str = "") -> None:
        if version == 1:
            module_1 = MODULE_1.format(
                sections_a=_sections([("s1", "Een"), ("s2", "Twee"), ("s3", "Drie")]),
                sections_b=_sections([("s4", "Vier")]),
            )
            modules = module_1 + MODULE_2
            questions = [("q1", "Een"), ("q2", "Twee"), ("q3", "Drie")]
        else:
            # s2 removed, s3 retitled, s4 moved to les-a, s6 added; m2 (e2, les-c, s5) removed.
            modules = MODULE_1.format(
                sections_a=_sections([("s1", "Een"), ("s3", "Drie (herzien)"), ("s4", "Vier")]),
                sections_b=_sections([("s6", "Zes")]),
            )
            # q1 removed, q2 reworded, q4 added.
            questions = [("q2", "Twee (herzien)"), ("q3", "Drie"), ("q4", "Vier")]
        text = COURSE.format(head=head, modules=modules)
        (self.courses / "dry.yaml").write_text(text, "utf-8")
        (self.quizzes / "bank-a.yaml").write_text(BANK.format(questions=_questions(questions)))

    @property
    def paths(self) -> list[Path]:
        return [self.courses, self.quizzes]

    def configure(self, app: Flask) -> Flask:
        app.config.update(
            LMS_COURSES_PATH=str(self.courses),
            LMS_QUIZZES_PATH=str(self.quizzes),
            LMS_CERTIFICATES_PATH=str(self.certificates),
        )
        return app


@pytest.fixture
def content(tmp_path: Path) -> Content:
    return Content(tmp_path / "content")
