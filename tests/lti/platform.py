"""A real LTI 1.3 platform for the tests, built on the PyPI package ``lti1p3platform``
(OpenLearning's platform library, PyJWT + jwcrypto: nothing shared with the tool's joserfc)
and served by werkzeug on 127.0.0.1.

It has its own RSA key and JWKS endpoint; it starts launches with an OIDC third-party login
initiation, answers the tool's authentication request (checking client id, redirect URI,
login hint, message hint, response type and mode, scope, prompt) with a form that posts a
signed id_token; it verifies the tool's client-credentials assertion against the tool's JWKS
(fetched over HTTP) before giving an access token; it stores scores posted to its line items
(bearer token checked, score checked); and it verifies a Deep Linking response against the
tool's JWKS and stores the chosen items.

Test switches: ``down`` (the token and score endpoints answer 503), ``tamper`` (a function
that may change the id_token claims or the signed token before the form is sent).
"""

from __future__ import annotations

import html
import json
import secrets
import socket
import threading
import time
import typing as t
from dataclasses import dataclass, field

import jwt as pyjwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, abort, jsonify, redirect, request
from jwcrypto.jwk import JWK
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from werkzeug.serving import make_server

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
PORTS = range(58100, 58200)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 58100-58199")


def new_rsa_pem() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


class KeyedRegistration(Registration):
    """The library's registration, with a ``kid`` (its RFC 7638 thumbprint) on the key, as
    Moodle and Canvas send one."""

    @classmethod
    def get_jwk(cls, public_key: str) -> dict[str, t.Any]:
        jwk = JWK.from_pem(public_key.encode())
        public = json.loads(jwk.export_public())
        public.update(alg="RS256", use="sig", kid=jwk.thumbprint())
        return public


@dataclass
class Person:
    sub: str
    name: str
    email: str | None
    roles: list[str]


@dataclass
class PlatformState:
    issuer: str
    client_id: str
    deployment_id: str
    tool_base: str
    private_pem: str
    public_pem: str
    people: dict[str, Person] = field(default_factory=dict)
    #: resource link id -> custom parameters and target link uri (what deep linking made).
    links: dict[str, dict[str, t.Any]] = field(default_factory=dict)
    #: line item URL -> {userId: last score message}
    gradebook: dict[str, dict[str, dict[str, t.Any]]] = field(default_factory=dict)
    deep_link_items: list[dict[str, t.Any]] = field(default_factory=list)
    tokens_issued: int = 0
    jwks_requests: int = 0
    down: bool = False
    tamper: t.Callable[[dict[str, t.Any]], dict[str, t.Any]] | None = None
    tamper_token: t.Callable[[str], str] | None = None
    #: (person sub, resource link id or "deep-link") of each login initiation, by message hint.
    pending: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def launch_url(self) -> str:
        return f"{self.tool_base}/lti/launch"


def make_platform_app(state: PlatformState) -> Flask:
    app = Flask("lti-test-platform")
    app.config["SESSION_COOKIE_NAME"] = "platform_session"  # never the tool's cookie

    class Config(LTI1P3PlatformConfAbstract):
        def init_platform_config(self, **_: t.Any) -> None:
            self._registration = (
                KeyedRegistration()
                .set_iss(state.issuer)
                .set_client_id(state.client_id)
                .set_deployment_id(state.deployment_id)
                .set_oidc_login_url(f"{state.tool_base}/lti/login")
                .set_launch_url(state.launch_url)
                .set_deeplink_launch_url(state.launch_url)
                .set_tool_key_set_url(f"{state.tool_base}/lti/jwks.json")
                .set_platform_public_key(state.public_pem)
                .set_platform_private_key(state.private_pem)
            )

        def get_registration_by_params(self, **_: t.Any) -> Registration:
            return self._registration

    class Login(OIDCLoginAbstract):
        def set_lti_message_hint(self, **kwargs: t.Any) -> None:
            self._lti_message_hint = kwargs["hint"]

        def get_redirect(self, url: str):
            return redirect(url)

    class Launch(LTIAdvantageMessageLaunchAbstract):
        def get_preflight_response(self) -> dict[str, t.Any]:
            return request.values.to_dict()

        def render_launch_form(self, launch_data: dict[str, t.Any], **_: t.Any):
            page = (
                '<form id="launch" method="post" action="{launch_url}">'
                '<input type="hidden" name="id_token" value="{id_token}">'
                '<input type="hidden" name="state" value="{state}"></form>'
            ).format(**{k: html.escape(str(v), quote=True) for k, v in launch_data.items()})
            return page

        def generate_launch_request(self):
            data = super().generate_launch_request()
            if state.tamper_token is not None:
                data["id_token"] = state.tamper_token(data["id_token"])
            return data

        def get_launch_message(self, include_extra_claims: bool = True):
            message = super().get_launch_message(include_extra_claims)
            return state.tamper(message) if state.tamper else message

    def start(kind: str, sub: str, link_id: str):
        if sub not in state.people:
            abort(404)
        hint = secrets.token_urlsafe(8)
        state.pending[hint] = (sub, link_id)
        login = Login(request, Config())
        login.set_lti_message_hint(hint=hint)
        if kind == "deep-link":
            login.set_deeplinking_launch_url()
        else:
            login.set_launch_url(state.links[link_id]["url"])
        return login.initiate_login(sub)

    @app.get("/course/<link_id>/open")
    def open_link(link_id: str):
        """A person clicks the tool's link in a course of the platform."""
        if link_id not in state.links:
            abort(404)
        return start("resource", request.args["as"], link_id)

    @app.get("/course/choose-content")
    def choose_content():
        """A teacher adds an activity: a Deep Linking request."""
        return start("deep-link", request.args["as"], "deep-link")

    @app.get("/auth")
    def auth():
        """The OIDC authentication endpoint (IMS Security Framework 5.1.1.2)."""
        args = request.args
        hint = args.get("lti_message_hint", "")
        expected = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": state.client_id,
            "redirect_uri": state.launch_url,
        }
        for name, value in expected.items():
            if args.get(name) != value:
                return f"invalid_request: {name}", 400
        if hint not in state.pending or not args.get("nonce") or not args.get("state"):
            return "invalid_request: hint, nonce or state", 400
        sub, link_id = state.pending.pop(hint)
        if args.get("login_hint") != sub:
            return "login_required: login_hint is not the signed-in person", 400
        person = state.people[sub]
        launch = Launch(request, Config())
        launch.set_user_data(sub, person.roles, person.name, person.email)
        launch.set_launch_context_claim(
            "course-7",
            ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            "Digitale inclusie",
        )
        if link_id == "deep-link":
            launch.set_dl(
                f"{state.issuer}/deep-link/return",
                title="Connectoo",
                accept_types={"ltiResourceLink"},
                extra_data={"opaque": "kept-by-platform"},
            )
        else:
            link = state.links[link_id]
            launch.set_resource_link_claim(link_id, title=link.get("title"))
            launch.set_launch_url(link["url"])
            if link.get("custom"):
                launch.set_custom_parameters_claim(link["custom"])
            launch.set_ags(
                lineitems_url=f"{state.issuer}/lineitems",
                lineitem_url=f"{state.issuer}/lineitems/{link_id}",
                allow_creating_lineitems=False,
            )
        return launch.lti_launch()

    @app.get("/jwks")
    def jwks():
        state.jwks_requests += 1
        return jsonify(Config().get_jwks())

    @app.post("/token")
    def token():
        if state.down:
            return "down", 503
        platform = Config()
        data = request.form.to_dict()
        try:
            answer = platform.get_access_token(data)
        except Exception as exc:  # the library raises several kinds
            return jsonify(error="invalid_client", detail=str(exc)), 400
        # The library leaves the audience unchecked: the assertion is for this endpoint.
        claims = pyjwt.decode(data["client_assertion"], options={"verify_signature": False})
        aud = claims.get("aud")
        if f"{state.issuer}/token" not in (aud if isinstance(aud, list) else [aud]):
            return jsonify(error="invalid_client", detail="aud"), 400
        if claims.get("iss") != state.client_id or claims.get("sub") != state.client_id:
            return jsonify(error="invalid_client", detail="iss/sub"), 400
        state.tokens_issued += 1
        return jsonify(answer)

    @app.post("/lineitems/<link_id>/scores")
    def scores(link_id: str):
        if state.down:
            return "down", 503
        bearer = request.headers.get("Authorization", "")
        if not bearer.startswith("Bearer "):
            return "no token", 401
        try:
            allowed = Config().validate_token(bearer[7:], allowed_scopes=[SCORE_SCOPE])
        except Exception:
            return "bad token", 401
        if not allowed:
            return "scope", 403
        if request.mimetype != "application/vnd.ims.lis.v1.score+json":
            return "media type", 415
        score = json.loads(request.get_data())
        for name in ("userId", "activityProgress", "gradingProgress", "timestamp"):
            if name not in score:
                return f"missing {name}", 400
        if "scoreGiven" in score and not 0 <= score["scoreGiven"] <= score["scoreMaximum"]:
            return "score out of range", 400
        state.gradebook.setdefault(f"{state.issuer}/lineitems/{link_id}", {})[score["userId"]] = (
            score
        )
        return "", 204

    @app.post("/deep-link/return")
    def deep_link_return():
        items = Config().validate_deeplinking_resp({"JWT": request.form["JWT"]})
        claims = pyjwt.decode(request.form["JWT"], options={"verify_signature": False})
        if state.issuer not in (
            claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        ):
            return "aud", 400
        dl = "https://purl.imsglobal.org/spec/lti-dl/claim/"
        if claims.get(dl + "data") != {"opaque": "kept-by-platform"}:
            return "data", 400
        if (
            claims.get("https://purl.imsglobal.org/spec/lti/claim/deployment_id")
            != state.deployment_id
        ):
            return "deployment", 400
        for item in items:
            link_id = f"link-{len(state.links) + 1}"
            state.links[link_id] = {
                "url": item["url"],
                "custom": item.get("custom"),
                "title": item.get("title"),
            }
            state.deep_link_items.append(item)
        return "saved", 200

    return app


class Server:
    """A WSGI app on 127.0.0.1 in a thread (one request at a time, unless ``threaded``)."""

    def __init__(self, app, port: int, *, threaded: bool = False) -> None:
        self.server = make_server("127.0.0.1", port, app, threaded=threaded)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def now() -> int:
    return int(time.time())
