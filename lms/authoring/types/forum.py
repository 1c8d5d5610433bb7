"""The forum activity: colleagues share experiences on a prompt."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from lms.authoring.fields import FormatModel, Text
from lms.authoring.registry import ActivityType


class ForumSettings(FormatModel):
    prompt: Text = Field(description="What colleagues are invited to share (Markdown).")
    required_posts: int = Field(1, ge=0, description="Posts needed to complete the activity.")


class ForumType(ActivityType):
    name = "forum"
    description = "A discussion; done when the learner has written `required_posts` posts."
    settings: ClassVar = ForumSettings
