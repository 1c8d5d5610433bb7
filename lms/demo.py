"""The demo: two municipalities with their counters, coordinators, learners and staff.

Seeded by ``lms run`` into a new default instance (see ``LMS_DEMO`` in lms/config.py), never
into a database the operator configured unless they ask for it.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.accounts.services import RoleSpec, create_user
from lms.organisations.services import create_organisation

#: One password for every demo account; it satisfies the password rules.
DEMO_PASSWORD = "connectoo-demo-2026"

DEPARTMENTS = ["Onthaal", "Sociaal huis", "Burgerzaken"]

#: (organisation, e-mail local part, name, department, language, extra roles)
DEMO_PEOPLE = [
    ("De Panne", "els.peeters", "Els Peeters", "Onthaal", "nl", ()),
    ("De Panne", "tom.declercq", "Tom Declercq", "Burgerzaken", "nl", ()),
    ("De Panne", "nadia.elamrani", "Nadia El Amrani", "Sociaal huis", "nl", ()),
    ("De Panne", "sophie.dubois", "Sophie Dubois", "Onthaal", "fr", ()),
    ("De Panne", "an.vermeulen", "An Vermeulen", "Sociaal huis", "nl", ("manager",)),
    ("Koksijde", "pieter.maes", "Pieter Maes", "Burgerzaken", "nl", ()),
    ("Koksijde", "lucas.martin", "Lucas Martin", "Onthaal", "fr", ()),
    ("Koksijde", "fatma.yilmaz", "Fatma Yilmaz", "Sociaal huis", "nl", ()),
    ("Koksijde", "bart.wouters", "Bart Wouters", "Burgerzaken", "nl", ("manager",)),
]

DOMAINS = {"De Panne": "depanne.demo", "Koksijde": "koksijde.demo"}


class DemoError(RuntimeError):
    pass


def should_seed_demo(app: Flask, state, database_was_new: bool) -> bool:
    setting = str(app.config.get("LMS_DEMO", "auto")).lower()
    if setting in {"no", "false", "0", "off"}:
        return False
    if setting in {"yes", "true", "1", "on"}:
        return database_was_new
    return database_was_new and not state.database_configured


def seed_demo(session: Session) -> list[User]:
    if session.scalar(select(func.count()).select_from(User)):
        raise DemoError("the database already has people in it; the demo was not added")
    organisations = {
        name: create_organisation(session, name, departments=DEPARTMENTS) for name in DOMAINS
    }
    people = []
    for org_name, local, name, dept_name, language, extra in DEMO_PEOPLE:
        org = organisations[org_name]
        department = next(d for d in org.departments if d.name == dept_name)
        roles = [RoleSpec("learner")] + [RoleSpec("manager", org.id) for _ in extra]
        people.append(
            create_user(
                session,
                full_name=name,
                email=f"{local}@{DOMAINS[org_name]}",
                password=DEMO_PASSWORD,
                organisation=org,
                department=department,
                roles=roles,
                language=language,
            )
        )
    people.append(
        create_user(
            session,
            full_name="Tina Trainer",
            email="trainer@connectoo.demo",
            password=DEMO_PASSWORD,
            roles=[RoleSpec("trainer"), RoleSpec("learner")],
        )
    )
    people.append(
        create_user(
            session,
            full_name="Alex Admin",
            email="admin@connectoo.demo",
            username="admin",
            password=DEMO_PASSWORD,
            roles=[RoleSpec("admin")],
            language="nl",
        )
    )
    return people
