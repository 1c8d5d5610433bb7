"""Who may sign in with a local password.

Single sign-on (``lms.sso``, a layer above) registers its checks here when its views are
imported: an organisation can switch local passwords off for its people. Accounts asks these
checks without knowing what answers them.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from lms.accounts.models import User

#: ``check(session, user)``: True when this person may not use a local password.
PersonCheck = Callable[[Session, User], bool]
#: ``check(session, login_as_typed)``: True when the address typed belongs to an organisation
#: that signs its people in with its own provider (decided by the address alone, so the answer
#: says nothing about which accounts exist).
AddressCheck = Callable[[Session, str], bool]

_person_checks: list[PersonCheck] = []
_address_checks: list[AddressCheck] = []


def register(person_check: PersonCheck, address_check: AddressCheck) -> None:
    if person_check not in _person_checks:
        _person_checks.append(person_check)
    if address_check not in _address_checks:
        _address_checks.append(address_check)


def password_refused(session: Session, user: User) -> bool:
    return any(check(session, user) for check in _person_checks)


def signs_in_elsewhere(session: Session, login: str) -> bool:
    return any(check(session, login) for check in _address_checks)
