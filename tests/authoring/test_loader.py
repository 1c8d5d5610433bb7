"""The YAML loader keeps the position of every node."""

from __future__ import annotations

from pathlib import Path

from lms.authoring.loader import load_document


def _load(tmp_path: Path, text: str):
    file = tmp_path / "x.yaml"
    file.write_text(text, encoding="utf-8")
    return load_document(file)


def test_positions_of_values_and_keys(tmp_path: Path) -> None:
    doc, problems = _load(tmp_path, "a: 1\nb:\n  - {c: x, d: [1, 2]}\n  - e: é\n    f: g\n")
    assert problems == []
    assert doc.data == {"a": 1, "b": [{"c": "x", "d": [1, 2]}, {"e": "é", "f": "g"}]}
    assert doc.pos(("a",)) == (1, 4)
    assert doc.pos(("b", 0, "d", 1)) == (3, 19)
    assert doc.key_pos(("b", 1, "f")) == (5, 5)
    assert doc.pos(("b", 1)) == (4, 5)
    # A path that does not exist points at its nearest existing ancestor.
    assert doc.pos(("b", 1, "missing")) == (4, 5)


def test_keys_stay_words(tmp_path: Path) -> None:
    doc, _ = _load(tmp_path, "no: x\n1: y\n")
    assert doc.data == {"no": "x", "1": "y"}


def test_duplicate_keys_are_reported_and_the_first_kept(tmp_path: Path) -> None:
    doc, problems = _load(tmp_path, "a: 1\nb: 2\na: 3\n")
    assert doc.data == {"a": 1, "b": 2}
    assert [(p.code, p.line, p.col, p.hint) for p in problems] == [
        ("E102", 3, 1, "first given on line 1; remove one of them")
    ]


def test_empty_file_and_several_documents(tmp_path: Path) -> None:
    doc, problems = _load(tmp_path, "# nothing\n")
    assert doc is None
    assert [(p.code, p.message) for p in problems] == [("E203", "the file is empty")]
    doc, problems = _load(tmp_path, "a: 1\n---\nb: 2\n")
    assert doc is None
    assert [(p.code, p.line, p.col) for p in problems] == [("E101", 2, 1)]


def test_syntax_errors_with_a_hint(tmp_path: Path) -> None:
    _doc, problems = _load(tmp_path, "title: {nl: Wat: is het, fr: x}\n")
    assert [(p.code, p.line, p.col) for p in problems] == [("E101", 1, 16)]
    assert "put quotes around" in problems[0].hint
    _doc, problems = _load(tmp_path, "id: x\ntitle: Wat: is het\n")
    assert [(p.code, p.line, p.col) for p in problems] == [("E101", 2, 11)]
    assert problems[0].hint == "put quotes around a value that contains `: `"
