"""Writes for people: creating, changing roles, moving, deactivating (flush only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from lms.accounts import backoff, policy
from lms.accounts.models import PERSON_KINDS, ROLES, SCOPED_ROLES, RoleAssignment, User
from lms.accounts.passwords import verify_password
from lms.core import audit, signals
from lms.core.db import utcnow
from lms.core.i18n import gettext as _

if TYPE_CHECKING:  # organisations sits above accounts: no import at run time
    from lms.organisations.models import Department, Organisation


class AccountError(ValueError):
    """A change to an account that cannot be made; the message is shown to the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RoleSpec:
    role: str
    organisation_id: int | None = None


def normalise_login(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    return value or None


def find_by_login(session: Session, identifier: str) -> User | None:
    identifier = normalise_login(identifier) or ""
    return session.scalars(
        select(User).where(or_(User.email == identifier, User.username == identifier))
    ).first()


def login_taken(session: Session, value: str, *, except_user_id: int | None = None) -> bool:
    query = (
        select(func.count())
        .select_from(User)
        .where(or_(User.email == value, User.username == value))
    )
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    return bool(session.scalar(query))


def authenticate(
    session: Session, identifier: str, password: str, *, address: str | None = None
) -> User | None:
    """The active user with this login and password, or None (whatever the reason).

    Exactly one password check whatever the reason for a refusal (unknown name, deactivated,
    no password yet, wrong password): the time taken does not tell which accounts exist.
    Every sign-in and every failure is written to the audit trail (a failure names the
    account when there is one, never the name typed).
    """
    user = find_by_login(session, identifier)
    if user is None or not user.active:
        verify_password(None, password)  # the same work as for a known account
        audit.record(
            session, "user.login_failed", "user", user.id if user else None, address=address
        )
        return None
    if not user.check_password(password):  # without a password: checked against a dummy
        audit.record(session, "user.login_failed", "user", user.id, address=address)
        return None
    if policy.password_refused(session, user):  # their organisation signs them in itself
        audit.record(
            session, "user.login_failed", "user", user.id, address=address, reason="sso_only"
        )
        return None
    user.last_login_at = utcnow()
    audit.record(session, "user.login", "user", user.id, actor_id=user.id, address=address)
    session.flush()
    return user


def _check_department(organisation: Organisation | None, department: Department | None) -> None:
    if department is not None and (
        organisation is None or department.organisation_id != organisation.id
    ):
        raise AccountError(_("The department does not belong to the organisation."), "department")


def create_user(
    session: Session,
    *,
    full_name: str,
    email: str | None = None,
    username: str | None = None,
    password: str | None = None,
    organisation: Organisation | None = None,
    department: Department | None = None,
    roles: Iterable[RoleSpec] = (RoleSpec("learner"),),
    language: str = "nl",
    kind: str = "staff",
    actor: User | None = None,
) -> User:
    email, username = normalise_login(email), normalise_login(username)
    if kind not in PERSON_KINDS:
        raise AccountError(_("A person is staff or a volunteer."), "kind")
    if not email and not username:
        raise AccountError(_("Give an e-mail address or a username."), "email")
    for value, field in ((email, "email"), (username, "username")):
        if value and login_taken(session, value):
            raise AccountError(
                _("%(value)s is already used by another account.", value=value), field
            )
    _check_department(organisation, department)
    user = User(
        full_name=full_name.strip(),
        email=email,
        username=username,
        organisation=organisation,
        department=department,
        preferred_language=language,
        kind=kind,
    )
    if password:
        user.set_password(password)
    session.add(user)
    session.flush()
    set_roles(session, user, roles, actor=actor, record=False)
    audit.record(
        session,
        "user.create",
        "user",
        user.id,
        actor_id=actor.id if actor else None,
        roles=sorted(user.roles),
    )
    signals.user_created.send(user, actor=actor)
    return user


def set_roles(
    session: Session,
    user: User,
    roles: Iterable[RoleSpec],
    *,
    actor: User | None = None,
    record: bool = True,
) -> None:
    wanted = set()
    for spec in roles:
        if spec.role not in ROLES:
            raise AccountError(_("Unknown role: %(role)s.", role=spec.role), "roles")
        if (spec.role in SCOPED_ROLES) != (spec.organisation_id is not None):
            raise AccountError(_("A manager must be given the organisations they manage."), "roles")
        wanted.add((spec.role, spec.organisation_id))
    current = {(a.role, a.organisation_id): a for a in user.role_assignments}
    for key, assignment in current.items():
        if key not in wanted:
            user.role_assignments.remove(assignment)
    for role, org_id in sorted(wanted - current.keys(), key=str):
        user.role_assignments.append(RoleAssignment(role=role, organisation_id=org_id))
    session.flush()
    if record and wanted != current.keys():
        # Every change of roles is in the audit trail: who, whose, before and after.
        audit.record(
            session,
            "user.roles",
            "user",
            user.id,
            actor_id=actor.id if actor else None,
            old=_role_names(current.keys()),
            roles=_role_names(wanted),
        )


def _role_names(roles: Iterable[tuple[str, int | None]]) -> list[str]:
    return sorted(f"{r}:{o}" if o else r for r, o in roles)


def update_profile(
    session: Session,
    user: User,
    *,
    full_name: str,
    email: str | None,
    username: str | None,
    language: str,
    kind: str | None = None,
    actor: User | None = None,
) -> None:
    """Change what a person or an administrator may change; ``kind`` (staff or volunteer)
    only when given."""
    email, username = normalise_login(email), normalise_login(username)
    if not email and not username:
        raise AccountError(_("Give an e-mail address or a username."), "email")
    if kind is not None and kind not in PERSON_KINDS:
        raise AccountError(_("A person is staff or a volunteer."), "kind")
    for value, field in ((email, "email"), (username, "username")):
        if value and login_taken(session, value, except_user_id=user.id):
            raise AccountError(
                _("%(value)s is already used by another account.", value=value), field
            )
    user.full_name, user.email, user.username = full_name.strip(), email, username
    user.preferred_language = language
    details = {}
    if kind is not None and kind != user.kind:
        details["kind"] = kind
        user.kind = kind
    session.flush()
    audit.record(
        session, "user.update", "user", user.id, actor_id=actor.id if actor else None, **details
    )


def move_user(
    session: Session,
    user: User,
    organisation: Organisation | None,
    department: Department | None,
    *,
    actor: User | None = None,
) -> None:
    """A mover changes organisation or department; their records (keyed by the person) stay
    theirs."""
    _check_department(organisation, department)
    old, old_department = user.organisation, user.department
    user.organisation, user.department = organisation, department
    session.flush()
    if old is not organisation:
        audit.record(
            session,
            "user.move",
            "user",
            user.id,
            actor_id=actor.id if actor else None,
            old_organisation_id=old.id if old else None,
            new_organisation_id=organisation.id if organisation else None,
        )
    elif old_department is not department:
        audit.record(
            session,
            "user.department",
            "user",
            user.id,
            actor_id=actor.id if actor else None,
            old_department_id=old_department.id if old_department else None,
            new_department_id=department.id if department else None,
        )
    if old is not organisation or old_department is not department:
        signals.user_moved.send(
            user,
            old_organisation=old,
            new_organisation=organisation,
            old_department=old_department,
            new_department=department,
            actor=actor,
        )


def deactivate_user(session: Session, user: User, *, actor: User | None = None) -> None:
    """A leaver: they can no longer log in; everything they did is kept."""
    if actor is not None and actor.id == user.id:
        raise AccountError(_("You cannot deactivate your own account."))
    if not user.active:
        return
    user.active = False
    user.deactivated_at = utcnow()
    session.flush()
    audit.record(session, "user.deactivate", "user", user.id, actor_id=actor.id if actor else None)
    signals.user_deactivated.send(user, actor=actor)


def reactivate_user(session: Session, user: User, *, actor: User | None = None) -> None:
    if user.active:
        return
    user.active = True
    user.deactivated_at = None
    session.flush()
    audit.record(session, "user.reactivate", "user", user.id, actor_id=actor.id if actor else None)


def end_sessions(session: Session, user: User) -> None:
    """End every session of ``user``, on every browser (``accounts.login.load_user`` refuses
    sessions of an older generation). Logout uses it, so logging out at a shared counter PC
    also logs the person out everywhere else; a password change or reset uses it too."""
    user.session_generation = (user.session_generation or 0) + 1
    session.flush()


def change_password(session: Session, user: User, new_password: str) -> None:
    """Set a new password and end the person's sessions; a view that wants to keep the
    current one signs it in again (``accounts.login.start_session``)."""
    user.set_password(new_password)
    end_sessions(session, user)
    backoff.clear(session, user)  # a new password ends any wait after failed sign-ins
    audit.record(session, "user.password", "user", user.id, actor_id=user.id)
