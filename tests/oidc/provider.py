"""A real OpenID provider for the tests: the npm package ``oidc-provider`` (certified), run with
the machine's node on 127.0.0.1 (``provider.mjs`` beside this file), never a mock.

``npm ci`` installs it from ``package-lock.json`` the first time (scripts/test.sh does it too).
The provider's sign-in page is replaced by one POST that says who the person is (``sign_in``),
so the tests decide the claims the provider vouches for. Everything else is the provider's own:
discovery, authorisation with PKCE, the token endpoint, the keys (JWKS), the ID tokens.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

HERE = Path(__file__).resolve().parent


def ensure_installed() -> None:
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=HERE,
            check=True,
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OIDCProvider:
    """``OIDCProvider(clients).start()``; ``issuer``; ``stop()``."""

    def __init__(self, clients: list[dict], workdir: Path) -> None:
        self.clients = clients
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "oidc-provider.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> OIDCProvider:
        ensure_installed()
        node = shutil.which("node")
        assert node, "node is needed for the OpenID provider of the SSO tests"
        env = {
            **os.environ,
            "OIDC_PORT": str(self.port),
            "OIDC_CLIENTS": json.dumps(self.clients),
        }
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = log = self.log.open("w")
        self.process = subprocess.Popen(
            [node, str(HERE / "provider.mjs")],
            cwd=HERE,
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("ready"):
            self.stop()
            raise RuntimeError(f"the OpenID provider did not start: {self.log.read_text()}")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                requests.get(self.discovery_url, timeout=2).raise_for_status()
                return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("the OpenID provider does not answer")

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process.stdout.close()
            self.process = None
            self._log_file.close()

    def tamper_next_token_response(self, **how) -> None:
        """``mode="signature"``: flip one character of the next ID token's signature;
        ``mode="replace", id_token=...``: put another real ID token in its place."""
        requests.post(f"{self.issuer}/_test/tamper", data=json.dumps(how), timeout=5)

    def sign_in(self, authorize_url: str, *, sub: str, email: str, **claims) -> str:
        """Play the person at the provider: open the authorisation URL the LMS sent the
        browser to, sign in as ``sub`` with these claims, and return the URL the provider
        sends the browser back to (the LMS's callback, with code and state)."""
        browser = requests.Session()
        response = browser.get(authorize_url, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), response.text
        interaction = urljoin(authorize_url, response.headers["Location"])
        assert "/interaction/" in interaction, interaction
        form = {"sub": sub, "email": email, "email_verified": "true"}
        form.update({k: str(v).lower() if isinstance(v, bool) else v for k, v in claims.items()})
        response = browser.post(interaction, data=form, allow_redirects=False, timeout=10)
        assert response.status_code == 303, response.text
        location = urljoin(interaction, response.headers["Location"])
        while location.startswith(self.issuer):
            response = browser.get(location, allow_redirects=False, timeout=10)
            assert response.status_code in (302, 303), response.text
            location = urljoin(location, response.headers["Location"])
        return location

    def id_token_for(
        self, client: dict, *, nonce: str, sub: str, email: str, redirect_uri: str
    ) -> str:
        """A real ID token issued to ``client`` (another client than the LMS): the code flow
        run by hand, with PKCE, for the given nonce."""
        import base64
        import hashlib
        import secrets
        from urllib.parse import urlencode

        verifier = secrets.token_urlsafe(48)
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        query = urlencode(
            {
                "client_id": client["client_id"],
                "response_type": "code",
                "scope": "openid email profile",
                "redirect_uri": redirect_uri,
                "state": "other-client",
                "nonce": nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        back = self.sign_in(f"{self.issuer}/auth?{query}", sub=sub, email=email)
        code = parse_qs(urlsplit(back).query)["code"][0]
        token = requests.post(
            f"{self.issuer}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
            auth=(client["client_id"], client["client_secret"]),
            timeout=10,
        )
        token.raise_for_status()
        return token.json()["id_token"]
