"""A real Ralph LRS for the ``lrs`` tests and the benchmark, run from a venv of its own.

Ralph pins FastAPI, uvicorn and pydantic versions of its own, so it lives in a separate
virtual environment, created once (``python -m venv`` + ``pip install 'ralph-malph[cli,lrs]'
requests``) under ``$LMS_RALPH_VENV`` or ``~/.cache/lms-ralph-venv`` and reused afterwards.
Only 127.0.0.1 is used.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import requests

HERE = Path(__file__).resolve().parent
LAUNCHER = HERE / "ralph_launcher.py"
VALIDATOR = HERE / "ralph_validate.py"
PACKAGES = ["ralph-malph[cli,lrs]", "requests"]
XAPI_HEADERS = {"X-Experience-API-Version": "1.0.3"}


def venv_path() -> Path:
    default = Path.home() / ".cache" / "lms-ralph-venv"
    return Path(os.environ.get("LMS_RALPH_VENV") or default)


def ensure_venv() -> Path:
    """Ralph's Python, creating its venv on first use (about a minute); locked so that two
    processes never build it at once."""
    venv = venv_path()
    python = venv / "bin" / "python"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f".{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        modules = "ralph.models.xapi.base.statements, ralph.backends.data.fs, uvicorn, bcrypt"
        check = [str(python), "-c", f"import {modules}, requests"]
        if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
            return python
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", *PACKAGES],
            check=True,
            timeout=900,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        subprocess.run(check, check=True)
    return python


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RalphLRS:
    """One Ralph process on 127.0.0.1 with its statements in ``workdir``; can be stopped and
    started again on the same port (its data stays)."""

    def __init__(self, python: Path, workdir: Path, *, port: int | None = None) -> None:
        self.python = python
        self.workdir = workdir
        self.port = port or free_port()
        self.username = "lms"
        self.password = uuid.uuid4().hex
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / "ralph.log"

    @property
    def url(self) -> str:
        """The xAPI endpoint (statements are at ``<url>statements``)."""
        return f"http://127.0.0.1:{self.port}/xAPI/"

    @property
    def statements_file(self) -> Path:
        return self.workdir / "data" / "fs_lrs.jsonl"

    def endpoint(self, name: str = "ralph") -> dict[str, str]:
        """An entry for ``LMS_LRS_ENDPOINTS``."""
        return {"name": name, "url": self.url, "username": self.username, "password": self.password}

    def start(self, timeout: float = 60.0) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_APP_DIR": str(self.workdir / "app"),
            "RALPH_AUTH_FILE": str(self.workdir / "app" / "auth.json"),
            "RALPH_HISTORY_FILE": str(self.workdir / "app" / "history.json"),
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.workdir / "data"),
            "LMS_RALPH_USERNAME": self.username,
            "LMS_RALPH_PASSWORD": self.password,
        }
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(self.python), "-I", str(LAUNCHER), str(self.port)],
                cwd=self.workdir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Ralph exited: {self.log.read_text()[-2000:]}")
            try:
                url = f"http://127.0.0.1:{self.port}/__heartbeat__"
                if requests.get(url, timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Ralph did not start in {timeout} s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    # Reading back ------------------------------------------------------------------------

    def statements(self, **params: Any) -> list[dict[str, Any]]:
        """Every statement matching ``params`` (e.g. registration=...), following "more"."""
        found: list[dict[str, Any]] = []
        url: str | None = self.url + "statements"
        query: dict[str, Any] | None = {"limit": 100, **params}
        with requests.Session() as http:
            http.auth = (self.username, self.password)
            while url:
                response = http.get(url, params=query, headers=XAPI_HEADERS, timeout=30)
                response.raise_for_status()
                body = response.json()
                found += body["statements"]
                more = body.get("more")
                if not more or not body["statements"]:
                    break
                url, query = f"http://127.0.0.1:{self.port}{more}", None
        return found

    def stored_lines(self) -> list[dict[str, Any]]:
        """Every statement in Ralph's file, as stored (a duplicate would show twice)."""
        if not self.statements_file.exists():
            return []
        text = self.statements_file.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def validate_with_ralph(python: Path, statements: Iterable[dict[str, Any] | str]) -> list[str]:
    """Problems Ralph's strict ``BaseXapiStatement`` finds, as "index: error" lines."""
    lines = [s if isinstance(s, str) else json.dumps(s) for s in statements]
    result = subprocess.run(
        [str(python), "-I", str(VALIDATOR)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    problems = []
    answers = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(answers) == len(lines), result.stderr
    for answer in answers:
        problems += [f"{answer['index']}: {error}" for error in answer["errors"]]
    return problems
