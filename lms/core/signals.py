"""The LMS's signals.

Every signal is sent by a service *inside* the database transaction of the change it
describes. Listeners may add rows and ``flush``; they must never commit or roll back, so that
the change and everything that follows from it commit together or not at all.
"""

from blinker import Namespace

_signals = Namespace()

user_created = _signals.signal(
    "user-created",
    doc="""A person was added. Sender: the new ``User``; kwargs: ``actor`` (User or None).""",
)

user_deactivated = _signals.signal(
    "user-deactivated",
    doc="""A person can no longer log in; their history stays. Sender: the ``User``;
    kwargs: ``actor``.""",
)

user_moved = _signals.signal(
    "user-moved",
    doc="""A person changed organisation and keeps their records. Sender: the ``User``;
    kwargs: ``old_organisation``, ``new_organisation``, ``actor``.""",
)
