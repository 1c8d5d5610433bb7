"""The standalone ``lms`` command: a Flask CLI group that creates the app itself.

The commands are defined in :mod:`lms.commands` (a host app gets the same ones as
``flask lms ...``).
"""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from lms.app import create_app
from lms.commands import register


@click.group(
    cls=FlaskGroup,
    create_app=lambda: create_app(),
    add_default_commands=False,
    add_version_option=False,
)
def main() -> None:
    """Connectoo LMS: serve the app and manage courses, people and reports."""


register(main)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
