"""Plain-language names for the audit log's codes: what was done (``action``) and what it was
about (``target_type``), for the viewer and its exports.

Every code that ``lms.core.audit.record`` is called with in ``lms/`` has a label here (a test
scans the source for them). A code without one (older entries, a plugin's action) is shown
as itself, so nothing is ever hidden.
"""

from __future__ import annotations

from typing import Any

from lms.core.i18n import lazy_gettext as _l

#: What was done, by action code.
ACTION_LABELS: dict[str, Any] = {
    # People and accounts
    "user.login": _l("Signed in"),
    "user.login_failed": _l("Sign-in failed"),
    "user.create": _l("Account created"),
    "user.sso_created": _l("Account created at the first sign-in with the organisation's account"),
    "user.update": _l("Account details changed"),
    "user.roles": _l("Roles changed"),
    "user.move": _l("Moved to another organisation"),
    "user.department": _l("Moved to another department"),
    "user.deactivate": _l("Account deactivated"),
    "user.reactivate": _l("Account reactivated"),
    "user.password": _l("Password changed"),
    "user.invite": _l("Invitation sent"),
    "user.invitation_accepted": _l("Invitation accepted"),
    "user.reset_request": _l("New password asked for"),
    "user.reset": _l("New password set with a reset link"),
    "user.erase": _l("Personal data erased"),
    "test_accommodation_set": _l("Extra time for tests changed"),
    # Organisations and departments
    "organisation.create": _l("Organisation created"),
    "organisation.update": _l("Organisation changed"),
    "organisation.sso": _l("Sign-in with the organisation's own accounts set up"),
    "organisation.sso_off": _l("Sign-in with the organisation's own accounts turned off"),
    "department.create": _l("Department created"),
    "department.rename": _l("Department renamed"),
    "department.plan_time": _l("Learning time of the department set"),
    "department.plan_time_cleared": _l("Learning time of the department removed"),
    "plan_experiment.start": _l("Plan prompt experiment started"),
    "plan_experiment.stop": _l("Plan prompt experiment stopped"),
    # Assignments, certificates and counter labels
    "assignment_rule.create": _l("Assignment rule created"),
    "assignment_rule.update": _l("Assignment rule changed"),
    "assignment_rule.end": _l("Assignment rule ended"),
    "certificate.revoked": _l("Certificate revoked"),
    "certificate.reissued": _l("Certificate issued again"),
    "label.grant": _l("Counter label granted"),
    "label.warn": _l("Counter label at risk: coordinators warned"),
    "label.recover": _l("Counter label no longer at risk"),
    "label.withdraw": _l("Counter label withdrawn"),
    # Live sessions and forums
    "live_session.create": _l("Live session planned"),
    "live_session.edit": _l("Live session changed"),
    "live_session.cancel": _l("Live session cancelled"),
    "live_session.attendance": _l("Attendance of a live session recorded"),
    "forum_post.hide": _l("Forum post hidden"),
    "forum_post.restore": _l("Forum post shown again"),
    "forum_thread.pin": _l("Forum thread pinned to the top"),
    "forum_thread.unpin": _l("Forum thread no longer pinned"),
    "forum_thread.lock": _l("Forum thread closed"),
    "forum_thread.unlock": _l("Forum thread opened again"),
    "forum_report.resolve": _l("Forum report closed"),
    # Reports and learning records
    "report.export": _l("Report downloaded"),
    "xapi.retry": _l("Sending learning records (xAPI) tried again"),
}

#: What an entry is about, by target type.
TARGET_LABELS: dict[str, Any] = {
    "user": _l("Person"),
    "organisation": _l("Organisation"),
    "department": _l("Department"),
    "assignment_rule": _l("Assignment rule"),
    "certificate": _l("Certificate"),
    "counter_label": _l("Counter label"),
    "live_session": _l("Live session"),
    "forum_post": _l("Forum post"),
    "forum_thread": _l("Forum thread"),
    "forum_report": _l("Forum report"),
    "plan_experiment": _l("Plan prompt experiment"),
    "report": _l("Report"),
    "xapi_issue": _l("Learning records (xAPI)"),
}


def action_label(code: str) -> str:
    """What ``code`` means, in the current language; an unknown code is shown as itself."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def target_label(target_type: str) -> str:
    """What ``target_type`` is, in the current language; an unknown type is shown as itself."""
    label = TARGET_LABELS.get(target_type)
    return str(label) if label is not None else target_type


def by_label(codes: list[str], label: Any) -> list[tuple[str, str]]:
    """``(code, label)`` pairs in the order of their labels (for a filter's options)."""
    pairs = [(code, label(code)) for code in codes]
    return sorted(pairs, key=lambda pair: (pair[1].casefold(), pair[0]))
