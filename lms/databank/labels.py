"""The databank's vocabularies in plain words (the YAML uses the stable keys)."""

from __future__ import annotations

from collections.abc import Callable

from lms.core.i18n import current_language
from lms.core.i18n import lazy_gettext as _l

TYPE_LABELS = {
    "manual": _l("Manual"),
    "video": _l("Video"),
    "exercise": _l("Exercise"),
    "measuring_tool": _l("Measuring tool"),
    "questionnaire": _l("Questionnaire"),
    "good_practice": _l("Good practice"),
    "presentation": _l("Presentation or trainer's script"),
    "website": _l("Website"),
}
GROUP_LABELS = {
    "everyone": _l("Everyone"),
    "older_people": _l("Older people"),
    "low_literacy": _l("People who find reading hard"),
    "newcomers": _l("Newcomers"),
    "disability": _l("People with a disability"),
    "digihelpers": _l("Digihelpers"),
    "counter_staff": _l("Counter staff"),
}
LANGUAGE_LABELS = {
    "nl": _l("Dutch"),
    "fr": _l("French"),
    "de": _l("German"),
    "en": _l("English"),
}
THEME_LABELS = {
    "itsme": "itsme",
    "csam": "CSAM",
    "myebox": "My eBox",
    "myminfin": "MyMinfin",
    "mypension": "mypension.be",
    "mijngezondheid": _l("Mijn Gezondheid / Ma Santé"),
    "email": _l("E-mail"),
    "video_calling": _l("Video calling"),
    "online_safety": _l("Safety online"),
    "smartphone_basics": _l("Smartphone basics"),
    "online_banking": _l("Online banking"),
    "digital_skills": _l("Digital skills"),
    "eid": _l("eID card"),
    "government_services": _l("Government services online"),
}
FACET_LABELS = {
    "type": _l("Type"),
    "group": _l("Target group"),
    "language": _l("Language of the material"),
    "theme": _l("Theme or app"),
    "organisation": _l("Organisation"),
}
VALUE_LABELS = {
    "type": TYPE_LABELS,
    "group": GROUP_LABELS,
    "language": LANGUAGE_LABELS,
    "theme": THEME_LABELS,
}


def value_label(facet: str, value: str) -> str:
    return str(VALUE_LABELS.get(facet, {}).get(value, value))


#: Labels translated, by (language, facet, value): the catalogues do not change while the
#: LMS runs, and a search page shows a hundred of them.
_translated: dict[tuple[str, str, str], str] = {}


def page_labels() -> Callable[[str, str], str]:
    """``value_label`` for the current language: each label translated once per process."""
    language = current_language()

    def label(facet: str, value: str) -> str:
        key = (language, facet, value)
        found = _translated.get(key)
        if found is None:
            found = value_label(facet, value)
            if value in VALUE_LABELS.get(facet, ()):  # a known value (organisations: none)
                _translated[key] = found
        return found

    return label
