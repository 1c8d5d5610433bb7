"""Benchmark of the authoring pipeline (not a test): `python scripts/bench_authoring.py`.

Reports the time to validate and to import the course and quiz folders (into a throw-away
SQLite database), to re-import them unchanged, and to validate a generated course of N
modules. Target: the shipped courses validate and import in under 2 seconds.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from lms.authoring.importer import import_paths
from lms.authoring.schema import format_models
from lms.authoring.validate import validate_paths


def _timed(action: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def generate_course(folder: Path, modules: int) -> list[Path]:
    """A course of ``modules`` modules (e-learning of 3 lessons x 4 sections, forum, test)
    and its bank, in two languages, with one Markdown file and image per module."""
    courses, quizzes = folder / "courses", folder / "quizzes"
    (courses / "big" / "img").mkdir(parents=True)
    quizzes.mkdir()
    (courses / "big" / "img" / "pic.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    lines = [
        "id: big",
        "title: {nl: Grote cursus, fr: Grand cours}",
        "languages: [nl, fr]",
        "modules:",
    ]
    for m in range(1, modules + 1):
        (courses / "big" / f"m{m}.nl.md").write_text(
            f"# Module {m}\n\n![Een afbeelding](img/pic.svg)\n\n::: tip\nTip {m}.\n:::\n"
        )
        lines += [
            f"  - id: m{m}",
            f"    title: {{nl: Module {m}, fr: Module {m}}}",
            "    activities:",
            f"      - id: m{m}-elearning",
            "        type: elearning",
            "        title: {nl: E-learning, fr: E-learning}",
            "        lessons:",
        ]
        for lesson in range(1, 4):
            lines += [
                f"          - id: m{m}-l{lesson}",
                f"            title: {{nl: Les {lesson}, fr: Leçon {lesson}}}",
                "            sections:",
            ]
            for s in range(1, 5):
                body = (
                    f"body_file: {{nl: big/m{m}.nl.md, fr: big/m{m}.nl.md}}"
                    if s == 1
                    else f"body: {{nl: 'Tekst {s} met **nadruk**.', fr: 'Texte {s}.'}}"
                )
                lines += [
                    f"              - id: m{m}-l{lesson}-s{s}",
                    f"                title: {{nl: Deel {s}, fr: Partie {s}}}",
                    f"                {body}",
                ]
        lines += [
            f"      - {{id: m{m}-forum, type: forum, title: {{nl: Forum, fr: Forum}}, "
            "prompt: {nl: Deel iets., fr: Partagez.}}",
            f"      - {{id: m{m}-test, type: test, title: {{nl: Test, fr: Test}}, "
            "quiz: big-bank, questions: 2}",
        ]
    (courses / "big.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    bank = [
        "id: big-bank",
        "title: {nl: Vragen, fr: Questions}",
        "languages: [nl, fr]",
        "questions:",
    ]
    for q in range(1, 6):
        bank += [
            f"  - id: q{q}",
            "    type: single_choice",
            f"    prompt: {{nl: 'Vraag {q}?', fr: 'Question {q} ?'}}",
            "    choices:",
            "      - {id: a, text: {nl: Ja, fr: Oui}, correct: true}",
            "      - {id: b, text: {nl: Nee, fr: Non}}",
        ]
    (quizzes / "big-bank.yaml").write_text("\n".join(bank) + "\n", encoding="utf-8")
    return [courses, quizzes]


def _import_once(paths: list[Path], certificates: Path) -> tuple[float, float, str]:
    """Seconds to import into an empty SQLite database and to re-import unchanged."""
    import lms.models  # noqa: F401 - every table on the metadata
    from lms.core.db import Base, make_engine

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.sqlite3")
        Base.metadata.create_all(engine)
        with Session(engine) as session:
            start = time.perf_counter()
            report = import_paths(session, paths, certificates)
            session.commit()
            first = time.perf_counter() - start
            start = time.perf_counter()
            import_paths(session, paths, certificates)
            again = time.perf_counter() - start
        engine.dispose()
    return first, again, f"{len(report.entries)} items"


def _row(label: str, seconds: float, note: str = "") -> None:
    print(f"{label:<44} {seconds:7.3f} s  {note}".rstrip())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=Path, default=Path("courses"))
    parser.add_argument("--quizzes", type=Path, default=Path("quizzes"))
    parser.add_argument("--certificates", type=Path, default=Path("certificates"))
    parser.add_argument("--modules", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    paths = [p for p in (args.courses, args.quizzes) if p.exists()]

    start = time.perf_counter()
    format_models()
    _row("build the models from the registries", time.perf_counter() - start)
    seconds, result = _timed(lambda: validate_paths(paths, args.certificates), args.repeat)
    counts = (
        f"({len(result.files)} files, {len(result.errors)} errors, {len(result.warnings)} warnings)"
    )
    _row(f"validate {' + '.join(p.as_posix() for p in paths)}", seconds, counts)
    if result.errors:
        print("import of the shipped files skipped: they have errors (see lms validate)")
    else:
        first, again, what = _import_once(paths, args.certificates)
        _row("import them into an empty database", first, f"({what})")
        _row("re-import them unchanged", again)
    with tempfile.TemporaryDirectory() as tmp:
        generated = generate_course(Path(tmp), args.modules)
        seconds, result = _timed(lambda: validate_paths(generated, None), args.repeat)
        note = f"({args.modules * 12} sections, {len(result.diagnostics)} diagnostics)"
        _row(f"validate a generated {args.modules}-module course", seconds, note)
        first, again, _what = _import_once(generated, Path(tmp))
        _row("import it into an empty database", first)
        _row("re-import it unchanged", again)


if __name__ == "__main__":
    main()
