"""The course structure (``cmi5.xml``) of a package, and the choices behind it.

cmi5 knows a course, blocks and assignable units (AUs). A module becomes a block; an
e-learning and a test each become an AU. Forums, webinars and sessions need this server
(other learners, a trainer, attendance) and are left out; docs/cmi5.md says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

from lms.authoring.types.test import TestSettings
from lms.catalog.readmodel import ActivityDef, CourseDef, ModuleDef
from lms.xapi.activities import activity_iri

NAMESPACE = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
#: The activity types that become AUs.
AU_TYPES = ("elearning", "test")
#: Course languages as the langstrings name them (Belgian variants of the course's codes).
LANGUAGE_TAGS = {"nl": "nl-BE", "fr": "fr-BE", "de": "de-BE", "en": "en"}
DEFAULT_PASS_MARK = TestSettings.model_fields["pass_mark"].default


def decimal(value: float) -> str:
    """A share as xs:decimal (never in exponent notation), at cmi5's 4 decimals."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def language_tag(lang: str) -> str:
    return LANGUAGE_TAGS.get(lang, lang)


@dataclass(frozen=True)
class Unit:
    """An AU: an e-learning or a test of a module."""

    activity: ActivityDef
    module: ModuleDef
    #: cmi5's moveOn: Completed (e-learning), Passed (test), NotApplicable (does not count).
    move_on: str
    #: The share of the score needed to pass (tests only).
    mastery_score: float | None

    @property
    def folder(self) -> str:
        return self.activity.id

    @property
    def url(self) -> str:
        return f"{self.folder}/index.html"


@dataclass(frozen=True)
class Block:
    module: ModuleDef
    units: tuple[Unit, ...]


@dataclass(frozen=True)
class Plan:
    """What goes into the package and what is left out (with the reason)."""

    course: CourseDef
    module: ModuleDef | None
    blocks: tuple[Block, ...]
    left_out: tuple[str, ...]

    @property
    def units(self) -> tuple[Unit, ...]:
        return tuple(unit for block in self.blocks for unit in block.units)


def _counts(rule: str | tuple[str, ...], ident: str) -> bool:
    return not isinstance(rule, tuple) or ident in rule


def plan_package(course: CourseDef, module_id: str | None = None) -> Plan:
    """The blocks and AUs of ``course`` (or of its module ``module_id``)."""
    modules = course.modules
    module = None
    if module_id is not None:
        module = course.modules_by_id.get(module_id)
        if module is None:
            raise KeyError(module_id)
        modules = (module,)
    blocks, left_out = [], []
    for mod in modules:
        # A module that the course's rule does not count does not count in the package
        # either (exporting one module: it counts, it is the whole package).
        module_counts = module is not None or _counts(course.completion, mod.id)
        units = []
        for activity in mod.activities:
            if activity.type not in AU_TYPES:
                left_out.append(f"{mod.id}/{activity.id} ({activity.type}: needs this LMS)")
                continue
            counts = module_counts and _counts(mod.completion, activity.id)
            if activity.type == "test":
                mastery = float(activity.settings.get("pass_mark", DEFAULT_PASS_MARK))
                move_on = "Passed" if counts else "NotApplicable"
            else:
                mastery = None
                move_on = "Completed" if counts else "NotApplicable"
            units.append(Unit(activity, mod, move_on, mastery))
        if units:
            blocks.append(Block(mod, tuple(units)))
        else:
            left_out.append(f"{mod.id} (no e-learning or test)")
    return Plan(course, module, tuple(blocks), tuple(left_out))


def _text(parent: etree._Element, tag: str, texts: Mapping[str, str], fallback: Mapping[str, str]):
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}")
    given = {lang: text for lang, text in (texts or {}).items() if text and text.strip()}
    for lang, text in (given or fallback).items():
        string = etree.SubElement(element, f"{{{NAMESPACE}}}langstring")
        string.set("lang", language_tag(lang))
        string.text = text.strip()


def _joined(*parts: Mapping[str, str], languages: Iterable[str], default: str) -> dict[str, str]:
    """Texts joined with ": " per language (each part in that language, else the default)."""
    joined = {}
    for lang in languages:
        words = [p.get(lang) or p.get(default) or "" for p in parts]
        joined[lang] = ": ".join(w for w in words if w)
    return joined


def course_structure(plan: Plan) -> bytes:
    """``cmi5.xml`` for ``plan``: titles and descriptions in every course language."""
    course = plan.course
    langs, default = course.languages, course.default_language
    root = etree.Element(f"{{{NAMESPACE}}}courseStructure", nsmap={None: NAMESPACE})
    element = etree.SubElement(root, f"{{{NAMESPACE}}}course")
    if plan.module is None:
        element.set("id", activity_iri(course.slug))
        title = dict(course.title)
        description = course.description or course.title
    else:
        element.set("id", activity_iri(course.slug, "module", plan.module.id))
        title = _joined(course.title, plan.module.title, languages=langs, default=default)
        description = plan.module.description or title
    _text(element, "title", title, title)
    _text(element, "description", description, title)

    def add_unit(parent: etree._Element, unit: Unit) -> None:
        activity = unit.activity
        au = etree.SubElement(parent, f"{{{NAMESPACE}}}au")
        au.set("id", activity_iri(course.slug, "activity", activity.id))
        au.set("moveOn", unit.move_on)
        if unit.mastery_score is not None:
            au.set("masteryScore", decimal(unit.mastery_score))
        au.set("launchMethod", "AnyWindow")
        _text(au, "title", activity.title, activity.title)
        where = _joined(unit.module.title, activity.title, languages=langs, default=default)
        _text(au, "description", activity.description or where, where)
        etree.SubElement(au, f"{{{NAMESPACE}}}url").text = unit.url

    for block in plan.blocks:
        if plan.module is not None:  # one module: its AUs directly under the course
            for unit in block.units:
                add_unit(root, unit)
            continue
        element = etree.SubElement(root, f"{{{NAMESPACE}}}block")
        element.set("id", activity_iri(course.slug, "module", block.module.id))
        _text(element, "title", block.module.title, block.module.title)
        _text(element, "description", block.module.description or {}, block.module.title)
        for unit in block.units:
            add_unit(element, unit)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
