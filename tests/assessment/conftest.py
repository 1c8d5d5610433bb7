"""A question bank with every question type, courses with a test, and helpers to take it."""

from __future__ import annotations

import re

import pytest

from lms.assessment import services
from lms.core.db import db
from tests.conftest import csrf_token, login
from tests.learning import conftest as learning
from tests.learning.conftest import course_yaml

import_course = learning.import_course  # the fixture, for the tests of this folder

#: One question of every type; ``KEYS`` below gives a second set of answer keys.
BANK = """\
id: {bank}
title: {{nl: Alle soorten, fr: Tous les types}}
languages: [nl, fr]
questions:
  - id: sc
    type: single_choice
    prompt: {{nl: "Wat is CSAM?", fr: "Qu'est-ce que CSAM ?"}}
    tags: [csam]
    explanation: {{nl: De sleutel tot de overheid., fr: La clé des services publics.}}
    choices:
      - id: a
        text: {{nl: Een aanmeldsysteem, fr: Un système de connexion}}
        correct: {sc_a}
        feedback: {{nl: Juist, fr: Exact}}
      - id: b
        text: {{nl: Een bank, fr: Une banque}}
        correct: {sc_b}
        feedback: {{nl: Nee, fr: Non}}
      - {{id: c, text: {{nl: Een winkel, fr: Un magasin}}}}
  - id: mc
    type: multiple_choice
    prompt: {{nl: "Welke zijn apps?", fr: "Lesquelles sont des applications ?"}}
    tags: [apps]
    choices:
      - {{id: itsme, text: {{nl: itsme, fr: itsme}}, correct: {mc_itsme}}}
      - {{id: ebox, text: {{nl: My eBox, fr: My eBox}}, correct: true}}
      - {{id: brief, text: {{nl: Een brief, fr: Une lettre}}, correct: {mc_brief}}}
      - {{id: fax, text: {{nl: Een fax, fr: Un fax}}}}
  - id: tf
    type: true_false
    prompt: {{nl: itsme is gratis., fr: itsme est gratuit.}}
    tags: [apps]
    answer: {tf}
    feedback_correct: {{nl: Goed zo., fr: Bien.}}
    feedback_incorrect: {{nl: Helaas., fr: Dommage.}}
  - id: match
    type: matching
    prompt: {{nl: Koppel elke vraag aan de dienst., fr: Associez chaque question au service.}}
    items:
      - {{id: pensioen, text: {{nl: Pensioen, fr: Pension}}, match: {m1}}}
      - {{id: belasting, text: {{nl: Belastingen, fr: Impôts}}, match: {m2}}}
    options:
      - {{id: mypension, text: {{nl: mypension.be, fr: mypension.be}}}}
      - {{id: myminfin, text: {{nl: MyMinfin, fr: MyMinfin}}}}
      - {{id: ebox, text: {{nl: My eBox, fr: My eBox}}}}
  - id: order
    type: ordering
    prompt: {{nl: Zet de stappen in volgorde., fr: Mettez les étapes dans l'ordre.}}
    items:
{order_items}
  - id: short
    type: short_answer
    prompt:
      nl: "Hoe heet de app om je aan te melden?"
      fr: "Comment s'appelle l'application pour se connecter ?"
    accepted: [{accepted}]
  - id: number
    type: short_answer
    prompt: {{nl: "Hoeveel cijfers heeft een pincode?", fr: "Combien de chiffres a un code PIN ?"}}
    number: {number}
    tolerance: 0
"""

ORDER_ITEMS = [
    "      - {id: open, text: {nl: Open de app, fr: Ouvrez l'application}}",
    "      - {id: scan, text: {nl: Scan de code, fr: Scannez le code}}",
    "      - {id: pin, text: {nl: Tik je pincode, fr: Tapez votre code PIN}}",
]

KEYS = {
    "sc_a": "true",
    "sc_b": "false",
    "mc_itsme": "true",
    "mc_brief": "false",
    "tf": "true",
    "m1": "mypension",
    "m2": "myminfin",
    "order_items": "\n".join(ORDER_ITEMS),
    "accepted": "itsme, it's me",
    "number": "4",
}
#: The same bank with other answer keys (for the answer-leak tests).
OTHER_KEYS = {
    "sc_a": "false",
    "sc_b": "true",
    "mc_itsme": "false",
    "mc_brief": "true",
    "tf": "false",
    "m1": "myminfin",
    "m2": "mypension",
    "order_items": "\n".join(reversed(ORDER_ITEMS)),
    "accepted": "CSAM, eID",
    "number": "6",
}


def bank_yaml(bank: str = "alles", keys: dict | None = None) -> str:
    return BANK.format(bank=bank, **(keys or KEYS))


def activity_yaml(bank: str = "alles", **settings) -> str:
    lines = [
        "      - id: m1-test",
        "        type: test",
        "        title: {nl: Test module 1, fr: Test du module 1}",
        f"        quiz: {bank}",
    ]
    lines += [f"        {key}: {value}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def make_test(import_course):
    """``make_test(slug="toets", **settings)`` imports a course whose module 1 has a test
    ``m1-test`` on the all-types bank (settings as YAML values, e.g. pass_mark="0.5")."""

    def make(slug: str = "toets", bank: str = "alles", keys: dict | None = None, **settings):
        text = course_yaml(
            slug, 1, lessons=1, sections=1, extra_activities=activity_yaml(bank, **settings)
        )
        return import_course(text, banks={bank: bank_yaml(bank, keys)})

    return make


#: Right answers to every question of the bank (form data per question id), with ``KEYS``.
RIGHT = {
    "sc": {"answer": ["a"]},
    "mc": {"answer": ["itsme", "ebox"]},
    "tf": {"answer": ["true"]},
    "match": {"match-pensioen": ["mypension"], "match-belasting": ["myminfin"]},
    "order": {"position-open": ["1"], "position-scan": ["2"], "position-pin": ["3"]},
    "short": {"answer": ["ItsMe "]},
    "number": {"answer": ["4"]},
}
WRONG = {
    "sc": {"answer": ["c"]},
    "mc": {"answer": ["brief", "fax"]},
    "tf": {"answer": ["false"]},
    "match": {"match-pensioen": ["ebox"], "match-belasting": ["mypension"]},
    "order": {"position-open": ["3"], "position-scan": ["2"], "position-pin": ["1"]},
    "short": {"answer": ["CSAM"]},
    "number": {"answer": ["5"]},
}


class Learner:
    """A learner taking a course's test through the pages, like a browser without JS."""

    def __init__(self, app, client, user, slug: str = "toets", activity: str = "m1-test"):
        self.app, self.client, self.user = app, client, user
        self.base = f"/courses/{slug}/tests/{activity}"
        self.slug = slug

    def enrol(self) -> None:
        response = self.post(f"/courses/{self.slug}/enrol", {}, page=f"/courses/{self.slug}")
        assert response.status_code == 302

    def post(self, url: str, data: dict, page: str | None = None):
        token = csrf_token(self.client, page or "/login")
        return self.client.post(url, data={**data, "csrf_token": token})

    def start(self):
        return self.post(f"{self.base}/start", {}, page=self.base)

    def attempt_number(self, html: str) -> str:
        match = re.search(r'name="attempt" value="(\d+)"', html)
        assert match, "no attempt number in the page"
        return match.group(1)

    def question_ids(self) -> list[str]:
        """The question ids of the open attempt, in the order shown."""
        with self.app.app_context():
            attempt = _open_attempt(self.user.id)
            assert attempt is not None, "no open attempt"
            return [q["id"] for q in attempt.questions]

    def answer(self, number: int, data: dict, go: str = "next"):
        page = f"{self.base}/question?n={number}"
        html = self.client.get(page).get_data(as_text=True)
        form = {**data, "attempt": self.attempt_number(html), "go": go}
        return self.post(page, form, page=page)

    def answer_all(self, answers: dict[str, dict]) -> None:
        for number, qid in enumerate(self.question_ids(), start=1):
            response = self.answer(number, answers.get(qid, {}))
            assert response.status_code == 302, response.get_data(as_text=True)

    def submit(self):
        html = self.client.get(f"{self.base}/review").get_data(as_text=True)
        return self.post(
            f"{self.base}/submit",
            {"attempt": self.attempt_number(html)},
            page=f"{self.base}/review",
        )


def _open_attempt(user_id: int):
    from sqlalchemy import select

    from lms.assessment.models import OPEN, Attempt

    return db.session.scalar(
        select(Attempt).where(Attempt.user_id == user_id, Attempt.status == OPEN)
    )


@pytest.fixture
def learner(app, client, make_user):
    """``learner(slug)``: a new person, logged in and enrolled in course ``slug``."""

    def make(slug: str = "toets", user=None, the_client=None):
        user = user or make_user()
        the_client = the_client or client
        login(the_client, user)
        person = Learner(app, the_client, user, slug)
        person.enrol()
        return person

    return make


@pytest.fixture
def fixed_seed(monkeypatch):
    """Every attempt draws and shuffles with the same seed."""
    monkeypatch.setattr(services, "new_seed", lambda: 1234)
