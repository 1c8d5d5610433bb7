"""The standalone ``lms`` command: a Flask CLI group that creates the app itself.

The commands are defined in :mod:`lms.commands` (a host app gets the same ones as
``flask lms ...``).
"""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from lms.app import create_app
from lms.commands import ExplainsDatabaseErrors, register
from lms.preview.cli import preview_cmd


class LmsGroup(ExplainsDatabaseErrors, FlaskGroup):
    """Lists only the LMS's own commands: the app's ``lms`` group (the same commands, for a
    host app's ``flask lms ...``) and Flask-Limiter's ``limiter`` group stay callable but
    are left out of ``lms --help``."""

    unlisted = frozenset({"lms", "limiter"})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in super().list_commands(ctx) if name not in self.unlisted]


@click.group(
    cls=LmsGroup,
    create_app=lambda: create_app(),
    add_default_commands=False,
    add_version_option=False,
)
def main() -> None:
    """Connectoo LMS: serve the app and manage courses, people and reports."""


register(main)
# The preview builds a standalone app of its own, so it sits above lms.app (and lms.commands).
main.add_command(preview_cmd)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
