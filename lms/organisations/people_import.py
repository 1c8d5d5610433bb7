"""Importing people from a CSV file: every row checked first, then all or nothing.

The file is what a coordinator exports from a spreadsheet: UTF-8 (with or without the BOM that
Excel writes), comma- or semicolon-separated, a header row naming the columns. Problems are
reported with the row number as the spreadsheet shows it (the header is row 1) and the column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from lms.accounts.models import PERSON_KINDS, ROLES, User
from lms.accounts.services import RoleSpec, create_user, login_taken, normalise_login
from lms.core.i18n import gettext as _
from lms.organisations.queries import find_department, find_organisation

if TYPE_CHECKING:
    from lms.organisations.models import Organisation

COLUMNS = (
    "full_name",
    "email",
    "username",
    "organisation",
    "department",
    "roles",
    "language",
    "kind",
)
REQUIRED_COLUMNS = ("full_name",)
LANGUAGES = ("nl", "fr", "de", "en")


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _(
            "row %(row)d, column %(column)s: %(message)s",
            row=self.row,
            column=self.column,
            message=self.message,
        )


@dataclass
class CsvImportError(Exception):
    problems: list[RowProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def _read_rows(data: bytes | str) -> tuple[list[str], list[dict[str, str]]]:
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    reader.fieldnames = header
    return header, [
        {k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader
    ]


def import_users(
    session: Session,
    data: bytes | str,
    *,
    actor: User | None = None,
    organisation: Organisation | None = None,
    allowed_roles: tuple[str, ...] = ROLES,
) -> list[User]:
    """Check every row, then create all people or none. Raises :class:`CsvImportError`.

    With ``organisation`` (a coordinator's import), every person goes into that organisation:
    an empty organisation cell means it, another organisation is a problem. Roles outside
    ``allowed_roles`` are problems too.
    """
    only_organisation = organisation
    try:
        header, rows = _read_rows(data)
    except UnicodeDecodeError:
        raise CsvImportError(
            [RowProblem(1, "-", _("The file is not UTF-8 text. Save it as 'CSV UTF-8'."))]
        ) from None
    problems: list[RowProblem] = []
    for column in REQUIRED_COLUMNS:
        if column not in header:
            problems.append(RowProblem(1, column, _("This column is missing.")))
    for column in header:
        if column not in COLUMNS:
            problems.append(
                RowProblem(
                    1,
                    column or "-",
                    _("Unknown column. Known columns: %(columns)s.", columns=", ".join(COLUMNS)),
                )
            )
    if "email" not in header and "username" not in header:
        problems.append(RowProblem(1, "email", _("Give an email or a username column.")))
    if problems:
        raise CsvImportError(problems)
    if not rows:
        raise CsvImportError([RowProblem(2, "-", _("The file has no people in it."))])

    planned: list[dict] = []
    seen_logins: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        before = len(problems)

        def problem(column: str, message: str, number: int = number) -> None:
            problems.append(RowProblem(number, column, message))

        if not row.get("full_name"):
            problem("full_name", _("The name is empty."))
        email = normalise_login(row.get("email"))
        username = normalise_login(row.get("username"))
        if not email and not username:
            problem("email", _("Give an e-mail address or a username."))
        if email:
            try:
                validate_email(email, check_deliverability=False)
            except EmailNotValidError:
                problem("email", _("%(value)s is not a valid e-mail address.", value=email))
        for value, column in ((email, "email"), (username, "username")):
            if not value:
                continue
            if value in seen_logins:
                problem(
                    column,
                    _("%(value)s is also on row %(row)d.", value=value, row=seen_logins[value]),
                )
            elif login_taken(session, value):
                problem(column, _("%(value)s is already used by another account.", value=value))
            seen_logins.setdefault(value, number)
        organisation = department = None
        if only_organisation is not None and not row.get("organisation"):
            row["organisation"] = only_organisation.name
        if row.get("organisation"):
            organisation = find_organisation(session, row["organisation"])
            if organisation is None:
                problem(
                    "organisation",
                    _("No organisation called %(value)s.", value=row["organisation"]),
                )
        if (
            only_organisation is not None
            and organisation is not None
            and organisation.id != only_organisation.id
        ):
            problem(
                "organisation",
                _("You can only add people to %(org)s here.", org=only_organisation.name),
            )
            organisation = None
        if row.get("department"):
            if not row.get("organisation"):
                problem("department", _("A department needs an organisation."))
            elif organisation is not None:
                department = find_department(session, organisation, row["department"])
                if department is None:
                    problem(
                        "department",
                        _(
                            "%(org)s has no department called %(value)s.",
                            org=organisation.name,
                            value=row["department"],
                        ),
                    )
        roles = [r.strip().lower() for r in (row.get("roles") or "learner").split(";")]
        specs = []
        for role in filter(None, roles):
            if role in ROLES and role not in allowed_roles:
                problem(
                    "roles",
                    _(
                        "You cannot give the role %(value)s here. Use: %(roles)s.",
                        value=role,
                        roles=", ".join(allowed_roles),
                    ),
                )
            elif role not in ROLES:
                problem(
                    "roles",
                    _(
                        "Unknown role %(value)s. Use: %(roles)s.",
                        value=role,
                        roles=", ".join(ROLES),
                    ),
                )
            elif role == "manager":
                if organisation is None:
                    problem("roles", _("A manager needs an organisation."))
                else:
                    specs.append(RoleSpec("manager", organisation.id))
            else:
                specs.append(RoleSpec(role))
        language = (row.get("language") or "nl").lower()
        if language not in LANGUAGES:
            problem(
                "language", _("Unknown language %(value)s. Use: nl, fr, de or en.", value=language)
            )
        kind = (row.get("kind") or "staff").lower()
        if kind not in PERSON_KINDS:
            problem("kind", _("Unknown kind %(value)s. Use: staff or volunteer.", value=kind))
        if len(problems) == before:
            planned.append(
                {
                    "full_name": row["full_name"],
                    "email": email,
                    "username": username,
                    "organisation": organisation,
                    "department": department,
                    "roles": specs,
                    "language": language,
                    "kind": kind,
                }
            )
    if problems:
        raise CsvImportError(problems)
    return [create_user(session, actor=actor, **kwargs) for kwargs in planned]
