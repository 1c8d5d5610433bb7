"""Completing a course issues one signed, immutable certificate and an ``earned`` statement."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from lms.certification import documents, services, signing
from lms.certification.codes import ALPHABET, format_code, new_code, normalise_code
from lms.certification.models import Certificate, ImmutableCertificate
from lms.certification.summary import build_summary
from lms.core.db import db
from lms.learning import engine
from lms.xapi import builder
from lms.xapi.models import XapiStatement
from lms.xapi.vocabulary import VERBS
from tests.certification.conftest import certified_course_yaml
from tests.learning.conftest import course_yaml


def test_codes_are_unambiguous_and_forgiving():
    assert not set("01OILU") & set(ALPHABET) and len(ALPHABET) == 30
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(len(c) == 12 for c in codes)
    assert format_code("K7QM2XRD9TPA") == "K7QM-2XRD-9TPA"
    for typed in ("K7QM-2XRD-9TPA", "k7qm 2xrd 9tpa", " K7QM2XRD9TPA ", "k7qm\u20132xrd\u20139tpa"):
        assert normalise_code(typed) == "K7QM2XRD9TPA"
    for wrong in ("", "K7QM-2XRD-9TP", "K7QM-2XRD-9TPAA", "K7QM-2XRD-9TP0", "<script>"):
        assert normalise_code(wrong) is None


def test_completion_issues_one_certificate_with_the_record(
    app, make_user, certified_course, complete
):
    user = make_user(name="François Lefèvre", language="fr")
    certificate = complete(user, certified_course)
    assert certificate is not None
    assert certificate.holder_name == "François Lefèvre"
    assert certificate.language == "fr"
    assert certificate.course_title == "Digitale inclusie"  # the course's title in French
    assert certificate.template == "connectoo" and certificate.issuer == "Connectoo"
    assert certificate.course_version == certified_course.version_number
    assert certificate.edition == 1 and certificate.status == "valid"
    with app.app_context():
        completed = services.local_day(certificate.completed_at)
        assert certificate.valid_until == services.add_months(completed, 36)
        assert certificate.summary == {"modules_completed": 1, "modules_total": 1, "tests": []}
        payload = json.loads(certificate.payload)
        assert payload["holder"] == "François Lefèvre"
        assert payload["code"] == certificate.display_code
        assert payload["course"] == {
            "id": "cert-course",
            "title": "Digitale inclusie",
            "version": 1,
        }
        assert payload["verify_url"] == (
            f"http://127.0.0.1/certificates/verify?code={certificate.display_code}"
        )
        check = signing.verify_document(
            documents.signed_document_of(certificate, certificate.key.kid),
            signing.known_keys(db.session),
        )
        assert check.ok and check.payload == payload
        # Completing again (another section visit, a second call) issues nothing new.
        enrolment = services.Enrolment
        again, created = services.issue_certificate(
            db.session,
            db.session.scalar(select(enrolment).where(enrolment.user_id == user.id)),
            db.session.get(type(user), user.id),
            certified_course,
            completed_at=certificate.completed_at,
        )
        assert not created and again.id == certificate.id
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_earned_statement_goes_out_once(app, make_user, certified_course, complete):
    certificate = complete(make_user(language="nl"), certified_course)
    with app.app_context():
        rows = db.session.scalars(
            select(XapiStatement.payload).where(XapiStatement.verb == VERBS["earned"])
        ).all()
        assert len(rows) == 1
        statement = json.loads(rows[0])
        assert statement["object"]["id"].endswith(f"/certificate/{certificate.public_id}")
        assert statement["object"]["definition"]["name"]["nl"] == "Getuigschrift Digitale inclusie"
        assert statement["context"]["contextActivities"]["parent"][0]["id"].endswith(
            "/course/cert-course"
        )


def test_no_certificate_for_a_course_without_one(make_user, import_course, complete):
    course = import_course(course_yaml("plain", 1, lessons=1, sections=1))
    assert course.certificate_template is None
    assert complete(make_user(), course) is None


def test_the_record_cannot_be_changed(app, make_user, certified_course, complete):
    certificate = complete(make_user(name="Zoë Vandenbroucke"), certified_course)
    with app.app_context():
        stored = db.session.get(Certificate, certificate.id)
        stored.holder_name = "Someone Else"
        with pytest.raises(ImmutableCertificate):
            db.session.flush()
        db.session.rollback()
        stored = db.session.get(Certificate, certificate.id)
        stored.status = "revoked"  # the status fields may change
        stored.revocation_reason = "test"
        db.session.flush()


def test_validity_is_optional_and_months_end_well(app, import_course, make_user, complete):
    course = import_course(certified_course_yaml("no-end", valid_for_months=None))
    assert complete(make_user(), course).valid_until is None
    assert services.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert services.add_months(date(2023, 11, 30), 36) == date(2026, 11, 30)


BANK = """id: cert-bank
title: {nl: Vragen, fr: Questions}
languages: [nl, fr]
questions:
  - id: q1
    type: true_false
    prompt: {nl: Klopt dit?, fr: Est-ce exact ?}
    answer: true
"""


def test_summary_lists_tests_with_scores_when_there_are_any(app, import_course):
    """Built from the engine's states; scores only when a ``passed`` statement gave one."""
    extra = (
        "      - {id: m1-test, type: test, title: {nl: Eindtest, fr: Test final}, "
        "quiz: cert-bank}\n"
    )
    course = import_course(
        certified_course_yaml("scored", extra_activities=extra), banks={"cert-bank": BANK}
    )
    records = engine.LearnerRecords(
        visited_sections=frozenset(s.id for s in course.sections),
        completions={("activity", "m1-test"): datetime(2024, 5, 1, tzinfo=UTC)},
    )
    state = engine.compute(course, records)
    summary = build_summary(course, state, "fr", {"m1-test": 0.8333})
    assert summary["tests"] == [{"id": "m1-test", "title": "Test final", "score": 0.8333}]
    assert summary["modules_completed"] == 1
    assert build_summary(course, state, "nl", {})["tests"][0]["score"] is None
    # A test not passed yet is not listed.
    state = engine.compute(course, engine.LearnerRecords())
    assert build_summary(course, state, "nl", {})["tests"] == []


def test_best_score_comes_from_passed_statements(app, make_user, certified_course, complete):
    from lms.certification.summary import best_scores

    user = make_user()
    complete(user, certified_course)
    with app.app_context():
        enrolment = db.session.scalar(
            select(services.Enrolment).where(services.Enrolment.user_id == user.id)
        )
        person = db.session.get(type(user), user.id)
        fake_test = certified_course.activities_by_id["m1-e"]
        for raw in (6, 9):
            statement = builder.passed(
                enrolment=enrolment,
                user=person,
                course=certified_course,
                activity=fake_test,
                score=builder.Score(raw=raw, max=10),
                at=datetime.now(UTC),
            )
            builder.enqueue(db.session, statement, user_id=person.id, enrolment_id=enrolment.id)
        assert best_scores(db.session, enrolment.id, certified_course) == {"m1-e": 0.9}


def test_a_code_already_taken_is_drawn_again(
    app, make_user, certified_course, complete, monkeypatch
):
    first = complete(make_user(), certified_course)
    drawn = iter([first.code, "K7QM2XRD9TPA"])
    monkeypatch.setattr(services.codes, "new_code", lambda: next(drawn))
    second = complete(make_user(), certified_course)
    assert second.code == "K7QM2XRD9TPA" and second.display_code in second.payload
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2
