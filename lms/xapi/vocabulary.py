"""The verbs, activity types and extensions the LMS uses (ADL, cmi5, tincanapi.com)."""

from __future__ import annotations

ADL_VERB = "http://adlnet.gov/expapi/verbs/"
#: Our name of a verb -> its IRI. The name is also its English display.
VERBS: dict[str, str] = {
    "experienced": ADL_VERB + "experienced",
    "progressed": ADL_VERB + "progressed",
    "completed": ADL_VERB + "completed",
    "answered": ADL_VERB + "answered",
    "passed": ADL_VERB + "passed",
    "failed": ADL_VERB + "failed",
    "commented": ADL_VERB + "commented",
    "attended": ADL_VERB + "attended",
    # cmi5's verb for "the completion rule of this block or course is met".
    "satisfied": "https://w3id.org/xapi/adl/verbs/satisfied",
    "earned": "http://id.tincanapi.com/verb/earned",
    # Sent by the LMS itself when a person is erased (object: a StatementRef).
    "voided": ADL_VERB + "voided",
}

ADL_ACTIVITY = "http://adlnet.gov/expapi/activities/"
#: Kind of item -> activity type IRI. Activities of a module appear under their type in the
#: course file (elearning, test, forum, webinar, session).
ACTIVITY_TYPES: dict[str, str] = {
    "course": ADL_ACTIVITY + "course",
    "module": ADL_ACTIVITY + "module",
    "lesson": ADL_ACTIVITY + "lesson",
    "section": "http://id.tincanapi.com/activitytype/page",
    "question": ADL_ACTIVITY + "question",
    "certificate": "http://id.tincanapi.com/activitytype/certificate",
    "elearning": "https://w3id.org/xapi/cmi5/activitytype/block",
    "test": ADL_ACTIVITY + "assessment",
    "forum": "http://id.tincanapi.com/activitytype/discussion",
    "webinar": ADL_ACTIVITY + "meeting",
    "session": ADL_ACTIVITY + "meeting",
}
#: The type of an activity whose kind is not listed above (a future activity type).
OTHER_ACTIVITY_TYPE = "http://id.tincanapi.com/activitytype/resource"

#: cmi5's progress in percent (an integer 0-100), in ``result.extensions``.
PROGRESS_EXTENSION = "https://w3id.org/xapi/cmi5/result/extensions/progress"

#: xAPI's interaction types, for questions.
INTERACTION_TYPES = frozenset(
    {
        "true-false",
        "choice",
        "fill-in",
        "long-fill-in",
        "matching",
        "performance",
        "sequencing",
        "likert",
        "numeric",
        "other",
    }
)
