"""Curated databank resources as code: one YAML file per resource (``resource: <id>``).

The format (docs/authoring-resources.md) is checked here with the same located diagnostics as
courses. Storing the resources belongs to the databank, which sits above authoring: it
registers a ``ResourceStore`` at start-up, and ``lms import`` hands it the validated files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Protocol

from pydantic import Field, StringConstraints, field_validator

from lms.authoring.fields import FormatModel, Lang

RESOURCE_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
RESOURCE_ID_MAX_LENGTH = 80

#: The vocabularies of the format, in the order the databank shows them.
TYPES = (
    "manual",
    "video",
    "exercise",
    "measuring_tool",
    "questionnaire",
    "good_practice",
    "presentation",
    "website",
)
TARGET_GROUPS = (
    "everyone",
    "older_people",
    "low_literacy",
    "newcomers",
    "disability",
    "digihelpers",
    "counter_staff",
)
THEMES = (
    "itsme",
    "csam",
    "myebox",
    "myminfin",
    "mypension",
    "mijngezondheid",
    "email",
    "video_calling",
    "online_safety",
    "smartphone_basics",
    "online_banking",
    "digital_skills",
    "eid",
    "government_services",
)
MATERIAL_LANGUAGES = ("nl", "fr", "de", "en")

ResourceId = Annotated[
    str, StringConstraints(pattern=RESOURCE_ID_PATTERN, max_length=RESOURCE_ID_MAX_LENGTH)
]
ResourceType = Literal[TYPES]  # type: ignore[valid-type]
TargetGroup = Literal[TARGET_GROUPS]  # type: ignore[valid-type]
Theme = Literal[THEMES]  # type: ignore[valid-type]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=600)]
Keyword = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


def _unique(values: list[Any]) -> list[Any]:
    if len(set(values)) != len(values):
        raise ValueError("a value is listed twice")
    return values


class ResourceFile(FormatModel):
    """A curated resource of the databank (courses/resources/<id>.yaml)."""

    resource: ResourceId = Field(description="Stable id; equals the file name without .yaml.")
    title: dict[Lang, Title] = Field(min_length=1, description="At least one of nl/fr.")
    description: dict[Lang, Description] = Field(min_length=1, description="1-3 sentences.")
    organisation: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)
    ] = Field(description="The organisation that made the material.")
    type: ResourceType
    target_groups: list[TargetGroup] = Field(min_length=1)
    languages: list[Lang] = Field(min_length=1, description="Languages of the material itself.")
    themes: list[Theme] = Field(min_length=1)
    keywords: dict[Lang, list[Keyword]] = Field(default_factory=dict)
    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s/$.?#][^\s]*$", max_length=500)]
    licence: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    added: dt.date

    _unique_lists = field_validator("target_groups", "languages", "themes")(_unique)


@dataclass(frozen=True)
class ResourceInfo:
    """What a course needs to know about a resource it names."""

    id: str
    where: str


def resource_definition(model: ResourceFile) -> dict[str, Any]:
    """The plain data the databank stores for a curated resource."""
    data = model.model_dump(mode="json")
    data["id"] = data.pop("resource")
    return data


class ResourceStore(Protocol):
    """The databank's side of ``lms import`` (registered by the databank at start-up)."""

    def known(self, session: Any) -> Mapping[str, ResourceInfo]:
        """Resources already in the database (courses may name them)."""
        ...

    def store(self, session: Any, definitions: list[tuple[dict[str, Any], str]]) -> list[Any]:
        """Create or update curated resources; one (id, status) per definition; flush."""
        ...


_store: list[ResourceStore] = []


def register_resource_store(store: ResourceStore) -> None:
    _store[:] = [store]


def resource_store() -> ResourceStore | None:
    return _store[0] if _store else None


def url_key(url: str) -> str:
    """The form of an address used to find duplicates: no scheme, ``www.``, case of the host,
    trailing slash or fragment."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip().lower()
    host = (parts.hostname or "").lower().removeprefix("www.")
    try:
        port = f":{parts.port}" if parts.port not in (None, 80, 443) else ""
    except ValueError:
        port = ""
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{port}{path}{query}"
