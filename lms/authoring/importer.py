"""Import validated course and bank files into the catalog, all or nothing.

With any error, nothing is written. A file whose normalised content has not changed is left
alone (no write at all); a changed one becomes a new immutable version. Learner data is keyed
by the ids in the files, so it carries over.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from lms.authoring.builtin import default_registries
from lms.authoring.context import BankInfo
from lms.authoring.diagnostics import Diagnostic
from lms.authoring.normalise import bank_definition, content_hash, course_definition
from lms.authoring.registry import Registries
from lms.authoring.resources import resource_definition, resource_store
from lms.authoring.validate import ValidationResult, validate_paths
from lms.catalog.queries import current_bank_sizes
from lms.catalog.services import StoreStatus, store_bank_version, store_course_version


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

    def __str__(self) -> str:
        if self.kind == "resource":
            return f"resource {self.slug}: {self.status}"
        what = {
            "created": f"created (version {self.version})",
            "new version": f"new version {self.version}",
            "unchanged": f"unchanged (version {self.version})",
        }[self.status]
        return f"{self.kind} {self.slug}: {what}"


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


def import_paths(
    session: Session,
    paths: Iterable[Path],
    certificates_dir: Path | None,
    *,
    registries: Registries | None = None,
) -> ImportReport:
    """Validate and import the course and bank files under ``paths``; flush, never commit.

    Tests may name banks that are not among ``paths`` but already imported. Raises
    ``ImportFailed`` (having written nothing) when the files have any error.
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
    return _store(session, result, registries)


def _store(session: Session, result: ValidationResult, registries: Registries) -> ImportReport:
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
    # Banks next: a course's tests refer to them.
    for parsed in result.banks:
        definition = bank_definition(parsed, registries)
        version, status = store_bank_version(
            session, definition["id"], definition, content_hash(definition), parsed.doc.display
        )
        report.entries.append(
            ImportEntry("bank", definition["id"], status, version.number, parsed.doc.display)
        )
    for parsed in result.courses:
        definition = course_definition(parsed, registries)
        version, status = store_course_version(
            session, definition["id"], definition, content_hash(definition), parsed.doc.display
        )
        report.entries.append(
            ImportEntry("course", definition["id"], status, version.number, parsed.doc.display)
        )
    return report
