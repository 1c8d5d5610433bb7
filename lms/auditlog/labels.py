"""Plain-language names for the audit log's codes: what was done (``action``), what it was
about (``target_type``) and the names of its details, for the viewer and its exports.

Every code that ``lms.core.audit.record`` is called with in ``lms/`` has a label here (a test
scans the source for them). A code without one (older entries, a plugin's action) is shown
as itself, so nothing is ever hidden.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from lms.core.i18n import gettext as _
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
    "badge.refused": _l("A changed or foreign digital badge was refused"),
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
    # Courses
    "course.published": _l("Course version published"),
    "xapi.retry": _l("Sending learning records (xAPI) tried again"),
    # LTI (other learning platforms that open this one)
    "user.lti_created": _l("Account created at the first visit from another learning platform"),
    "lti.registration_added": _l("Learning platform (LTI) registered"),
    "lti.registration_changed": _l("Learning platform (LTI) changed"),
    "lti.launch_refused": _l("Visit from another learning platform refused"),
}

#: What an entry is about, by target type.
TARGET_LABELS: dict[str, Any] = {
    "user": _l("Person"),
    "organisation": _l("Organisation"),
    "department": _l("Department"),
    "assignment_rule": _l("Assignment rule"),
    "certificate": _l("Certificate"),
    "counter_label": _l("Counter label"),
    "badge_credential": _l("Digital badge"),
    "live_session": _l("Live session"),
    "forum_post": _l("Forum post"),
    "forum_thread": _l("Forum thread"),
    "forum_report": _l("Forum report"),
    "plan_experiment": _l("Plan prompt experiment"),
    "report": _l("Report"),
    "course": _l("Course"),
    "xapi_issue": _l("Learning records (xAPI)"),
    "lti_registration": _l("Learning platform (LTI)"),
}


#: The names of the details entries carry, by key (the exports keep the keys themselves).
DETAIL_LABELS: dict[str, Any] = {
    "address": _l("Network address"),
    "step": _l("Step"),
    "issuer": _l("Platform ID (issuer)"),
    "client_id": _l("Client ID"),
    "deployments": _l("Deployment IDs"),
    "registration": _l("Learning platform (number)"),
    "active": _l("Allowed"),
    "roles": _l("Roles"),
    "kind": _l("Staff member or volunteer"),
    "old": _l("Before"),
    "new": _l("After"),
    "before": _l("Before"),
    "version": _l("Version"),
    "via": _l("How"),
    "after": _l("After"),
    "old_organisation_id": _l("Organisation before (number)"),
    "new_organisation_id": _l("Organisation after (number)"),
    "old_department_id": _l("Department before (number)"),
    "new_department_id": _l("Department after (number)"),
    "extra_time_percent": _l("Extra time, in percent"),
    "no_time_limit": _l("No time limit"),
    "code": _l("Certificate code"),
    "new_code": _l("New certificate code"),
    "reason": _l("Reason"),
    "old_name": _l("Name before"),
    "new_name": _l("Name after"),
    "thread_id": _l("Forum thread (number)"),
    "author_id": _l("Writer of the post (number)"),
    "post_id": _l("Forum post (number)"),
    "course_id": _l("Course"),
    "activity_id": _l("Activity"),
    "starts_at": _l("Starts at"),
    "organisation_id": _l("Organisation (number)"),
    "department_id": _l("Department (number)"),
    "user_id": _l("Person (number)"),
    "changes": _l("What changed"),
    "promoted": _l("Moved up from the waiting list (numbers)"),
    "told": _l("People told by e-mail"),
    "registered": _l("Registered people"),
    "waiting": _l("People on the waiting list"),
    "people": _l("People (numbers)"),
    "expires_at": _l("Valid until"),
    "sent": _l("E-mail sent"),
    "name": _l("Name"),
    "level": _l("Level"),
    "parent_id": _l("Part of (number)"),
    "share": _l("Share of people"),
    "report": _l("Report"),
    "format": _l("File type"),
    "filters": _l("Filters"),
    "rows": _l("Rows"),
    "organisations": _l("Organisations (numbers)"),
    "provider": _l("Sign-in service"),
    "domains": _l("E-mail domains"),
    "create_accounts": _l("Create accounts at the first sign-in"),
    "passwords_off": _l("Passwords turned off"),
    "method": _l("Way of signing in"),
    "detail": _l("More details"),
    "all": _l("All"),
    "issues": _l("Problems (numbers)"),
    "count": _l("Number"),
    "weekdays": _l("Days of the week"),
    "start_time": _l("Start time"),
    "minutes": _l("Minutes"),
    "staff": _l("Staff members"),
    "certified": _l("Staff members with a valid certificate"),
    "mandatory": _l("Mandatory"),
    "due_kind": _l("Kind of deadline"),
    "due_date": _l("Due date"),
    "due_days": _l("Days to finish"),
    "renew_on_expiry": _l("Again when the certificate expires"),
    "outcome": _l("Outcome"),
    "kid": _l("Signing key"),
    "credential_id": _l("Badge id"),
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


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value is None:
        return _("none")
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return ", ".join(str(v) for v in value) if value else _("none")
    return json.dumps(value, ensure_ascii=False)


def detail_items(details: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """An entry's details as ``(name, value)`` to read: a known key by its label (an
    unknown one as itself), yes and no in words, a list of names or numbers with commas."""
    return [
        (str(DETAIL_LABELS[key]) if key in DETAIL_LABELS else key, _value_text(value))
        for key, value in (details or {}).items()
    ]
