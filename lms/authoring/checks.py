"""Checks of one course or bank file: its models level by level, its ids, its texts.

Each level (course, module, activity; bank, question) is validated on its own, so that a
mistake in one activity does not hide the problems of its neighbours; what validated is then
checked further by the type that owns it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from lms.authoring.context import BankInfo, CheckContext, did_you_mean
from lms.authoring.diagnostics import Diagnostic
from lms.authoring.errors import data_path, model_at, translate
from lms.authoring.fields import LANGUAGES, LangPaths, LangText
from lms.authoring.loader import Document, Path_
from lms.authoring.registry import Registries
from lms.authoring.resources import ResourceFile, ResourceInfo, url_key
from lms.authoring.schema import BankHead, CourseHead, FormatModels, ModuleHead


def _declared_languages(data: Any) -> tuple[str, ...]:
    langs = data.get("languages") if isinstance(data, dict) else None
    if isinstance(langs, list):
        known = tuple(dict.fromkeys(lang for lang in langs if lang in LANGUAGES))
        if known:
            return known
    return ("nl",)


@dataclass
class FileChecker:
    """Checks one file; collects its diagnostics."""

    doc: Document
    models: FormatModels
    registries: Registries
    ctx: CheckContext
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def _validate(self, validator: Any, data: Any, path: Path_, root: Any = None) -> Any:
        """The model of ``data``, or ``None``; its errors become diagnostics.

        When the only faulty keys are unknown or optional ones, they are left out and the
        rest is validated again, so that the checks of the valid part still run.
        """

        def run(value: Any) -> Any:
            if isinstance(validator, TypeAdapter):
                return validator.validate_python(value)
            return validator.model_validate(value)

        root = root if root is not None else validator
        try:
            return run(data)
        except ValidationError as exc:
            self.diagnostics += translate(exc, self.doc, path, data, root)
            pruned = _without_faulty_keys(exc, data, root)
        if pruned is None:
            return None
        try:
            return run(pruned)
        except ValidationError:
            return None

    # -- texts ------------------------------------------------------------------------------

    def texts(self, value: Any, path: Path_) -> None:
        """Translation warnings, Markdown and included-file checks for every text below."""
        if isinstance(value, LangText):
            self._translations(value, path)
            if isinstance(value, LangPaths):
                self.diagnostics += self.ctx.check_included(value, path)
            else:
                self.diagnostics += self.ctx.check_markdown(value, path)
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                self.texts(getattr(value, name), (*path, name))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                self.texts(item, (*path, index))

    def _translations(self, value: LangText, path: Path_) -> None:
        declared = self.ctx.languages
        given = value.languages(self.ctx.default_language)
        missing = [lang for lang in declared if lang not in given]
        if missing:
            where = "only in " + ", ".join(sorted(given)) if isinstance(value.raw, str) else ""
            message = "missing translation: " + ", ".join(missing)
            self.diagnostics.append(
                self.ctx.diagnostic(
                    "W501",
                    path,
                    f"{message} ({where})" if where else message,
                    "add " + ", ".join(f"`{lang}:`" for lang in missing),
                )
            )
        if isinstance(value.raw, dict):
            for lang in value.raw:
                if lang not in declared:
                    self.diagnostics.append(
                        self.ctx.diagnostic(
                            "W504",
                            (*path, lang),
                            f"language `{lang}` is not declared",
                            "add it to `languages` or remove this translation",
                            at_key=True,
                        )
                    )

    def _languages(self, data: dict[str, Any]) -> None:
        langs = data.get("languages")
        seen: set[Any] = set()
        for index, lang in enumerate(langs if isinstance(langs, list) else []):
            if isinstance(lang, str) and lang in seen:
                self.diagnostics.append(
                    self.ctx.diagnostic(
                        "E204", ("languages", index), f"language `{lang}` is listed twice"
                    )
                )
            seen.add(lang)

    # -- ids --------------------------------------------------------------------------------

    def unique_ids(self, found: Iterator[tuple[Path_, str, str]], scope: str) -> dict[str, str]:
        """Report ids used twice; return what each id names (for reference checks)."""
        first: dict[str, tuple[Path_, str]] = {}
        for path, ident, kind in found:
            if ident in first:
                line, _col = self.doc.pos(first[ident][0])
                self.diagnostics.append(
                    self.ctx.diagnostic(
                        "E301",
                        path,
                        f"id `{ident}` is used twice in this {scope}",
                        f"already the id of {_a(first[ident][1])} on line {line}",
                    )
                )
            else:
                first[ident] = (path, kind)
        return {ident: kind for ident, (_path, kind) in first.items()}


def _without_faulty_keys(exc: ValidationError, data: Any, root: Any) -> dict[str, Any] | None:
    """``data`` without the keys that caused ``exc``, if they are all unknown or optional."""
    if not isinstance(data, dict):
        return None
    drop: set[str] = set()
    for error in exc.errors():
        loc = tuple(error["loc"])
        rel, _value = data_path(data, loc)
        if not rel:  # the item itself is wrong (a required field, its type, its shape)
            return None
        key = rel[0]
        model = model_at(root, loc[: loc.index(key)])
        if model is None:
            return None
        field_info = model.model_fields.get(str(key))
        if field_info is not None and field_info.is_required():
            return None
        drop.add(str(key))
    return {k: v for k, v in data.items() if k not in drop}


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def _items(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def _id_of(data: Any) -> str | None:
    ident = data.get("id") if isinstance(data, dict) else None
    return ident if isinstance(ident, str) else None


class CourseChecker(FileChecker):
    def run(self) -> CourseHead | None:
        data = self.doc.data
        head = self._validate(CourseHead, data, ())
        if not isinstance(data, dict):
            return None
        self._languages(data)
        ids = self.unique_ids(self._course_ids(data), "course")
        for i, module in enumerate(_items(data, "modules")):
            self._module(module, ("modules", i), ids)
        if head is not None:
            self.texts(head, ())
        modules = {m for m in map(_id_of, _items(data, "modules")) if m}
        self._completion(data, (), modules, ids, "module")
        self._certificate(data)
        return head

    def _course_ids(self, data: dict[str, Any]) -> Iterator[tuple[Path_, str, str]]:
        for i, module in enumerate(_items(data, "modules")):
            if ident := _id_of(module):
                yield ("modules", i, "id"), ident, "module"
            for j, activity in enumerate(_items(module, "activities")):
                path = ("modules", i, "activities", j)
                if ident := _id_of(activity):
                    yield (*path, "id"), ident, "activity"
                kind = activity.get("type") if isinstance(activity, dict) else None
                type_ = self.registries.activities.get(kind) if isinstance(kind, str) else None
                if type_ is not None:
                    yield from type_.nested_ids(activity, path)

    def _module(self, data: Any, path: Path_, ids: dict[str, str]) -> None:
        head = self._validate(ModuleHead, data, path)
        activity_ids: set[str] = set()
        for j, activity in enumerate(_items(data, "activities")):
            apath = (*path, "activities", j)
            if ident := _id_of(activity):
                activity_ids.add(ident)
            union = self.models.activity_union
            model = self._validate(self.models.activity, activity, apath, union)
            if model is not None:
                self.diagnostics += self.registries.activities[model.type].check(
                    model, apath, self.ctx
                )
                self.texts(model, apath)
        if head is not None:
            self.texts(head, path)
        self._completion(data, path, activity_ids, ids, "activity")

    def _completion(
        self, data: Any, path: Path_, allowed: set[str], ids: dict[str, str], kind: str
    ) -> None:
        """Each id named by the ``completion`` rule of ``data`` must be one of ``allowed``."""
        scope = "this course" if kind == "module" else "this module"
        for index, name in enumerate(_items(data, "completion")):
            if not isinstance(name, str) or name in allowed:
                continue
            if name in ids:
                hint = f"`{name}` is {_a(ids[name])}, not {_a(kind)} of {scope}"
            else:
                hint = did_you_mean(name, allowed) or f"{kind}s: " + ", ".join(sorted(allowed))
            self.diagnostics.append(
                self.ctx.diagnostic(
                    "E304",
                    (*path, "completion", index),
                    f"completion rule names unknown {kind} `{name}`",
                    hint,
                )
            )

    def _certificate(self, data: dict[str, Any]) -> None:
        folder = self.ctx.certificates_dir
        certificate = data.get("certificate")
        template = certificate.get("template") if isinstance(certificate, dict) else None
        if folder is None or not isinstance(template, str):
            return
        if not (folder / f"{template}.html").is_file():
            names = [p.stem for p in folder.glob("*.html")] if folder.is_dir() else []
            hint = did_you_mean(template, names) or f"no {template}.html in {folder.as_posix()}"
            self.diagnostics.append(
                self.ctx.diagnostic(
                    "E403",
                    ("certificate", "template"),
                    f"certificate template `{template}` does not exist",
                    hint,
                )
            )


class BankChecker(FileChecker):
    def run(self) -> BankHead | None:
        data = self.doc.data
        head = self._validate(BankHead, data, ())
        if not isinstance(data, dict):
            return None
        self._languages(data)
        questions = _items(data, "questions")
        self.unique_ids(
            (
                (("questions", i, "id"), ident, "question")
                for i, q in enumerate(questions)
                if (ident := _id_of(q))
            ),
            "bank",
        )
        for i, question in enumerate(questions):
            path = ("questions", i)
            union = self.models.question_union
            model = self._validate(self.models.question, question, path, union)
            if model is not None:
                type_ = self.registries.questions[model.type]
                self.diagnostics += type_.check(model, path, self.ctx)
                self.texts(model, path)
        if head is not None:
            self.texts(head, ())
        return head

    def info(self) -> BankInfo | None:
        ident = _id_of(self.doc.data)
        if ident is None:
            return None
        questions = _items(self.doc.data, "questions")
        tags: dict[str, int] = {}
        for question in questions:
            found = question.get("tags") if isinstance(question, dict) else None
            for tag in set(found) if isinstance(found, list) else ():
                if isinstance(tag, str):
                    tags[tag] = tags.get(tag, 0) + 1
        return BankInfo(ident, len(questions), self.doc.display, tags)


class ResourceChecker(FileChecker):
    """A curated databank resource (``resource: <id>``)."""

    def run(self) -> ResourceFile | None:
        data = self.doc.data
        model = self._validate(ResourceFile, data, ())
        if not isinstance(data, dict):
            return model
        ident = data.get("resource")
        if isinstance(ident, str) and ident != self.doc.path.stem:
            self.diagnostics.append(
                self.ctx.diagnostic(
                    "E311",
                    ("resource",),
                    f"resource id `{ident}` differs from the file name `{self.doc.path.name}`",
                    f"name the file {ident}.yaml, or change the id",
                )
            )
        for key in ("title", "description"):
            given = data.get(key)
            if not isinstance(given, dict) or not given:
                continue
            if not {"nl", "fr"} & set(given):
                self.diagnostics.append(
                    self.ctx.diagnostic(
                        "E313", (key,), f"`{key}` needs a Dutch or French text", "add `nl:`"
                    )
                )
            elif missing := [lang for lang in ("nl", "fr") if lang not in given]:
                self.diagnostics.append(
                    self.ctx.diagnostic(
                        "W507",
                        (key,),
                        f"`{key}` has no {' or '.join(missing)} text",
                        "the databank is used in Dutch and French: add " + f"`{missing[0]}:`",
                    )
                )
        return model

    @staticmethod
    def info_of(doc: Document) -> ResourceInfo | None:
        ident = _id_of_key(doc.data, "resource")
        return ResourceInfo(ident, doc.display) if ident else None

    @staticmethod
    def duplicate_urls(parsed: list[Any]) -> Iterator[tuple[Document, Diagnostic]]:
        """Two resource files that link to the same address (an error in the second)."""
        first: dict[str, Document] = {}
        for item in parsed:
            url = item.doc.data.get("url") if isinstance(item.doc.data, dict) else None
            if not isinstance(url, str):
                continue
            key = url_key(url)
            if key in first:
                other = first[key]
                line, _ = other.pos(("url",))
                yield (
                    item.doc,
                    item.doc.diagnostic(
                        "E312",
                        ("url",),
                        "this address is already in the databank",
                        f"by {other.display}:{line}; link each resource once",
                    ),
                )
            else:
                first[key] = item.doc


def _id_of_key(data: Any, key: str) -> str | None:
    ident = data.get(key) if isinstance(data, dict) else None
    return ident if isinstance(ident, str) else None


def new_context(doc: Document, **kwargs: Any) -> CheckContext:
    return CheckContext(doc=doc, languages=_declared_languages(doc.data), **kwargs)
