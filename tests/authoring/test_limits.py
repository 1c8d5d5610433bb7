"""A file that would cost too much to load is refused early, at a position, in little memory:
too large (E104), nested too deep (E105), aliases that expand too much (E106)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from lms.authoring import loader
from lms.authoring.loader import DEFAULT_LIMITS, load_document
from tests.authoring.helpers import BROKEN, VALID, measured, validate

#: Both parsers the loader may run on: libyaml's (when installed) and PyYAML's own.
PARSERS = {
    "libyaml": getattr(yaml, "CSafeLoader", yaml.SafeLoader),
    "pyyaml": yaml.SafeLoader,
}


@pytest.fixture(params=sorted(PARSERS))
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(loader, "SafeLoader", PARSERS[request.param])
    return request.param


def _write(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "x.yaml"
    file.write_text(text, encoding="utf-8")
    return file


def _at(file: Path, line: int, col: int) -> str:
    """The text of ``file`` from 1-based (line, col) to the end of that line."""
    return file.read_text("utf-8").splitlines()[line - 1][col - 1 :]


def test_billion_laughs_is_refused_fast_in_little_memory(parser: str) -> None:
    # Nine levels of ten aliases of the level above: a billion values once expanded.
    file = BROKEN / "alias-expansion.yaml"
    run = measured(lambda: load_document(file))
    doc, problems = run.result
    print(
        f"\n{parser}: billion laughs refused in {run.seconds * 1000:.1f} ms, "
        f"peak {run.peak_bytes / 2**20:.2f} MiB"
    )
    assert doc is None
    assert [(p.code, p.line, p.col) for p in problems] == [("E106", 7, 45)]
    assert _at(file, 7, 45).startswith("*a3,")
    assert problems[0].message.startswith("the aliases expand too much: up to `*a3` they")
    assert problems[0].message.endswith(f"more than {DEFAULT_LIMITS.max_alias_nodes:,}")
    assert problems[0].hint == (
        "aliases of aliases multiply: write the values out, or use fewer aliases"
    )
    assert run.seconds < 0.5
    assert run.peak_bytes < 20 * 2**20


def test_a_course_with_an_anchor_and_aliases_still_loads(tmp_path: Path) -> None:
    """Anchors for small repeated parts are fine."""
    shutil.copytree(VALID, tmp_path, dirs_exist_ok=True)
    course = tmp_path / "courses" / "demo.yaml"
    text = course.read_text("utf-8")
    elearning, forum = "{nl: E-learning, fr: E-learning}", "{nl: Forum, fr: Forum}"
    assert text.count(elearning) == text.count(forum) == 1
    text = text.replace(elearning, "&titel " + elearning).replace(forum, "*titel")
    course.write_text(text, encoding="utf-8")
    result = validate(course)
    assert result.diagnostics == []
    activities = result.courses[0].doc.data["modules"][0]["activities"]
    assert (
        activities[0]["title"] == activities[1]["title"] == {"nl": "E-learning", "fr": "E-learning"}
    )


def test_many_aliases_of_a_small_anchor_load(tmp_path: Path, parser: str) -> None:
    limit = DEFAULT_LIMITS.max_alias_nodes
    # An anchor of 10 values (a list and 9 items), repeated so that the aliases add `limit`.
    items = ", ".join(["x"] * 9)
    aliases = ", ".join(["*a"] * (limit // 10))
    file = _write(tmp_path, f"a: &a [{items}]\nb: [{aliases}]\n")
    doc, problems = load_document(file)
    assert problems == []
    assert len(doc.data["b"]) == limit // 10
    # One value more is refused, at the alias that passes the limit.
    file = _write(tmp_path, f"a: &a [{items}]\nb: [{aliases}, *a]\nc: *a\n")
    doc, problems = load_document(file)
    assert doc is None
    line, col = 2, 5 + 4 * (limit // 10)
    assert [(p.code, p.line, p.col) for p in problems] == [("E106", line, col)]
    assert _at(file, line, col) == "*a]"


def test_ten_thousand_nested_lists_get_the_depth_error(tmp_path: Path, parser: str) -> None:
    file = _write(tmp_path, "[" * 10_000 + "]" * 10_000 + "\n")
    run = measured(lambda: load_document(file))
    doc, problems = run.result
    print(f"\n{parser}: 10,000 nested lists refused in {run.seconds * 1000:.1f} ms")
    assert doc is None
    depth = DEFAULT_LIMITS.max_depth
    assert [(p.code, p.line, p.col) for p in problems] == [("E105", 1, depth + 1)]
    assert problems[0].message == f"lists and mappings are nested more than {depth} deep"
    assert problems[0].hint == (
        "course and bank files need about a dozen levels: check the indentation and the brackets"
    )
    # PyYAML's own scanner (used without libyaml) re-checks every open bracket as it looks
    # ahead inside brackets: slower, but bounded by that look-ahead of 1024 characters.
    assert run.seconds < (0.5 if parser == "libyaml" else 5)
    assert run.peak_bytes < 20 * 2**20


def test_deep_block_nesting_gets_the_depth_error(tmp_path: Path, parser: str) -> None:
    depth = DEFAULT_LIMITS.max_depth
    # Lists in lists written with dashes; mappings in mappings written with indentation.
    doc, problems = load_document(_write(tmp_path, "- " * 5_000 + "x\n"))
    assert [(p.code, p.line, p.col) for p in problems] == [("E105", 1, 2 * depth + 1)]
    text = "".join(" " * i + "k:\n" for i in range(2 * depth)) + " " * 2 * depth + "k: x\n"
    doc, problems = load_document(_write(tmp_path, text))
    assert [(p.code, p.line, p.col) for p in problems] == [("E105", depth + 1, depth + 1)]
    assert doc is None
    # Exactly at the limit is fine: the whole file is one level, so `depth - 1` lists inside.
    doc, problems = load_document(_write(tmp_path, "a: " + "[" * (depth - 1) + "]" * (depth - 1)))
    assert problems == []


def test_an_alias_that_nests_too_deep_gets_the_depth_error(tmp_path: Path, parser: str) -> None:
    depth = DEFAULT_LIMITS.max_depth
    nested = "[" * (depth - 10) + "1" + "]" * (depth - 10)
    # The file, 9 lists, and the anchor's `depth - 10` lists make `depth` levels.
    fine = _write(tmp_path, f"a: &a {nested}\nb: {'[' * 9}*a{']' * 9}\n")
    doc, problems = load_document(fine)
    assert problems == []
    assert doc is not None
    too_deep = _write(tmp_path, f"a: &a {nested}\nb: {'[' * 10}*a{']' * 10}\n")
    _doc, problems = load_document(too_deep)
    assert [(p.code, p.line, p.col) for p in problems] == [("E105", 2, 4 + 10)]
    assert problems[0].message == f"with `*a` lists and mappings are nested more than {depth} deep"


def test_an_oversized_file_gets_the_size_error(tmp_path: Path) -> None:
    limit = DEFAULT_LIMITS.max_bytes
    line = "# " + "x" * 61 + "\n"  # 64 bytes
    file = _write(tmp_path, line * (limit // len(line) + 1))
    doc, problems = load_document(file)
    assert doc is None
    where = (limit // len(line) + 1, limit % len(line) + 1)
    assert [(p.code, p.line, p.col) for p in problems] == [("E104", *where)]
    assert problems[0].message == (
        f"the file is larger than {limit:,} bytes: it passes that size here"
    )
    assert problems[0].hint == (
        "split it into several files, or move long texts into Markdown files with `body_file`"
    )
    # Exactly at the limit is read (here: a file of comments only, so an empty file).
    file = _write(tmp_path, (line * (limit // len(line) + 1))[:limit])
    assert [p.code for p in load_document(file)[1]] == ["E203"]


def test_a_huge_file_is_not_read_into_memory(tmp_path: Path) -> None:
    file = tmp_path / "huge.yaml"
    with file.open("wb") as handle:
        handle.truncate(2**30)  # 1 GiB (sparse: it costs no disk)
    run = measured(lambda: load_document(file))
    doc, problems = run.result
    assert doc is None
    assert [p.code for p in problems] == ["E104"]
    assert run.peak_bytes < 2 * DEFAULT_LIMITS.max_bytes + 2**20


def test_aliases_keep_their_other_errors(tmp_path: Path, parser: str) -> None:
    doc, problems = load_document(_write(tmp_path, "a: *nergens\n"))
    assert [(p.code, p.line, p.col, p.hint) for p in problems] == [
        ("E101", 1, 4, "define the anchor (&name) before using it (*name)")
    ]
    doc, problems = load_document(_write(tmp_path, "a: &x 1\nb: &x 2\n"))
    assert [(p.code, p.line, p.col) for p in problems] == [("E101", 2, 4)]
    doc, problems = load_document(_write(tmp_path, "a: &x [1, *x]\n"))
    assert [(p.code, p.line, p.col, p.message) for p in problems] == [
        ("E101", 1, 4, "an alias refers to itself")
    ]
    assert doc.data == {"a": [1, None]}
