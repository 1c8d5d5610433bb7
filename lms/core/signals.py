"""The LMS's signals.

Every signal is sent by a service *inside* the database transaction of the change it
describes. Listeners may add rows and ``flush``; they must never commit or roll back, so that
the change and everything that follows from it commit together or not at all.
"""

from blinker import Namespace

_signals = Namespace()

user_created = _signals.signal(
    "user-created",
    doc="""A person was added (also by a CSV import). Sender: the new ``User``; kwargs:
    ``actor`` (User or None). Assignment rules listen (the person gets their assignments).""",
)

user_deactivated = _signals.signal(
    "user-deactivated",
    doc="""A person can no longer log in; their history stays. Sender: the ``User``;
    kwargs: ``actor``.""",
)

user_moved = _signals.signal(
    "user-moved",
    doc="""A person changed organisation or department and keeps their records. Sender: the
    ``User``; kwargs: ``old_organisation``, ``new_organisation``, ``old_department``,
    ``new_department``, ``actor``. Assignment rules listen (new rules apply, old ones end).""",
)

# Learning ------------------------------------------------------------------------------------
# Sender: the ``Enrolment``. Every learning signal carries ``user`` (User) and ``course``
# (``lms.catalog.readmodel.CourseDef`` of the version the learner saw) and ``at`` (the aware
# UTC time of the event).

enrolled = _signals.signal(
    "enrolled",
    doc="""A person was enrolled in a course. kwargs: user, course, at, actor (User or None:
    self-enrolment), source ("self", "manager", "admin", "assignment").""",
)

section_experienced = _signals.signal(
    "section-experienced",
    doc="""A learner opened a section of an e-learning. kwargs: user, course, at,
    section (SectionDef), lesson (LessonDef), activity (ActivityDef), module (ModuleDef),
    first_visit (bool).""",
)

lesson_progressed = _signals.signal(
    "lesson-progressed",
    doc="""A learner's progress in a lesson went up (a section opened for the first time).
    kwargs: user, course, at, lesson (LessonDef), activity, module, progress (float 0..1).""",
)

activity_completed = _signals.signal(
    "activity-completed",
    doc="""An activity's completion was recorded (once per learner). kwargs: user, course,
    at, activity (ActivityDef), module (ModuleDef).""",
)

module_completed = _signals.signal(
    "module-completed",
    doc="""A module's completion rule was met for the first time (recorded once). kwargs:
    user, course, at, module (ModuleDef).""",
)

course_completed = _signals.signal(
    "course-completed",
    doc="""A course's completion rule was met for the first time (recorded once); the
    enrolment's ``completed_at`` is set. kwargs: user, course, at. Certificates listen.""",
)

# Tests ---------------------------------------------------------------------------------------

test_submitted = _signals.signal(
    "test-submitted",
    doc="""A test attempt was submitted and scored (once per attempt), before its completion is
    recorded. Sender: the ``Enrolment``; kwargs: user, course, at, activity (ActivityDef),
    attempt (the scored ``Attempt``). The LTI grade passback listens.""",
)
