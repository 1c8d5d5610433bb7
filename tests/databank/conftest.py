"""Fixtures of the databank tests: a small collection of resources imported for real."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.authoring.importer import import_paths
from lms.core.db import db

FIXTURES = Path(__file__).resolve().parent / "resources"


@pytest.fixture
def imported(app):
    """The fixture resources, imported through ``import_paths`` and committed."""
    with app.app_context():
        report = import_paths(db.session, [FIXTURES], certificates_dir=None)
        db.session.commit()
    return report


COURSE = """\
id: {slug}
title: {{nl: Cursus met materiaal, fr: Cours avec du matériel}}
languages: [nl, fr]
modules:
  - id: m1
    title: {{nl: Module 1, fr: Module 1}}
    activities:
      - id: m1-e
        type: elearning
        title: {{nl: E-learning, fr: E-learning}}
        lessons:
          - id: l1
            title: {{nl: Les 1, fr: Leçon 1}}
            sections:
              - id: s1
                title: {{nl: Deel 1, fr: Partie 1}}
                body: {{nl: Tekst, fr: Texte}}
                resources: [{resources}]
"""


def course_with_resources(folder: Path, slug: str, resources: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.yaml"
    path.write_text(COURSE.format(slug=slug, resources=resources), encoding="utf-8")
    return path
