"""The tool's side of an LTI 1.3 launch (IMS LTI 1.3 and the IMS Security Framework).

1. ``/lti/login`` (OIDC third-party login initiation): the platform names itself (``iss``,
   ``client_id``), the person (``login_hint``) and the target. We choose a state and a
   nonce, keep them in a signed cookie named after the state (several launches in several
   tabs do not overwrite each other), and send the browser to the platform's authorisation
   endpoint.
2. ``/lti/launch``: the platform posts the signed ``id_token`` and the state back. The
   cookie of that state must be there (same browser, in time); the token is checked by
   ``launch.verify_id_token`` (signature against the platform's key set, iss, aud/azp, exp,
   iat, nonce of the cookie and never used before, version, message type, deployment).
   A resource link launch signs the person in and lands on the course or module; a Deep
   Linking request shows the teacher the choice (``deeplinking_views``).

Both accept a cross-site POST by design, so the form token is replaced by the state cookie
(and, for the choice, a signed context): ``csrf_exempt``.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode, urlsplit

from flask import current_app, jsonify, redirect, request, url_for
from flask_login import login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException

from lms.accounts.login import start_session
from lms.catalog.queries import get_course_def
from lms.core.db import db, writes
from lms.core.security import csrf_exempt
from lms.core.urls import external_url
from lms.lti import claims as c
from lms.lti import listeners, services
from lms.lti.blueprint import bp, refused
from lms.lti.keys import public_jwks
from lms.lti.launch import LtiRefused, find_registration, unverified_claims, verify_id_token
from lms.lti.models import LtiRegistration

listeners.connect()

STATE_COOKIE = "lms_lti_state_"


def _state_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="lms.lti.state")


@bp.get("/jwks.json")
def jwks():
    response = jsonify(public_jwks(current_app))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _own_url(url: str) -> bool:
    """Whether ``url`` points at this tool (the platform must not send people elsewhere)."""
    target = urlsplit(url or "")
    base = urlsplit(current_app.config["LMS_BASE_URL"])
    return target.scheme in ("http", "https") and target.netloc in (base.netloc, request.host)


@bp.route("/login", methods=["GET", "POST"])
@csrf_exempt
@writes  # a refusal is written to the audit log
def login():
    params = request.values
    issuer, login_hint = params.get("iss", ""), params.get("login_hint", "")
    target = params.get("target_link_uri", "")
    try:
        if not issuer or not login_hint or not target:
            raise LtiRefused("bad_request", 400, "iss, login_hint or target_link_uri missing")
        registration = find_registration(db.session, issuer, params.get("client_id"))
        if registration is None:
            raise LtiRefused("unknown_platform", 403, "no registration", issuer=issuer)
        deployment = params.get("lti_deployment_id")
        if deployment is not None and deployment not in registration.deployment_ids:
            raise LtiRefused(
                "unknown_deployment",
                403,
                f"deployment {deployment[:100]!r}",
                issuer=issuer,
                registration_id=registration.id,
            )
        if not _own_url(target):
            raise LtiRefused(
                "bad_request", 400, "target_link_uri of another site", issuer=issuer,
                registration_id=registration.id,
            )  # fmt: skip
    except LtiRefused as refusal:
        return refused(refusal, "login")
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": registration.client_id,
        "redirect_uri": external_url("lms.lti.launch"),
        "login_hint": login_hint,
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if urlsplit(registration.auth_login_url).query else "?"
    response = redirect(registration.auth_login_url + separator + urlencode(query))
    secure = request.is_secure or current_app.config["LMS_BASE_URL"].startswith("https:")
    response.set_cookie(
        STATE_COOKIE + state,
        _state_serializer().dumps({"n": nonce, "r": registration.id}),
        max_age=int(current_app.config["LMS_LTI_STATE_SECONDS"]),
        httponly=True,
        secure=secure,
        # The launch is a cross-site POST: only SameSite=None cookies come with it (and
        # browsers keep those only when Secure, so on plain http it stays Lax).
        samesite="None" if secure else "Lax",
        path=url_for("lms.lti.launch"),
    )
    return response


def _pending(state: str) -> tuple[str, int]:
    cookie = request.cookies.get(STATE_COOKIE + state) if state else None
    if not cookie:
        raise LtiRefused("state", 400, "no login was started for this state in this browser")
    try:
        data = _state_serializer().loads(
            cookie, max_age=int(current_app.config["LMS_LTI_STATE_SECONDS"])
        )
        return str(data["n"]), int(data["r"])
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        raise LtiRefused("state", 400, f"state cookie: {type(exc).__name__}") from exc


def _resource(claims: dict) -> tuple[str, str | None]:
    """The course slug and module id a launch asks for: the custom parameters of the link,
    else the target link URI (one of this tool's resource URLs)."""
    custom = claims.get(c.CUSTOM) if isinstance(claims.get(c.CUSTOM), dict) else {}
    if custom.get("lms_course"):
        module = custom.get("lms_module")
        return str(custom["lms_course"]), str(module) if module else None
    target = str(claims.get(c.TARGET_LINK_URI) or "")
    if _own_url(target):
        adapter = current_app.url_map.bind(urlsplit(target).netloc)
        try:
            endpoint, values = adapter.match(urlsplit(target).path, method="GET")
        except HTTPException:
            endpoint, values = "", {}
        if endpoint in ("lms.lti.course_resource", "lms.lti.module_resource"):
            return values["slug"], values.get("module_id")
    return "", None


@bp.post("/launch")
@csrf_exempt
@writes
def launch():
    state, token = request.form.get("state", ""), request.form.get("id_token", "")
    try:
        if not token:
            raise LtiRefused("bad_request", 400, "no id_token")
        nonce, registration_id = _pending(state)
        registration = db.session.get(LtiRegistration, registration_id)
        _, payload = unverified_claims(token)
        if registration is None or not registration.active:
            raise LtiRefused(
                "unknown_platform", 403, "registration gone", issuer=payload.get("iss")
            )
        if payload.get("iss") != registration.issuer:
            known = find_registration(db.session, payload.get("iss"))
            raise LtiRefused(
                "issuer" if known else "unknown_platform",
                400 if known else 403,
                "iss is not the platform the login started with",
                issuer=str(payload.get("iss"))[:255],
                registration_id=registration.id,
            )
        claims = verify_id_token(
            current_app, db.session, token, registration=registration, expected_nonce=nonce
        )
        if claims[c.MESSAGE_TYPE] == c.DEEP_LINKING_REQUEST:
            from lms.lti.deeplinking_views import start_choice

            response = start_choice(registration, claims)
        else:
            response = _land(registration, claims)
    except LtiRefused as refusal:
        return refused(refusal, "launch")
    response.delete_cookie(STATE_COOKIE + state, path=url_for("lms.lti.launch"))
    return response


def _land(registration: LtiRegistration, claims: dict):
    slug, module_id = _resource(claims)
    course = get_course_def(db.session, slug) if slug else None
    if course is None or (module_id and module_id not in course.modules_by_id):
        raise LtiRefused(
            "unknown_resource", 404, f"{slug!r} {module_id!r}", issuer=registration.issuer,
            registration_id=registration.id,
        )  # fmt: skip
    user = services.person_for_launch(db.session, registration, claims)
    services.start_learning(db.session, registration, user, course, module_id, claims)
    db.session.commit()
    start_session(user)
    target = url_for("lms.learning.course", slug=course.slug)
    return redirect(target + (f"#module-{module_id}" if module_id else ""))


@bp.get("/courses/<slug>")
@login_required
def course_resource(slug: str):
    """The target link URI of a course (a launch comes back here; so may a bookmark)."""
    return redirect(url_for("lms.learning.course", slug=slug))


@bp.get("/courses/<slug>/modules/<module_id>")
@login_required
def module_resource(slug: str, module_id: str):
    return redirect(url_for("lms.learning.course", slug=slug) + f"#module-{module_id}")


from lms.lti import admin_views, deeplinking_views  # noqa: E402, F401  (their routes)
