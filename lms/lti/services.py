"""Writes of the LTI tool: registrations, the person a launch signs in, where their results
go, and the scores owed (flush only; the view or command commits)."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.accounts.services import (
    AccountError,
    RoleSpec,
    create_user,
    find_by_login,
    normalise_login,
)
from lms.assessment.models import SUBMITTED, Attempt
from lms.catalog.readmodel import CourseDef
from lms.core import audit
from lms.core.db import utcnow
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.core.urls import external_url
from lms.learning.models import Completion
from lms.learning.services import enrol
from lms.lti import claims as c
from lms.lti.keys import sign
from lms.lti.launch import LtiRefused
from lms.lti.models import (
    LtiAccount,
    LtiDeployment,
    LtiGradeLink,
    LtiRegistration,
    LtiScore,
)
from lms.organisations.models import Organisation


class RegistrationError(ValueError):
    """A registration that cannot work; ``field`` names the form field (or option)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def clean_url(value: str, field: str) -> str:
    value = (value or "").strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 1000:
        raise RegistrationError(
            str(_l("Give a full web address that starts with https://.")), field
        )
    return value


def clean_deployments(text: str | Iterable[str]) -> list[str]:
    parts = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    ids: list[str] = []
    for part in parts:
        part = part.strip()
        if part and part not in ids:
            if len(part) > 255:
                raise RegistrationError(
                    str(_l("A deployment id is at most 255 characters.")), "deployment_ids"
                )
            ids.append(part)
    if not ids:
        raise RegistrationError(
            str(_l("Give at least one deployment id (the platform shows it).")), "deployment_ids"
        )
    return ids


def save_registration(
    session: Session,
    registration: LtiRegistration | None,
    *,
    name: str,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    deployment_ids: Iterable[str] | str,
    organisation: Organisation,
    active: bool = True,
    actor_id: int | None = None,
) -> LtiRegistration:
    """Add a registration (``registration`` None) or change one; audited."""
    issuer = (issuer or "").strip()
    client_id = (client_id or "").strip()
    if not issuer or len(issuer) > 255:
        raise RegistrationError(str(_l("Give the platform's issuer (a web address).")), "issuer")
    if not client_id or len(client_id) > 255:
        raise RegistrationError(
            str(_l("Give the client id the platform made for us.")), "client_id"
        )
    urls = {
        "auth_login_url": clean_url(auth_login_url, "auth_login_url"),
        "auth_token_url": clean_url(auth_token_url, "auth_token_url"),
        "key_set_url": clean_url(key_set_url, "key_set_url"),
    }
    deployments = clean_deployments(deployment_ids)
    clash = session.scalar(
        select(LtiRegistration.id).where(
            LtiRegistration.issuer == issuer,
            LtiRegistration.client_id == client_id,
            LtiRegistration.id != (registration.id if registration else -1),
        )
    )
    if clash is not None:
        raise RegistrationError(
            str(_l("This platform and client id are registered already.")), "client_id"
        )
    created = registration is None
    registration = registration or LtiRegistration()
    registration.name = (name or "").strip()[:200] or issuer[:200]
    registration.issuer = issuer
    registration.client_id = client_id
    for key, value in urls.items():
        setattr(registration, key, value)
    registration.organisation = organisation
    registration.active = active
    keep = {d.deployment_id: d for d in registration.deployments}
    registration.deployments = [keep.get(d) or LtiDeployment(deployment_id=d) for d in deployments]
    session.add(registration)
    session.flush()
    audit.record(
        session,
        "lti.registration_added" if created else "lti.registration_changed",
        "lti_registration",
        registration.id,
        actor_id=actor_id,
        issuer=issuer,
        client_id=client_id,
        deployments=deployments,
        organisation_id=organisation.id,
        active=active,
    )
    return registration


# The launched person -----------------------------------------------------------------------


def _refuse(reason: str, status: int, registration: LtiRegistration, detail: str = ""):
    return LtiRefused(
        reason, status, detail, issuer=registration.issuer, registration_id=registration.id
    )


def person_for_launch(
    session: Session, registration: LtiRegistration, claims: dict[str, Any]
) -> User:
    """The person a verified launch is for: known by the platform's ``sub``, else by e-mail
    address in the registration's organisation, else new in that organisation."""
    subject = claims["sub"]
    account = session.scalar(
        select(LtiAccount).where(
            LtiAccount.issuer == registration.issuer, LtiAccount.subject == subject
        )
    )
    user = session.get(User, account.user_id) if account is not None else None
    email = normalise_login(str(claims.get("email") or ""))
    if user is None and email and "@" in email:
        user = find_by_login(session, email)
        if user is not None and user.organisation_id != registration.organisation_id:
            raise _refuse("other_organisation", 403, registration, f"user {user.id}")
    if user is not None and (not user.active or user.erased_at is not None):
        raise _refuse("deactivated", 403, registration, f"user {user.id}")
    if user is None:
        user = _new_person(session, registration, claims, email)
    elif account is None:
        session.add(LtiAccount(issuer=registration.issuer, subject=subject, user_id=user.id))
    user.last_login_at = utcnow()
    audit.record(
        session,
        "user.login",
        "user",
        user.id,
        actor_id=user.id,
        method="lti",
        registration=registration.id,
    )
    session.flush()
    return user


def _new_person(
    session: Session, registration: LtiRegistration, claims: dict[str, Any], email: str | None
) -> User:
    """A new learner in the registration's organisation, linked to the platform's ``sub``.
    Two first launches of the same person at once (two tabs): the unique keys let one
    create the account, and the other finds it."""
    subject = claims["sub"]
    languages = current_app.config["LMS_LANGUAGES"]
    locale = str(claims.get("locale") or "").replace("_", "-").split("-")[0].lower()
    name = str(claims.get("name") or "").strip()
    if not name:
        name = " ".join(
            str(claims.get(k) or "").strip() for k in ("given_name", "family_name")
        ).strip()
    usable_email = email if email and "@" in email and len(email) <= 254 else None
    digest = hashlib.sha256(f"{registration.issuer}\n{subject}".encode()).hexdigest()
    try:
        with session.begin_nested():
            user = create_user(
                session,
                full_name=(name or (usable_email or "").partition("@")[0] or "LTI")[:200],
                email=usable_email,
                username=None if usable_email else f"lti-{digest[:24]}",
                organisation=registration.organisation,
                roles=(RoleSpec("learner"),),
                language=locale if locale in languages else languages[0],
            )
            session.add(LtiAccount(issuer=registration.issuer, subject=subject, user_id=user.id))
            session.flush()
    except (IntegrityError, AccountError) as exc:
        account = session.scalar(
            select(LtiAccount).where(
                LtiAccount.issuer == registration.issuer, LtiAccount.subject == subject
            )
        )
        found = session.get(User, account.user_id) if account is not None else None
        if found is None:
            raise _refuse("no_user", 403, registration, type(exc).__name__) from exc
        return found
    audit.record(
        session, "user.lti_created", "user", user.id, actor_id=user.id, registration=registration.id
    )
    return user


def start_learning(
    session: Session,
    registration: LtiRegistration,
    user: User,
    course: CourseDef,
    module_id: str | None,
    claims: dict[str, Any],
) -> LtiGradeLink | None:
    """Enrol the launched learner and remember where their results go (when the launch
    carries a line item with the score scope)."""
    enrol(session, user, course, source="lti")
    endpoint = claims.get(c.AGS_ENDPOINT)
    resource_link = claims.get(c.RESOURCE_LINK)
    if not isinstance(endpoint, dict) or not isinstance(resource_link, dict):
        return None
    lineitem = endpoint.get("lineitem")
    scopes = [s for s in endpoint.get("scope") or [] if isinstance(s, str)]
    link_id = resource_link.get("id")
    if not isinstance(lineitem, str) or c.AGS_SCORE_SCOPE not in scopes or not link_id:
        return None
    link = session.scalar(
        select(LtiGradeLink).where(
            LtiGradeLink.registration_id == registration.id,
            LtiGradeLink.user_id == user.id,
            LtiGradeLink.resource_link_id == str(link_id)[:255],
        )
    )
    link = link or LtiGradeLink(
        registration_id=registration.id, user_id=user.id, resource_link_id=str(link_id)[:255]
    )
    link.course_id = course.course_id
    link.module_id = module_id
    link.subject = claims["sub"]
    link.lineitem_url = lineitem[:1000]
    link.scopes = scopes
    link.updated_at = utcnow()
    session.add(link)
    session.flush()
    return link


# Scores ------------------------------------------------------------------------------------


def result_in_scope(
    session: Session, user_id: int, course: CourseDef, module_id: str | None
) -> float | None:
    """The mean of the best scaled score of each test in the course or module (a test not
    taken counts 0); None when there is no test there."""
    modules = [course.modules_by_id[module_id]] if module_id else list(course.modules)
    tests = [a.id for m in modules for a in m.activities if a.type == "test"]
    if not tests:
        return None
    best = dict(
        session.execute(
            select(Attempt.activity_id, func.max(Attempt.scaled_score))
            .where(
                Attempt.user_id == user_id,
                Attempt.course_id == course.course_id,
                Attempt.activity_id.in_(tests),
                Attempt.status == SUBMITTED,
            )
            .group_by(Attempt.activity_id)
        ).all()
    )
    return sum(float(best.get(t) or 0.0) for t in tests) / len(tests)


def _completed(session: Session, user_id: int, course: CourseDef, module_id: str | None) -> bool:
    kind, item = ("module", module_id) if module_id else ("course", course.slug)
    return (
        session.scalar(
            select(Completion.id).where(
                Completion.user_id == user_id,
                Completion.course_id == course.course_id,
                Completion.kind == kind,
                Completion.item_id == item,
            )
        )
        is not None
    )


def queue_scores(
    session: Session,
    user_id: int,
    course: CourseDef,
    *,
    module_id: str | None,
    at: datetime,
    test_taken: bool = False,
) -> int:
    """Queue a score for the person's grade links that the event concerns: a test taken in
    ``module_id`` (links of that module and of the course), or a completion (of the module
    ``module_id``, or of the course when it is None: only the links of exactly that).

    The score is ``result_in_scope`` out of 100 (100 for a completed scope without tests);
    ``activityProgress`` is Completed once the scope's completion is recorded."""
    links = session.scalars(
        select(LtiGradeLink).where(
            LtiGradeLink.user_id == user_id, LtiGradeLink.course_id == course.course_id
        )
    ).all()
    queued = 0
    for link in links:
        wanted = (None, module_id) if test_taken else (module_id,)
        if link.module_id not in wanted:
            continue
        if link.module_id is not None and link.module_id not in course.modules_by_id:
            continue
        result = result_in_scope(session, user_id, course, link.module_id)
        completed = _completed(session, user_id, course, link.module_id)
        if result is None and not completed:
            continue
        payload = {
            "scoreGiven": 100.0 if result is None else round(result * 100, 2),
            "scoreMaximum": 100,
            "activityProgress": "Completed" if completed else "Submitted",
            "gradingProgress": "FullyGraded",
        }
        session.add(LtiScore(grade_link_id=link.id, payload=payload, timestamp=at))
        queued += 1
    if queued:
        session.flush()
    return queued


def tool_settings() -> list[tuple[str, str]]:
    """What an administrator pastes into the platform (docs/lti.md says where)."""
    return [
        (_("Tool URL (target link URI)"), external_url("lms.lti.launch")),
        (_("Login initiation URL"), external_url("lms.lti.login")),
        (_("Redirection URI (launch)"), external_url("lms.lti.launch")),
        (_("Deep linking URL (content selection)"), external_url("lms.lti.launch")),
        (_("Public keyset URL (JWKS)"), external_url("lms.lti.jwks")),
    ]


# Deep Linking ------------------------------------------------------------------------------


def resource_url(course_slug: str, module_id: str | None) -> str:
    if module_id:
        return external_url("lms.lti.module_resource", slug=course_slug, module_id=module_id)
    return external_url("lms.lti.course_resource", slug=course_slug)


def deep_linking_response(
    app: Flask,
    registration: LtiRegistration,
    context: dict[str, Any],
    items: list[dict[str, Any]],
) -> str:
    """The signed LtiDeepLinkingResponse JWT for ``items`` (tool -> platform)."""
    now = int(time.time())
    message: dict[str, Any] = {
        "iss": registration.client_id,
        "aud": [registration.issuer],
        "iat": now,
        "exp": now + 600,
        "nonce": secrets.token_urlsafe(24),
        c.MESSAGE_TYPE: c.DEEP_LINKING_RESPONSE,
        c.VERSION: "1.3.0",
        c.DEPLOYMENT_ID: context["deployment_id"],
        c.CONTENT_ITEMS: items,
    }
    if context.get("data") is not None:
        message[c.DL_DATA] = context["data"]
    return sign(app, message)


def resource_item(course: CourseDef, module_id: str | None, language: str) -> dict[str, Any]:
    """One ``ltiResourceLink`` content item: the later launch comes back to its URL and
    custom parameters (either is enough to find the course or module)."""
    title = course.text(course.title, language)
    custom = {"lms_course": course.slug}
    if module_id:
        module = course.modules_by_id[module_id]
        title = f"{title}: {course.text(module.title, language)}"
        custom["lms_module"] = module_id
    return {
        "type": "ltiResourceLink",
        "title": title[:255],
        "url": resource_url(course.slug, module_id),
        "custom": custom,
        "lineItem": {"scoreMaximum": 100, "label": title[:255]},
    }
