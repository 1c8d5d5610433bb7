"""Courses for the learning tests, written as YAML and imported through the real importer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event

from lms.authoring.importer import import_paths
from lms.catalog.queries import get_course_def
from lms.core.db import db


def course_yaml(
    slug: str,
    modules: list[list[list[str]]] | int,
    *,
    lessons: int = 2,
    sections: int = 3,
    enrolment: str = "open",
    extra_activities: str = "",
    title: str | None = None,
) -> str:
    """A course file: ``modules`` is either a count (each with ``lessons`` lessons of
    ``sections`` sections) or an explicit [[section ids per lesson] per module]."""
    if isinstance(modules, int):
        modules = [
            [
                [f"m{m}-l{lesson}-s{s}" for s in range(1, sections + 1)]
                for lesson in range(1, lessons + 1)
            ]
            for m in range(1, modules + 1)
        ]
    lines = [
        f"id: {slug}",
        f"title: {{nl: {title or 'Cursus ' + slug}, fr: {title or 'Cours ' + slug}}}",
        "languages: [nl, fr]",
        f"enrolment: {enrolment}",
        "modules:",
    ]
    for m, module in enumerate(modules, start=1):
        lines += [
            f"  - id: m{m}",
            f"    title: {{nl: Module {m}, fr: Module {m}}}",
            "    activities:",
            f"      - id: m{m}-e",
            "        type: elearning",
            f"        title: {{nl: E-learning {m}, fr: E-learning {m}}}",
            "        lessons:",
        ]
        for index, section_ids in enumerate(module, start=1):
            lines += [
                f"          - id: m{m}-l{index}",
                f"            title: {{nl: Les {m}.{index}, fr: Leçon {m}.{index}}}",
                "            sections:",
            ]
            for sid in section_ids:
                lines += [
                    f"              - id: {sid}",
                    f"                title: {{nl: Deel {sid}, fr: Partie {sid}}}",
                    f"                body: {{nl: 'Tekst van {sid}.', fr: 'Texte de {sid}.'}}",
                ]
        if extra_activities and m == 1:
            lines.append(extra_activities.rstrip("\n"))
    return "\n".join(lines) + "\n"


@pytest.fixture
def import_course(app: Flask, tmp_path: Path) -> Callable[..., object]:
    """Write ``text`` as courses/<slug>.yaml (plus optional bank files) and import it."""
    folder = tmp_path / "content"

    def do_import(text: str, banks: dict[str, str] | None = None):
        (folder / "courses").mkdir(parents=True, exist_ok=True)
        (folder / "quizzes").mkdir(parents=True, exist_ok=True)
        slug = text.split("\n", 1)[0].split(":", 1)[1].strip()
        (folder / "courses" / f"{slug}.yaml").write_text(text, encoding="utf-8")
        for name, bank in (banks or {}).items():
            (folder / "quizzes" / f"{name}.yaml").write_text(bank, encoding="utf-8")
        with app.app_context():
            import_paths(
                db.session,
                [
                    folder / "courses" / f"{slug}.yaml",
                    *[folder / "quizzes" / f"{n}.yaml" for n in banks or {}],
                ],
                certificates_dir=None,
            )
            db.session.commit()
            return get_course_def(db.session, slug)

    return do_import


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in {
            "SELECT",
            "INSERT",
            "UPDATE",
            "DELETE",
            "WITH",
        }:
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(engine):
    """``with count_queries() as counter: ...`` counts the SQL statements run."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting
