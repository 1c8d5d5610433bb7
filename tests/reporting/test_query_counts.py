"""Reports are queries, not loops: the dashboard and the people table run the same small
number of SQL statements for 10 people and for 1,000 (measured: see the bounds below)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from lms.accounts.models import User
from lms.core.db import db
from lms.learning.models import Completion, Enrolment, SectionVisit
from tests.conftest import login
from tests.reporting.conftest import department

#: Statements per page, including the login's user and role look-ups (measured: 10 and 11).
DASHBOARD_MAX = 10
PEOPLE_TABLE_MAX = 11


def _seed(app, organisation, dept, course, count: int) -> None:
    """``count`` people enrolled with mixed progress, inserted in bulk (the query count does
    not depend on how the rows were made)."""
    now = datetime.now(UTC)
    with app.app_context():
        session = db.session
        first = (session.scalar(select(User.id).order_by(User.id.desc()).limit(1)) or 0) + 1
        session.execute(
            insert(User),
            [
                {
                    "full_name": f"Bulk {n}",
                    "email": f"bulk{count}-{n}@example.be",
                    "organisation_id": organisation.id,
                    "department_id": dept.id,
                    "kind": "staff",
                }
                for n in range(count)
            ],
        )
        ids = session.scalars(
            select(User.id).where(User.id >= first, User.email.like(f"bulk{count}-%"))
        ).all()
        session.execute(
            insert(Enrolment),
            [
                {
                    "user_id": user_id,
                    "course_id": course.course_id,
                    "source": "assignment",
                    "mandatory": n % 2 == 0,
                    "due_source": "rule",
                    "due_at": now + timedelta(days=n % 60 - 20),
                }
                for n, user_id in enumerate(ids)
            ],
        )
        sections = [s.id for s in course.sections]
        session.execute(
            insert(SectionVisit),
            [
                {"user_id": user_id, "course_id": course.course_id, "section_id": sid}
                for n, user_id in enumerate(ids)
                for sid in sections[: n % (len(sections) + 1)]
            ],
        )
        session.execute(
            insert(Completion),
            [
                {
                    "user_id": user_id,
                    "course_id": course.course_id,
                    "kind": "module",
                    "item_id": "m1",
                    "completed_at": now,
                }
                for n, user_id in enumerate(ids)
                if n % (len(sections) + 1) >= 2
            ],
        )
        session.commit()


@pytest.mark.parametrize("page", ["/progress/", "/progress/people?sort=percent&order=desc"])
def test_reports_do_not_grow_with_the_number_of_people(
    app, client, make_user, make_organisation, report_course, count_queries, page
):
    counts = {}
    for size in (10, 1000):
        organisation = make_organisation(f"Gemeente {size}", ("Onthaal",))
        dept = department(app, organisation, "Onthaal")
        _seed(app, organisation, dept, report_course, size)
        coordinator = make_user(manages=[organisation], roles=("manager",))
        visitor = app.test_client()
        login(visitor, coordinator)
        visitor.get(page)  # warm the course cache
        with count_queries() as counter:
            response = visitor.get(page)
        assert response.status_code == 200
        counts[size] = counter.count
        html = response.get_data(as_text=True)
        assert str(size) in html
    assert counts[10] == counts[1000], counts
    assert counts[1000] <= (DASHBOARD_MAX if page == "/progress/" else PEOPLE_TABLE_MAX), counts
