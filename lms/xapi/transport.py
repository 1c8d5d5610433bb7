"""HTTP to the LRS endpoints: their configuration, timeouts and back-off settings.

tincan's ``RemoteLRS`` has no timeout (a dead LRS would hang the worker), so statements are
POSTed here with ``requests``: a connect and a read timeout on every request, kept-alive
connections per endpoint, basic auth and the ``X-Experience-API-Version`` header.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import requests

REJECTED = frozenset({400, 422})
CONFLICT = 409
XAPI_VERSION = "1.0.3"


@dataclass(frozen=True)
class Endpoint:
    """One entry of ``LMS_LRS_ENDPOINTS``."""

    name: str
    url: str
    username: str = ""
    password: str = ""

    @property
    def statements_url(self) -> str:
        url = self.url.rstrip("/")
        return url if url.endswith("/statements") else url + "/statements"


@dataclass(frozen=True)
class Settings:
    connect_timeout: float = 5.0
    timeout: float = 20.0
    batch_size: int = 200
    backoff_base: float = 2.0
    backoff_max: float = 600.0
    max_attempts: int = 5
    #: How long a worker's claim on an endpoint lasts (renewed at every batch).
    lease_seconds: float = 300.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        return cls(
            connect_timeout=float(config["LMS_XAPI_CONNECT_TIMEOUT"]),
            timeout=float(config["LMS_XAPI_TIMEOUT"]),
            batch_size=int(config["LMS_XAPI_BATCH_SIZE"]),
            backoff_base=float(config["LMS_XAPI_BACKOFF_BASE"]),
            backoff_max=float(config["LMS_XAPI_BACKOFF_MAX"]),
            max_attempts=int(config["LMS_XAPI_MAX_ATTEMPTS"]),
            lease_seconds=float(config["LMS_WORKER_LEASE_SECONDS"]),
        )

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)

    def backoff(self, failures: int) -> timedelta:
        seconds = self.backoff_base * 2 ** max(0, failures - 1)
        return timedelta(seconds=min(seconds, self.backoff_max))


def endpoints_from_config(config: Mapping[str, Any]) -> list[Endpoint]:
    return [
        Endpoint(
            name=str(item["name"]),
            url=str(item["url"]),
            username=str(item.get("username") or ""),
            password=str(item.get("password") or ""),
        )
        for item in config.get("LMS_LRS_ENDPOINTS") or []
    ]


class EndpointFailure(Exception):
    """The endpoint could not take a request now (network, timeout, auth, server error)."""


@dataclass
class Transport:
    """HTTP to the LRSs, with a timeout on every request and kept-alive connections."""

    settings: Settings
    _sessions: dict[str, requests.Session] = field(default_factory=dict)

    def post(self, endpoint: Endpoint, payloads: Sequence[str]) -> int:
        """POST the statements; returns the status code or raises ``EndpointFailure``."""
        http = self._sessions.get(endpoint.name)
        if http is None:
            http = self._sessions[endpoint.name] = requests.Session()
            if endpoint.username or endpoint.password:
                http.auth = (endpoint.username, endpoint.password)
            http.headers.update(
                {"X-Experience-API-Version": XAPI_VERSION, "Content-Type": "application/json"}
            )
        body = ("[" + ",".join(payloads) + "]").encode("utf-8")
        try:
            response = http.post(
                endpoint.statements_url,
                data=body,
                timeout=(self.settings.connect_timeout, self.settings.timeout),
            )
        except requests.RequestException as exc:
            raise EndpointFailure(f"{type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if 200 <= status < 300 or status in REJECTED or status == CONFLICT:
            return status
        raise EndpointFailure(f"HTTP {status}: {response.text[:300]}")

    def close(self) -> None:
        for http in self._sessions.values():
            http.close()
        self._sessions.clear()
