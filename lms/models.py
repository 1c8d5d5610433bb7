"""Imports every model module so that the metadata knows all tables (for Alembic and tests)."""

import importlib

MODEL_MODULES = [
    "lms.organisations.models",
    "lms.accounts.models",
    "lms.accounts.tokens",
    "lms.accounts.backoff",
    "lms.core.audit",
    "lms.mail.models",
    "lms.catalog.models",
    "lms.learning.models",
    "lms.xapi.models",
    "lms.certification.models",
    "lms.assessment.models",
    "lms.forums.models",
    "lms.live.models",
    "lms.assignments.models",
    "lms.reminders.models",
    "lms.plans.models",
    "lms.reporting.models",
    "lms.labels.models",
    "lms.sso.models",
    "lms.databank.models",
    "lms.lti.models",
]

for _name in MODEL_MODULES:
    importlib.import_module(_name)
