"""The public look-up of a code (a certificate's, a counter label's): the form read from the
query string, one shared budget of look-ups per client address, and the normalised code."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from lms.certification import codes


def read_code(form_class: type, limit_key: str, scope: str) -> tuple[Any, str | None]:
    """The page's form and the code it asks about: None when no code was asked (the empty
    form) or when it is malformed (the form holds the error). Every asked look-up counts
    against the client address's budget ``config[limit_key]`` in ``scope`` (429 when spent),
    valid code or not, so that guessing codes stays hopeless."""
    asked = "code" in request.args
    form = form_class(formdata=request.args if asked else None)
    if not asked:
        return form, None
    limiter = current_app.extensions["lms"].limiter
    with limiter.shared_limit(lambda: current_app.config[limit_key], scope=scope):
        pass
    return form, codes.normalise_code(form.code.data) if form.validate() else None
