"""Import validated course and bank files into the catalog, all or nothing.

With any error, nothing is written. A file whose normalised content has not changed is left
alone (no write at all); a changed one becomes a new immutable version. Learner data is keyed
by the ids in the files, so it carries over.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from lms.authoring.builtin import default_registries
from lms.authoring.context import BankInfo
from lms.authoring.diagnostics import Diagnostic
from lms.authoring.normalise import bank_definition, content_hash, course_definition
from lms.authoring.registry import Registries
from lms.authoring.resources import resource_definition, resource_store
from lms.authoring.validate import ValidationResult, validate_paths
from lms.catalog.changes import Changes, bank_changes, course_changes
from lms.catalog.queries import (
    current_bank_sizes,
    get_course_def,
    get_latest_bank_def,
    get_latest_course_def,
)
from lms.catalog.readmodel import BankDef, CourseDef, build_bank_def, build_course_def
from lms.catalog.services import StoreStatus, store_bank_version, store_course_version
from lms.core.db import utcnow


class ImportFailed(Exception):
    """The files have errors; nothing was imported."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        errors = sum(1 for d in diagnostics if d.is_error)
        super().__init__(f"{errors} error(s); nothing was imported")


@dataclass(frozen=True)
class ImportEntry:
    kind: str  # "course", "bank" or "resource"
    slug: str
    status: StoreStatus
    version: int
    source: str
    #: Whether learners see this version (a course file may say ``published: false``).
    published: bool = True
    #: When it is to be published, if it is scheduled.
    publish_at: datetime | None = None

    def __str__(self) -> str:
        if self.kind == "resource":
            return f"resource {self.slug}: {self.status}"
        what = {
            "created": f"created (version {self.version})",
            "new version": f"new version {self.version}",
            "unchanged": f"unchanged (version {self.version})",
            "published": f"version {self.version} published",
        }[self.status]
        hidden = (
            ""
            if self.published
            else f" (to be published {self.publish_at:%Y-%m-%d %H:%M} UTC)"
            if self.publish_at
            else " (not published: learners do not see it yet)"
        )
        return f"{self.kind} {self.slug}: {what}{hidden}"


@dataclass
class ImportReport:
    entries: list[ImportEntry] = field(default_factory=list)
    #: Warnings of the files (an import goes ahead with warnings).
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(e.status != "unchanged" for e in self.entries)

    def lines(self) -> list[str]:
        return [str(entry) for entry in self.entries]

    def __str__(self) -> str:
        return "\n".join(self.lines())


@dataclass
class PlannedItem:
    """A course or bank of the files, with the version it would replace."""

    kind: str  # "course" or "bank"
    slug: str
    definition: dict[str, Any]
    digest: str
    source: str
    #: The latest stored version's read model (None: not imported yet).
    before: CourseDef | BankDef | None
    #: What storing it would change; None when the content is the same as ``before``.
    changes: Changes | None
    #: Whether learners are to see it now (``published`` of a course file, and its
    #: ``publish_at`` not in the future).
    publish: bool = True
    #: When to publish it (``publish_at`` of a course file, in the future), in UTC.
    publish_at: datetime | None = None
    #: The version learners see now (a course's; None: none yet).
    current: CourseDef | None = None


@dataclass
class ImportPlan:
    """What an import would do, computed without writing anything (``plan_import``)."""

    result: ValidationResult
    registries: Registries
    items: list[PlannedItem] = field(default_factory=list)

    @property
    def changed(self) -> list[PlannedItem]:
        return [item for item in self.items if item.changes is not None]


#: A publication day (``publish_at: 2027-01-15``) starts at midnight in Belgium.
PUBLICATION_ZONE = ZoneInfo("Europe/Brussels")


def publication_moment(value: date | datetime | None) -> datetime | None:
    """``publish_at`` as an aware UTC moment (a day: its midnight, Brussels time; a moment
    without a zone: Brussels time)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=PUBLICATION_ZONE)
    return value.astimezone(UTC)


def plan_import(
    session: Session,
    paths: Iterable[Path],
    certificates_dir: Path | None,
    *,
    registries: Registries | None = None,
) -> ImportPlan:
    """Validate the files under ``paths`` and compare them with the stored versions.

    Reads only. Raises ``ImportFailed`` when the files have any error.
    """
    registries = registries or default_registries()
    known = {
        slug: BankInfo(slug, count, "the imported question banks")
        for slug, count in current_bank_sizes(session).items()
    }
    store = resource_store()
    result = validate_paths(
        list(paths),
        certificates_dir,
        known_banks=known,
        known_resources=store.known(session) if store is not None else None,
        registries=registries,
    )
    if result.errors:
        raise ImportFailed(result.diagnostics)
    if result.resources and store is None:
        raise RuntimeError("resource files need the databank (lms.databank) to be loaded")
    plan = ImportPlan(result, registries)
    for parsed in result.banks:
        definition = bank_definition(parsed, registries)
        digest = content_hash(definition)
        before = get_latest_bank_def(session, definition["id"])
        after = build_bank_def(definition, bank_id=0, version_id=0, number=0, content_hash=digest)
        changes = (
            None
            if before is not None and before.content_hash == digest
            else bank_changes(before, after)
        )
        plan.items.append(
            PlannedItem(
                "bank", definition["id"], definition, digest, parsed.doc.display, before, changes
            )
        )
    for parsed in result.courses:
        published = bool(getattr(parsed.model, "published", True))
        publish_at = publication_moment(getattr(parsed.model, "publish_at", None))
        definition = course_definition(parsed, registries)
        digest = content_hash(definition)
        before = get_latest_course_def(session, definition["id"])
        after = build_course_def(
            definition, course_id=0, version_id=0, number=0, content_hash=digest
        )
        changes = (
            None
            if before is not None and before.content_hash == digest
            else course_changes(before, after)  # type: ignore[arg-type]
        )
        plan.items.append(
            PlannedItem(
                "course",
                definition["id"],
                definition,
                digest,
                parsed.doc.display,
                before,
                changes,
                publish=published and (publish_at is None or publish_at <= utcnow()),
                publish_at=publish_at if published else None,
                current=get_course_def(session, definition["id"]),
            )
        )
    return plan


def import_paths(
    session: Session,
    paths: Iterable[Path],
    certificates_dir: Path | None,
    *,
    registries: Registries | None = None,
    imported_by: str | None = None,
) -> ImportReport:
    """Validate and import the course and bank files under ``paths``; flush, never commit.

    Tests may name banks that are not among ``paths`` but already imported. Raises
    ``ImportFailed`` (having written nothing) when the files have any error.
    """
    plan = plan_import(session, paths, certificates_dir, registries=registries)
    return apply_import(session, plan, imported_by=imported_by)


def apply_import(
    session: Session,
    plan: ImportPlan,
    *,
    imported_by: str | None = None,
    notes: Mapping[tuple[str, str], Mapping[str, Any]] | None = None,
) -> ImportReport:
    """Store what ``plan`` found changed; flush, never commit.

    Each new version records ``imported_by`` and its change summary, to which ``notes``
    (by (kind, slug)) adds what the caller found out, e.g. the learners affected.
    """
    result = plan.result
    report = ImportReport(warnings=result.warnings)
    # Databank resources first: course sections name them.
    store = resource_store()
    if result.resources and store is not None:
        definitions = [
            (resource_definition(parsed.model), parsed.doc.display)  # type: ignore[arg-type]
            for parsed in result.resources
        ]
        for (definition, source), status in zip(
            definitions, store.store(session, definitions), strict=True
        ):
            report.entries.append(ImportEntry("resource", definition["id"], status, 1, source))
    # Banks next (planned first): a course's tests refer to them.
    storers = {"bank": store_bank_version, "course": store_course_version}
    for item in plan.items:
        summary = None
        if item.changes is not None:
            summary = {
                **item.changes.to_json(),
                **((notes or {}).get((item.kind, item.slug)) or {}),
            }
        version, status = storers[item.kind](
            session,
            item.slug,
            item.definition,
            item.digest,
            item.source,
            imported_by=imported_by,
            changes=summary,
            **(
                {"publish": item.publish, "publish_at": item.publish_at}
                if item.kind == "course"
                else {}
            ),
        )
        published = item.kind != "course" or version.published_at is not None
        report.entries.append(
            ImportEntry(
                item.kind,
                item.slug,
                status,
                version.number,
                item.source,
                published,
                None if published else getattr(version, "publish_at", None),
            )
        )
    return report
