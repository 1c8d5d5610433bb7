"""The forum activity: colleagues share experiences on a prompt."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from lms.authoring.context import CheckContext
from lms.authoring.fields import FormatModel, Text
from lms.authoring.registry import ActivityType

#: Who reads and writes in a forum: everyone enrolled in the course, or only the colleagues
#: of the same organisation (each organisation then has its own threads).
VISIBILITIES = ("course", "organisation")
DEFAULT_VISIBILITY = "course"


class ForumSettings(FormatModel):
    prompt: Text = Field(description="What colleagues are invited to share (Markdown).")
    required_posts: int = Field(1, ge=0, description="Posts needed to complete the activity.")
    visibility: Literal["course", "organisation"] = Field(
        DEFAULT_VISIBILITY,
        description="course: everyone enrolled reads it; organisation: only colleagues of "
        "the same organisation.",
    )


class ForumType(ActivityType):
    name = "forum"
    description = "A discussion; done when the learner has written `required_posts` posts."
    settings: ClassVar = ForumSettings

    def normalise(self, activity: Any, ctx: CheckContext) -> dict[str, Any]:
        settings = super().normalise(activity, ctx)
        # The default is left out of the stored definition, so that courses written before
        # the field existed keep their content hash (and their version).
        if settings.get("visibility") == DEFAULT_VISIBILITY:
            del settings["visibility"]
        return settings
