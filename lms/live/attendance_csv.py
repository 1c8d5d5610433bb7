"""Attendance from a CSV file, with a report of what happened to every row.

The file has the people who were there, one per row: an e-mail address or username in the
first column, or in a column called ``email``/``login``/``username`` when there is a header.
UTF-8 (with or without BOM), separated by ``,`` or ``;``. Nothing is marked for a row that
names nobody the marker may see; other rows still count.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.live.access import LiveAccess
from lms.live.models import LiveSession
from lms.live.services import mark_attended
from lms.organisations.queries import people_visible_to

HEADER_NAMES = {"email", "e-mail", "login", "username", "e-mailadres", "adresse e-mail"}


@dataclass(frozen=True)
class RowReport:
    row: int
    value: str
    #: "marked", "walk-in", "already", "not-enrolled", "unknown", "other-organisation",
    #: "duplicate", "empty"
    outcome: str
    name: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in ("marked", "walk-in", "already")


class UnreadableFile(ValueError):
    """The upload is not a UTF-8 text file."""


def read_logins(data: bytes) -> list[tuple[int, str]]:
    """(row number, login) for every row, the header left out."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile from None
    if "\x00" in text:
        raise UnreadableFile
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    column = 0
    start = 0
    if rows:
        header = [cell.strip().lower() for cell in rows[0]]
        named = [i for i, cell in enumerate(header) if cell in HEADER_NAMES]
        if named:
            column, start = named[0], 1
    found = []
    for index, row in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        found.append((index, row[column].strip() if column < len(row) else ""))
    return found


def _scope(access: LiveAccess):
    """The people whose attendance ``access`` may mark: everyone for trainers, their own
    organisations' people for a coordinator (the one tenancy filter)."""
    if access.is_trainer:
        return select(User)
    return people_visible_to(access.user).where(User.organisation_id.in_(access.managed))


def mark_from_csv(
    session: Session, access: LiveAccess, live: LiveSession, data: bytes
) -> list[RowReport]:
    logins = read_logins(data)
    wanted = {value.lower() for _, value in logins if value}
    people: dict[str, User] = {}
    if wanted:
        for person in session.scalars(
            _scope(access).where(
                User.active.is_(True),
                or_(func.lower(User.email).in_(wanted), func.lower(User.username).in_(wanted)),
            )
        ):
            for key in (person.email, person.username):
                if key:
                    people[key.lower()] = person
    reports: list[RowReport] = []
    seen: set[int] = set()
    for row, value in logins:
        person = people.get(value.lower()) if value else None
        if not value:
            reports.append(RowReport(row, value, "empty"))
        elif person is None:
            reports.append(RowReport(row, value, "unknown"))
        elif person.id in seen:
            reports.append(RowReport(row, value, "duplicate", person.full_name))
        elif live.organisation_id is not None and person.organisation_id != live.organisation_id:
            reports.append(RowReport(row, value, "other-organisation", person.full_name))
        else:
            seen.add(person.id)
            marked = mark_attended(session, access, live, [person])[0]
            reports.append(RowReport(row, value, marked.outcome, person.full_name))
    return reports
