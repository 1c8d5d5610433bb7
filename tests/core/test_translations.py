"""Every UI string is in every catalogue, translated, and compiled."""

from __future__ import annotations

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import REPO

LANGUAGES = ["nl", "fr", "de", "en"]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
METHOD_MAP = [
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.txt", "jinja2"),
]


@pytest.fixture(scope="module")
def source_ids() -> set[str]:
    """Run the same extraction as `make i18n-extract`."""
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(REPO / "lms"), METHOD_MAP, keywords=KEYWORDS
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    assert len(ids) > 100
    return ids


def _catalog(language: str):
    with open(REPO / "lms" / "translations" / language / "LC_MESSAGES" / "lms.po", "rb") as fh:
        return read_po(fh, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(source_ids, language):
    catalog = _catalog(language)
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated[key] = all(strings) and not message.fuzzy
        if isinstance(message.id, tuple):
            assert len(strings) == catalog.num_plurals, (language, key)
    missing = sorted(source_ids - translated.keys())
    empty = sorted(k for k in source_ids if translated.get(k) is False)
    assert missing == [], f"{language}: not in the catalogue (run make i18n-update)"
    assert empty == [], f"{language}: empty or fuzzy translations"


def test_french_has_three_plural_forms():
    assert _catalog("fr").num_plurals == 3


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches(language):
    catalog = _catalog(language)
    with open(REPO / "lms" / "translations" / language / "LC_MESSAGES" / "lms.mo", "rb") as fh:
        compiled = read_mo(fh)
    for message in catalog:
        if message.id and not message.fuzzy:
            assert compiled.get(message.id) is not None, (language, message.id)
            expected = message.string
            got = compiled[message.id].string
            if isinstance(expected, tuple):
                got = tuple(got)
            assert got == expected, f"{language}: lms.mo is out of date; run make i18n-compile"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_kept(language):
    import re

    pattern = re.compile(r"%\(\w+\)[sd]")
    for message in _catalog(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(pattern.findall(ids[-1]))
        for string in strings:
            if string:
                assert set(pattern.findall(string)) <= wanted | set(pattern.findall(ids[0])), (
                    language,
                    message.id,
                )
