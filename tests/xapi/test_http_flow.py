"""The statements a real learner produces through the web pages are valid xAPI: by our own
checks and by the Ralph LRS's strict model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.authoring.importer import import_paths
from lms.catalog.queries import get_course_def
from lms.core.db import db
from lms.learning.models import Enrolment
from lms.xapi.models import XapiStatement
from lms.xapi.validation import problems
from tests.conftest import csrf_token, login
from tests.learning.conftest import course_yaml
from tests.xapi.ralph import validate_with_ralph

ADL = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture
def walked(app, client, make_user, tmp_path: Path):
    """A learner enrols and reads all of module 1 (2 lessons x 3 sections) by HTTP."""
    folder = tmp_path / "courses"
    folder.mkdir()
    (folder / "flow.yaml").write_text(course_yaml("flow", 2), encoding="utf-8")
    with app.app_context():
        import_paths(db.session, [folder], certificates_dir=None)
        db.session.commit()
        course = get_course_def(db.session, "flow")
    user = make_user(language="fr")
    login(client, user)
    client.post("/courses/flow/enrol", data={"csrf_token": csrf_token(client, "/courses/flow")})
    module_1 = [s.id for s in course.sections if s.module_id == "m1"]
    for section_id in module_1:
        assert client.get(f"/courses/flow/learn/{section_id}").status_code == 200
    with app.app_context():
        payloads = [
            json.loads(p)
            for p in db.session.scalars(
                select(XapiStatement.payload)
                .where(XapiStatement.user_id == user.id)
                .order_by(XapiStatement.id)
            )
        ]
        registration = db.session.scalars(select(Enrolment.registration)).one()
    return payloads, str(registration), user, module_1


def test_the_walk_produces_the_expected_statements(walked):
    payloads, registration, user, sections = walked
    verbs = [p["verb"]["id"] for p in payloads]
    assert verbs.count(ADL + "experienced") == len(sections) == 6
    assert verbs.count(ADL + "progressed") == 6
    completed = [p["object"]["id"] for p in payloads if p["verb"]["id"] == ADL + "completed"]
    assert any(i.endswith("/m1-e") for i in completed)  # the e-learning
    assert any(i.endswith("/module/m1") for i in completed)  # the module
    assert "http://adlnet.gov/expapi/verbs/satisfied" in verbs or any(
        v.endswith("/satisfied") for v in verbs
    )
    assert not any(i.endswith("/module/m2") for i in completed)
    for payload in payloads:
        assert payload["context"]["registration"] == registration
        assert payload["actor"]["account"]["name"] == str(user.public_id)
        assert "mbox" not in payload["actor"] and "@" not in json.dumps(payload["actor"])
        assert "version" not in payload
        assert payload["context"]["language"] == "fr"
    progress = [
        p["result"]["extensions"] for p in payloads if p["verb"]["id"] == ADL + "progressed"
    ]
    values = [next(iter(ext.values())) for ext in progress]
    assert values == [33, 67, 100, 33, 67, 100]


def test_every_statement_passes_our_checks(walked):
    payloads, *_ = walked
    assert {i: problems(p) for i, p in enumerate(payloads) if problems(p)} == {}


@pytest.mark.lrs
def test_every_statement_passes_ralphs_strict_model(walked, ralph_python):
    payloads, *_ = walked
    assert len(payloads) >= 15
    assert validate_with_ralph(ralph_python, payloads) == []
