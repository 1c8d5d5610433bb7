"""The files in deploy/ and the set-up in docs/operations.md name commands that exist, with
options they accept (a typo there would only show on the day of the installation)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from lms.cli import main

REPO = Path(__file__).resolve().parent.parent
UNITS = sorted((REPO / "deploy" / "systemd").glob("*.service"))


def lms_commands() -> list[tuple[str, list[str]]]:
    found = []
    for unit in UNITS:
        [line] = [x for x in unit.read_text().splitlines() if x.startswith("ExecStart=")]
        found.append((unit.name, shlex.split(line.removeprefix("ExecStart="))[1:]))
    docs = (REPO / "docs" / "operations.md").read_text()
    for match in re.finditer(r"\.venv/bin/lms ([^\n#`]+)", docs):
        words = shlex.split(match.group(1))
        # The command ends where the shell line goes on (`&&`, `;`, `|`).
        end = next((i for i, w in enumerate(words) if w in {"&&", "||", ";", "|"}), len(words))
        found.append(("docs/operations.md", words[:end]))
    return found


def test_every_unit_runs_an_lms_command():
    assert len(UNITS) == 13  # web, mail, xapi, lti scores and nine jobs
    for unit in UNITS:
        text = unit.read_text()
        assert "ExecStart=/srv/lms/.venv/bin/lms " in text
        assert "EnvironmentFile=/etc/lms/lms.env" in text
        if "Type=oneshot" in text:
            timer = unit.with_suffix(".timer")
            assert timer.exists() and "OnCalendar=" in timer.read_text()


@pytest.mark.parametrize(
    ("where", "args"), lms_commands(), ids=lambda v: " ".join(v) if isinstance(v, list) else v
)
def test_the_command_and_its_options_exist(where, args):
    result = CliRunner().invoke(main, [*args, "--help"])
    assert result.exit_code == 0, f"{where}: lms {' '.join(args)}: {result.output}"


def test_a_wrong_option_is_caught():
    assert CliRunner().invoke(main, ["mail", "send", "--intervall", "5", "--help"]).exit_code == 2
