"""Look-ups on the public label verification page share one budget per client address."""

from __future__ import annotations

import pytest


@pytest.fixture
def app_config():
    return {"LMS_LABEL_COURSE": "rapport", "LMS_LABEL_VERIFY_RATE_LIMIT": "2 per minute"}


def test_look_ups_are_limited(client):
    for _ in range(2):
        assert client.get("/labels/verify?code=AAAA-BBBB-CCCC").status_code == 200
    assert client.get("/labels/verify?code=AAAA-BBBB-CCCC").status_code == 429
    assert client.get("/labels/verify").status_code == 200  # the form alone is no look-up
    assert client.get("/labels/").status_code == 200
