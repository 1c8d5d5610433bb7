"""The reports' fast paths give what the plain computation gives (issue 19).

The reports load the sections each person opened as one joined string per (person, course)
instead of a row per visit; they compute the engine without the lessons' states
(``tests/learning/test_engine.py`` compares that on varied records). Here: the loaded records
equal the facts read row by row, on varied data in two courses, including a visit of a
section that the current version no longer has.
"""

from __future__ import annotations

import random

from sqlalchemy import select

from lms.core.db import db
from lms.learning import services as learning
from lms.learning.models import SectionVisit
from lms.learning.queries import load_records_for


def test_the_sections_opened_are_the_visits_read_row_by_row(
    app, make_user, towns, report_course, second_course
):
    de_panne, _ = towns
    chance = random.Random(19)
    people = [make_user(organisation=de_panne) for _ in range(6)]
    with app.app_context():
        session = db.session
        for index, user in enumerate(people):
            person = session.get(type(user), user.id)
            for course in (report_course, second_course)[: 1 + index % 2]:
                enrolment, _ = learning.enrol(session, person, course)
                ids = [s.id for s in course.sections]
                for section in chance.sample(ids, chance.randint(0, len(ids))):
                    learning.open_section(session, enrolment, person, course, section)
        # A visit kept from an older version of the course (its section is gone now).
        session.add(
            SectionVisit(
                user_id=people[0].id, course_id=report_course.course_id, section_id="gone-s1"
            )
        )
        session.commit()
        courses = {c.course_id: c for c in (report_course, second_course)}
        ids = [p.id for p in people]
        loaded = load_records_for(session, ids, list(courses), courses)
        expected: dict[tuple[int, int], set[str]] = {}
        for user_id, course_id, section_id in session.execute(
            select(SectionVisit.user_id, SectionVisit.course_id, SectionVisit.section_id)
        ):
            expected.setdefault((user_id, course_id), set()).add(section_id)
        assert len(expected) >= 4
        assert {
            key: set(r.visited_sections) for key, r in loaded.items() if r.visited_sections
        } == expected
