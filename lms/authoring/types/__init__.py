"""The built-in activity and question types.

Each module defines one family of types; this module only lists them, in the order in which
they appear in the guide and the JSON Schema.
"""

from lms.authoring.types.choice import MultipleChoiceType, SingleChoiceType, TrueFalseType
from lms.authoring.types.elearning import ElearningType
from lms.authoring.types.forum import ForumType
from lms.authoring.types.live import SessionType, WebinarType
from lms.authoring.types.matching import MatchingType
from lms.authoring.types.ordering import OrderingType
from lms.authoring.types.short_answer import ShortAnswerType
from lms.authoring.types.test import TestType

BUILTIN_ACTIVITY_TYPES = [ElearningType, TestType, ForumType, WebinarType, SessionType]
BUILTIN_QUESTION_TYPES = [
    SingleChoiceType,
    MultipleChoiceType,
    TrueFalseType,
    MatchingType,
    OrderingType,
    ShortAnswerType,
]
