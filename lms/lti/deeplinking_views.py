"""Deep Linking 2.0: a teacher in the platform picks a course or a module of this LMS; the
tool answers with a signed ``LtiDeepLinkingResponse`` holding one ``ltiResourceLink``.

The choice page comes straight out of the verified launch. Platforms often show it in a
frame of their own, where this site's session cookie may not be sent, so the page carries
what the answer needs as a signed, timed context (itsdangerous with the app's secret)
instead of a session; the context also stands in for the form token (``csrf_exempt``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, render_template, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lms.catalog.queries import get_current_course_defs
from lms.core.db import db
from lms.core.i18n import current_language
from lms.core.security import CONTENT_SECURITY_POLICY, csrf_exempt
from lms.lti import claims as c
from lms.lti import services
from lms.lti.blueprint import bp, refused
from lms.lti.launch import LtiRefused
from lms.lti.models import LtiRegistration

#: A teacher has this long to choose.
CHOICE_SECONDS = 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="lms.lti.deep-linking")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _framed_by(response, issuer: str, return_url: str, *, posts_back: bool = False):
    """Let the platform show the page in its frame (and the answer go to it). The issuer
    is not always the platform's host (Canvas Cloud), the return URL is."""
    origins = " ".join(sorted({_origin(issuer), _origin(return_url)}))
    policy = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {origins}")
    if posts_back:
        policy = policy.replace("form-action 'self'", f"form-action 'self' {_origin(return_url)}")
    # Browsers follow the policy's frame-ancestors over the X-Frame-Options header.
    response.headers["Content-Security-Policy"] = policy
    return response


def _choices(language: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(course value, title, [(module value, title)]) of every published course."""
    courses = sorted(
        get_current_course_defs(db.session).values(), key=lambda d: d.text(d.title, language)
    )
    return [
        (
            course.slug,
            course.text(course.title, language),
            [(f"{course.slug}/{m.id}", course.text(m.title, language)) for m in course.modules],
        )
        for course in courses
    ]


def _page(context_token: str, registration: LtiRegistration, return_url: str, error=None):
    language = current_language()
    response = current_app.make_response(
        (
            render_template(
                "lms/lti/choose.html",
                context=context_token,
                choices=_choices(language),
                platform=registration.name,
                error=error,
            ),
            422 if error else 200,
        )
    )
    return _framed_by(response, registration.issuer, return_url)


def start_choice(registration: LtiRegistration, claims: dict):
    roles = claims.get(c.ROLES) if isinstance(claims.get(c.ROLES), list) else []
    if not any(role in c.CONTENT_CHOOSERS for role in roles):
        raise LtiRefused(
            "not_a_teacher", 403, "no instructor role", issuer=registration.issuer,
            registration_id=registration.id,
        )  # fmt: skip
    settings = claims.get(c.DEEP_LINKING_SETTINGS)
    return_url = settings.get("deep_link_return_url") if isinstance(settings, dict) else None
    accepted = settings.get("accept_types") if isinstance(settings, dict) else None
    if not isinstance(return_url, str) or not urlsplit(return_url).netloc:
        raise LtiRefused(
            "bad_request", 400, "no deep_link_return_url", issuer=registration.issuer,
            registration_id=registration.id,
        )  # fmt: skip
    if isinstance(accepted, list) and "ltiResourceLink" not in accepted:
        raise LtiRefused(
            "bad_request", 400, "ltiResourceLink not accepted", issuer=registration.issuer,
            registration_id=registration.id,
        )  # fmt: skip
    db.session.commit()  # the nonce, used
    token = _serializer().dumps(
        {
            "r": registration.id,
            "deployment_id": claims[c.DEPLOYMENT_ID],
            "return_url": return_url,
            "data": settings.get("data"),
        }
    )
    return _page(token, registration, return_url)


@bp.post("/deep-linking")
@csrf_exempt
def choose():
    try:
        context = _serializer().loads(request.form.get("context", ""), max_age=CHOICE_SECONDS)
        registration = db.session.get(LtiRegistration, int(context["r"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return refused(LtiRefused("state", 400, "deep linking context"), "deep_linking")
    if registration is None or not registration.active:
        return refused(LtiRefused("unknown_platform", 403, "registration gone"), "deep_linking")
    value = request.form.get("resource", "")
    slug, _, module_id = value.partition("/")
    course = get_current_course_defs(db.session)
    chosen = next((d for d in course.values() if d.slug == slug), None)
    if chosen is None or (module_id and module_id not in chosen.modules_by_id):
        return _page(request.form.get("context", ""), registration, context["return_url"], True)
    item = services.resource_item(chosen, module_id or None, current_language())
    jwt = services.deep_linking_response(current_app, registration, context, [item])
    response = current_app.make_response(
        render_template(
            "lms/lti/return.html",
            return_url=context["return_url"],
            jwt=jwt,
            title=item["title"],
            platform=registration.name,
        )
    )
    return _framed_by(response, registration.issuer, context["return_url"], posts_back=True)
