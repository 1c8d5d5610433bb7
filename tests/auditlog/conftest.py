"""The audit-log tests reuse the privacy tests' person with a bit of everything."""

from tests.privacy.conftest import rich_person  # noqa: F401 (fixture)
