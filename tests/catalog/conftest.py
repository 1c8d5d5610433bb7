"""Fixtures of the catalog tests: a writable copy of the valid course tree."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

VALID = Path(__file__).resolve().parents[1] / "authoring" / "files" / "valid"


class CourseTree:
    """A course folder, a quizzes folder and a certificates folder that a test may edit."""

    def __init__(self, root: Path) -> None:
        shutil.copytree(VALID, root)
        self.root = root
        self.courses = root / "courses"
        self.quizzes = root / "quizzes"
        self.certificates = root / "certificates"

    @property
    def paths(self) -> list[Path]:
        return [self.courses, self.quizzes]

    def edit(self, relative: str, change: Callable[[str], str]) -> None:
        path = self.root / relative
        before = path.read_text(encoding="utf-8")
        after = change(before)
        assert after != before, f"the edit of {relative} changed nothing"
        path.write_text(after, encoding="utf-8")

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def tree(tmp_path: Path) -> CourseTree:
    return CourseTree(tmp_path / "content")
