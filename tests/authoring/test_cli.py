"""``lms validate``, ``lms schema``, ``lms import`` and ``lms courses`` from the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from lms.authoring.cli import courses_cmd, schema_cmd, validate_cmd
from lms.versions.cli import import_cmd
from tests.authoring.helpers import BROKEN, VALID, measured


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding courses/, quizzes/ and certificates/ (the defaults)."""
    root = tmp_path / "repo"
    shutil.copytree(VALID, root)
    monkeypatch.chdir(root)
    for key in ("LMS_COURSES_PATH", "LMS_QUIZZES_PATH", "LMS_CERTIFICATES_PATH"):
        monkeypatch.delenv(key, raising=False)
    return root


def test_validate_defaults_to_courses_and_quizzes(content: Path) -> None:
    result = CliRunner().invoke(validate_cmd, [])
    assert result.exit_code == 0, result.output
    assert result.output == "0 error(s), 0 warning(s) in 2 file(s)\n"


def test_validate_prints_one_problem_a_line_and_fails_on_errors(content: Path) -> None:
    shutil.copy(BROKEN / "five-errors.yaml", content / "courses" / "five-errors.yaml")
    result = CliRunner().invoke(validate_cmd, ["courses/five-errors.yaml"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:5] == [
        "courses/five-errors.yaml:5:18: E304: completion rule names unknown module `m3` "
        "(modules: m1)",
        "courses/five-errors.yaml:6:25: E403: certificate template `bestaat-niet` does not exist "
        "(no bestaat-niet.html in certificates)",
        "courses/five-errors.yaml:10:5: E201: unknown key `descripton` "
        "(did you mean `description`?)",
        "courses/five-errors.yaml:16:20: E205: `pass_mark` must be at most 1.0, not 1.5 "
        "(it is a share between 0 and 1: `0.7` means 70%)",
        "courses/five-errors.yaml:21:25: E203: `required_posts` must be a whole number, "
        "not a string",
    ]
    assert lines[5] == "5 error(s), 0 warning(s) in 1 file(s)"


def test_warnings_pass_unless_strict(content: Path) -> None:
    shutil.copy(BROKEN / "empty-lesson.yaml", content / "courses" / "empty-lesson.yaml")
    relaxed = CliRunner().invoke(validate_cmd, ["courses/empty-lesson.yaml"])
    assert relaxed.exit_code == 0
    assert "courses/empty-lesson.yaml:12:13: W502: lesson `les-1` has no sections" in relaxed.output
    strict = CliRunner().invoke(validate_cmd, ["--strict", "courses/empty-lesson.yaml"])
    assert strict.exit_code == 1


def test_validate_refuses_a_billion_laughs_fast_in_little_memory(content: Path) -> None:
    assert CliRunner().invoke(validate_cmd, []).exit_code == 0  # warm up (models, imports)
    shutil.copy(BROKEN / "alias-expansion.yaml", content / "courses" / "bomb.yaml")
    run = measured(lambda: CliRunner().invoke(validate_cmd, ["courses/bomb.yaml"]))
    print(f"\nlms validate: {run.seconds * 1000:.1f} ms, peak {run.peak_bytes / 2**20:.2f} MiB")
    result = run.result
    assert result.exit_code == 1
    first, summary = result.output.splitlines()
    assert first.startswith(
        "courses/bomb.yaml:7:45: E106: the aliases expand too much: up to `*a3` they stand for "
    )
    assert first.endswith(
        "(aliases of aliases multiply: write the values out, or use fewer aliases)"
    )
    assert summary == "1 error(s), 0 warning(s) in 1 file(s)"
    assert run.seconds < 0.5
    assert run.peak_bytes < 20 * 2**20


def test_validate_json_for_editors_and_ci(content: Path) -> None:
    shutil.copy(BROKEN / "unknown-quiz.yaml", content / "courses" / "unknown-quiz.yaml")
    result = CliRunner().invoke(validate_cmd, ["--format", "json", "courses"])
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["errors"] == 1 and payload["warnings"] == 0 and payload["files"] == 2
    assert payload["diagnostics"] == [
        {
            "file": "courses/unknown-quiz.yaml",
            "line": 11,
            "col": 15,
            "code": "E302",
            "name": "unknown-quiz",
            "severity": "error",
            "message": "question bank `demo-bnak` does not exist",
            "hint": "did you mean `demo-bank`?",
        }
    ]


def test_schema_writes_both_files(content: Path) -> None:
    result = CliRunner().invoke(schema_cmd, ["--output", "out"])
    assert result.exit_code == 0, result.output
    course = json.loads((content / "out" / "course.schema.json").read_text("utf-8"))
    bank = json.loads((content / "out" / "quiz.schema.json").read_text("utf-8"))
    assert "modules" in course["required"]
    assert "questions" in bank["required"]


def _configured(app: Flask, root: Path) -> Flask:
    app.config.update(
        LMS_COURSES_PATH=str(root / "courses"),
        LMS_QUIZZES_PATH=str(root / "quizzes"),
        LMS_CERTIFICATES_PATH=str(root / "certificates"),
    )
    return app


def test_import_then_courses(app: Flask, content: Path) -> None:
    runner = _configured(app, content).test_cli_runner()
    first = runner.invoke(import_cmd, [])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == [
        "bank demo-bank: created (version 1)",
        "course demo: created (version 1)",
    ]
    again = runner.invoke(import_cmd, [])
    assert again.output.splitlines()[-1] == "course demo: unchanged (version 1)"
    listing = runner.invoke(courses_cmd, [])
    assert listing.exit_code == 0
    assert listing.output.startswith("demo  v1  Demo-opleiding  (courses/demo.yaml, ")


def test_import_with_an_error_writes_nothing(app: Flask, content: Path) -> None:
    shutil.copy(BROKEN / "pass-mark.yaml", content / "courses" / "pass-mark.yaml")
    runner = _configured(app, content).test_cli_runner()
    result = runner.invoke(import_cmd, [])
    assert result.exit_code == 1
    assert "courses/pass-mark.yaml:12:20: E205:" in result.output
    assert "nothing was imported" in result.output
    assert runner.invoke(courses_cmd, []).output == "no courses loaded (lms import)\n"
